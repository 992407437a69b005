/**
 * How a published ruleset's body is stored, and read back. The body is gzip-compressed JSON (blob.ts keeps it
 * inline or in chunks); this module decides the JSON's shape.
 *
 * Encoding 2 (`"encoding": 2`): the ruleset with each campaign's keywords stored as columns, one array per field,
 * instead of an array of keyword objects:
 *
 *   "keywords": { "id": ["kw_a", "kw_b", "kw_c"], "text": ["human trafficking", "trata", "pimp"], "match": "ppb" }
 *
 * `match` is one letter per keyword (`e` exact, `p` phrase, `b` broad); `locale` is a fourth array (null where a
 * keyword has none) present only when some keyword has one. Everything else (negative keywords, messages, ...)
 * is stored as the model has it.
 *
 * Why: keywords are nearly all of a large ruleset, and a fresh instance (a Lambda cold start) must read all of
 * them before it can match. As objects, every keyword repeated its property names: at 100,000 keywords the JSON
 * was 6.5 MB and parsing it was the largest part of a cold start. As columns it is 3.8 MB and unzips and parses
 * in about a third less time; the keyword objects are then made once, while decoding, where encoding 1 made them
 * twice (once parsing, once mapping). bench/matcher.ts measures both encodings.
 *
 * Encoding 1 (no `encoding` field): the Ruleset as it is, keywords as objects. Versions published before
 * encoding 2 keep it (a published version never changes) and still decode, through the same mapping as before.
 */
import type { Keyword, MatchType, Ruleset } from '../../core/model.js';
import { decodeJson, encodeJson } from './gzip-json.js';
import { toCampaign } from './mapping.js';

export const RULESET_ENCODING = 2;

/** The match types by their letter in the `match` column, and back. */
const MATCH_LETTERS: Readonly<Record<MatchType, string>> = { exact: 'e', phrase: 'p', broad: 'b' };
const MATCH_BY_LETTER: Readonly<Record<string, MatchType>> = { e: 'exact', p: 'phrase', b: 'broad' };

export interface KeywordColumns {
  id: string[];
  text: string[];
  match: string;
  locale?: (string | null)[];
}

export async function encodeRuleset(ruleset: Ruleset): Promise<Buffer> {
  return encodeJson(rulesetDocument(ruleset));
}

export async function decodeRuleset(body: Uint8Array): Promise<Ruleset> {
  return rulesetFromDocument(await decodeJson(body));
}

/** The JSON document of encoding 2. */
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

/** A stored document, of either encoding, back into a Ruleset. Throws plainly on anything malformed. */
export function rulesetFromDocument(value: unknown): Ruleset {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('Stored ruleset is not an object.');
  const o = value as Record<string, unknown>;
  const encoding = o.encoding ?? 1;
  if (encoding !== 1 && encoding !== RULESET_ENCODING)
    throw new Error(`Stored ruleset has the unknown encoding ${String(encoding)}.`);
  if (typeof o.version !== 'number') throw new Error('Stored version is not a number.');
  if (typeof o.publishedAt !== 'string') throw new Error('Stored publishedAt is not a string.');
  if (typeof o.publishedBy !== 'string') throw new Error('Stored publishedBy is not a string.');
  if (!Array.isArray(o.campaigns)) throw new Error('Stored campaigns is not an array.');
  const readKeywords = encoding === RULESET_ENCODING ? keywordsFromColumns : undefined;
  const ruleset: Ruleset = {
    version: o.version,
    publishedAt: o.publishedAt,
    publishedBy: o.publishedBy,
    campaigns: o.campaigns.map((campaign) => toCampaign(campaign, readKeywords)),
  };
  if (typeof o.restoredFrom === 'number') ruleset.restoredFrom = o.restoredFrom;
  return ruleset;
}

export function keywordColumns(keywords: readonly Keyword[]): KeywordColumns {
  const columns: KeywordColumns = {
    id: keywords.map((k) => k.id),
    text: keywords.map((k) => k.text),
    match: keywords.map((k) => MATCH_LETTERS[k.match]).join(''),
  };
  if (keywords.some((k) => k.locale !== undefined)) columns.locale = keywords.map((k) => k.locale ?? null);
  return columns;
}

export function keywordsFromColumns(value: unknown): Keyword[] {
  if (typeof value !== 'object' || value === null) throw new Error('Stored keywords are not columns.');
  const { id, text, match, locale } = value as Record<string, unknown>;
  if (!Array.isArray(id) || !Array.isArray(text) || typeof match !== 'string')
    throw new Error('Stored keywords lack their id, text or match column.');
  const locales = Array.isArray(locale) ? locale : null;
  const n = id.length;
  if (text.length !== n || match.length !== n || (locale !== undefined && locales?.length !== n))
    throw new Error('Stored keyword columns differ in length.');
  // Made by map, not filled into `new Array(n)`: a packed array, which the matcher reads faster than a holey one.
  return id.map((kid: unknown, i): Keyword => {
    const ktext: unknown = text[i];
    const kmatch = MATCH_BY_LETTER[match.charAt(i)];
    if (typeof kid !== 'string' || typeof ktext !== 'string' || kmatch === undefined)
      throw new Error(`Stored keyword ${i} is malformed.`);
    const keyword: Keyword = { id: kid, text: ktext, match: kmatch };
    const klocale: unknown = locales?.[i];
    if (typeof klocale === 'string') keyword.locale = klocale;
    return keyword;
  });
}
