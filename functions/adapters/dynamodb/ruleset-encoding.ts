/**
 * How a published ruleset's body is stored, and read back. The body is gzip-compressed JSON (blob.ts keeps it
 * inline or in chunks); this module decides the JSON's shape.
 *
 * Encoding 3 (`"encoding": 3`): the ruleset with each campaign's keywords stored as columns, every id in one
 * string and every text in another, each with the lengths of its pieces:
 *
 *   "keywords": { "id": "kw_akw_bkw_c", "idLength": [4, 4, 4],
 *                 "text": "human traffickingtratapimp", "textLength": [17, 5, 4], "match": "ppb" }
 *
 * `match` is one letter per keyword (`e` exact, `p` phrase, `b` broad); `locale` is one more column (an array, null
 * where a keyword has none) present only when some keyword has one. Everything else (negative keywords, messages,
 * ...) is stored as the model has it.
 *
 * Why: keywords are nearly all of a large ruleset, and a fresh instance (a Lambda cold start) must read all of
 * them before it can match. In a fresh process, making 200,000 small strings and 100,000 objects was most of that
 * time, so the partner side never makes them: it checks the columns and compiles the texts in place
 * (decodeRulesetInput, matcher.ts's KeywordColumns); a keyword object is made only for an answer that names it.
 * The admin side, which edits and diffs keywords, gets them as objects (decodeRuleset). bench/matcher.ts times a
 * cold load of each encoding.
 *
 * Earlier versions keep the encoding they were published in (a published version never changes) and still decode,
 * as keyword objects:
 * - Encoding 2: columns as one array per field (`"id": ["kw_a", ...], "text": [...]`, `match` and `locale` as in 3).
 * - Encoding 1 (no `encoding` field): the Ruleset as it is, keywords as objects.
 */
import {
  type ColumnCampaign,
  type KeywordColumns,
  keywordColumns,
  type RulesetInput,
} from '../../core/matcher.js';
import type { Keyword, MatchType, Ruleset } from '../../core/model.js';
import { decodeJson, encodeJson } from './gzip-json.js';
import { toCampaign, toCampaignWith } from './mapping.js';

export const RULESET_ENCODING = 3;

const MATCH_BY_LETTER: Readonly<Record<string, MatchType>> = { e: 'exact', p: 'phrase', b: 'broad' };
const NOT_A_MATCH_LETTER = /[^epb]/;

export async function encodeRuleset(ruleset: Ruleset): Promise<Buffer> {
  return encodeJson(rulesetDocument(ruleset));
}

export async function decodeRuleset(body: Uint8Array): Promise<Ruleset> {
  return rulesetFromDocument(await decodeJson(body));
}

/** A stored body as the matcher compiles it: the current encoding's keywords stay columns. */
export async function decodeRulesetInput(body: Uint8Array): Promise<RulesetInput> {
  return rulesetInputFromDocument(await decodeJson(body));
}

/** The JSON document of the current encoding. */
export function rulesetDocument(ruleset: Ruleset): Record<string, unknown> {
  return {
    encoding: RULESET_ENCODING,
    ...ruleset,
    campaigns: ruleset.campaigns.map((campaign) => ({
      ...campaign,
      keywords: keywordColumns(campaign.keywords),
    })),
  };
}

/** A stored document, of any encoding, back into a Ruleset. Throws plainly on anything malformed. */
export function rulesetFromDocument(value: unknown): Ruleset {
  const o = storedHeader(value);
  const readKeywords =
    o.encoding === RULESET_ENCODING ? keywordsFromColumns : o.encoding === 2 ? keywordsFromArrays : undefined;
  const ruleset: Ruleset = {
    version: o.version,
    publishedAt: o.publishedAt,
    publishedBy: o.publishedBy,
    campaigns: o.campaigns.map((campaign) => toCampaign(campaign, readKeywords)),
  };
  if (typeof o.restoredFrom === 'number') ruleset.restoredFrom = o.restoredFrom;
  return ruleset;
}

/**
 * A stored document as the matcher compiles it, checked as rulesetFromDocument checks it: encoding 3's keyword
 * columns are kept as they are, not made into objects; earlier encodings' keywords become objects.
 */
export function rulesetInputFromDocument(value: unknown): RulesetInput {
  const o = storedHeader(value);
  if (o.encoding !== RULESET_ENCODING) return rulesetFromDocument(value);
  const campaigns: ColumnCampaign[] = o.campaigns.map((campaign) => toCampaignWith(campaign, checkedColumns));
  return { version: o.version, campaigns };
}

interface StoredHeader {
  encoding: number;
  version: number;
  publishedAt: string;
  publishedBy: string;
  restoredFrom?: unknown;
  campaigns: unknown[];
}

function storedHeader(value: unknown): StoredHeader {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('Stored ruleset is not an object.');
  const o = value as Record<string, unknown>;
  const encoding = o.encoding ?? 1;
  if (encoding !== 1 && encoding !== 2 && encoding !== RULESET_ENCODING)
    throw new Error(`Stored ruleset has the unknown encoding ${String(encoding)}.`);
  if (typeof o.version !== 'number') throw new Error('Stored version is not a number.');
  if (typeof o.publishedAt !== 'string') throw new Error('Stored publishedAt is not a string.');
  if (typeof o.publishedBy !== 'string') throw new Error('Stored publishedBy is not a string.');
  if (!Array.isArray(o.campaigns)) throw new Error('Stored campaigns is not an array.');
  return {
    encoding,
    version: o.version,
    publishedAt: o.publishedAt,
    publishedBy: o.publishedBy,
    restoredFrom: o.restoredFrom,
    campaigns: o.campaigns,
  };
}

/** Encoding 3's keyword columns as keyword objects. */
function keywordsFromColumns(value: unknown): Keyword[] {
  const { id, idLength, text, textLength, match, locale } = checkedColumns(value);
  const keywords = new Array<Keyword>(match.length);
  let idAt = 0;
  let textAt = 0;
  for (let i = 0; i < match.length; i++) {
    const idEnd = idAt + (idLength[i] as number);
    const textEnd = textAt + (textLength[i] as number);
    const keyword: Keyword = {
      id: id.slice(idAt, idEnd),
      text: text.slice(textAt, textEnd),
      match: MATCH_BY_LETTER[match.charAt(i)] as MatchType,
    };
    idAt = idEnd;
    textAt = textEnd;
    const klocale = locale?.[i];
    if (typeof klocale === 'string') keyword.locale = klocale;
    keywords[i] = keyword;
  }
  return keywords;
}

/**
 * Encoding 3's keyword columns, checked but not copied: every id and text a string of the lengths given, every
 * match letter known, every locale a string or null.
 */
function checkedColumns(value: unknown): KeywordColumns {
  if (typeof value !== 'object' || value === null) throw new Error('Stored keywords are not columns.');
  const { id, idLength, text, textLength, match, locale } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof text !== 'string' || typeof match !== 'string')
    throw new Error('Stored keywords lack their id, text or match column.');
  if (!Array.isArray(idLength) || !Array.isArray(textLength))
    throw new Error('Stored keywords lack the lengths of their ids or texts.');
  const n = match.length;
  if (idLength.length !== n || textLength.length !== n || (locale !== undefined && !isColumn(locale, n)))
    throw new Error('Stored keyword columns differ in length.');
  const badLetter = match.search(NOT_A_MATCH_LETTER);
  let idEnd = 0;
  let textEnd = 0;
  for (let i = 0; i < n; i++) {
    const idn: unknown = idLength[i];
    const textn: unknown = textLength[i];
    const l: unknown = (locale as unknown[] | undefined)?.[i];
    if (!isLength(idn) || !isLength(textn) || i === badLetter || (l != null && typeof l !== 'string'))
      throw new Error(`Stored keyword ${i} is malformed.`);
    idEnd += idn;
    textEnd += textn;
  }
  if (idEnd !== id.length || textEnd !== text.length)
    throw new Error('Stored keyword lengths do not add up to their columns.');
  const columns: KeywordColumns = { id, idLength, text, textLength, match };
  return locale === undefined ? columns : { ...columns, locale: locale as (string | null)[] };
}

const isLength = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;
const isColumn = (value: unknown, n: number): value is unknown[] =>
  Array.isArray(value) && value.length === n;

/** Encoding 2's keyword columns (one array per field) as keyword objects. */
function keywordsFromArrays(value: unknown): Keyword[] {
  if (typeof value !== 'object' || value === null) throw new Error('Stored keywords are not columns.');
  const { id, text, match, locale } = value as Record<string, unknown>;
  if (!Array.isArray(id) || !Array.isArray(text) || typeof match !== 'string')
    throw new Error('Stored keywords lack their id, text or match column.');
  const n = id.length;
  if (text.length !== n || match.length !== n || (locale !== undefined && !isColumn(locale, n)))
    throw new Error('Stored keyword columns differ in length.');
  return id.map((kid: unknown, i): Keyword => {
    const ktext: unknown = text[i];
    const kmatch = MATCH_BY_LETTER[match.charAt(i)];
    if (typeof kid !== 'string' || typeof ktext !== 'string' || kmatch === undefined)
      throw new Error(`Stored keyword ${i} is malformed.`);
    const keyword: Keyword = { id: kid, text: ktext, match: kmatch };
    const klocale: unknown = (locale as unknown[] | undefined)?.[i];
    if (typeof klocale === 'string') keyword.locale = klocale;
    return keyword;
  });
}
