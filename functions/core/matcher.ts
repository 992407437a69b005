/**
 * The matcher: a published ruleset compiled once into an immutable index, then asked per search query which
 * campaign (if any) should show its help message. Semantics: "Matching semantics" in shared/API.md.
 *
 * The index works on words, not characters, so the cost of a query depends on its length, never on the
 * number of keywords:
 * - every distinct keyword token gets a small integer id; a hash table (match-table.ts) takes each spelling
 *   that should match it (itself, plurals, singulars, undisguised readings) to the ids, so one query token is
 *   one lookup, made straight from the normalized text with the hash the normalizer computed while scanning;
 * - exact and phrase keywords (and single-token broad ones) sit in a trie of token ids, stored as one
 *   open-addressing table of (node, token) -> child; a query walks it from each position;
 * - broad keywords of several tokens hang off their rarest token; the few found are verified against the set
 *   of ids present in the query;
 * - negative keywords are entries of the same index, flagged, so one pass finds everything that hit;
 * - selection keeps the best eligible, non-negated hit by (priority, match type, normalized length, campaign id),
 *   read from small per-entry arrays; eligibility is checked only for campaigns that hit.
 * No answer is cached: every query is evaluated.
 *
 * `match` and `explain` run the same function (`evaluate`); `explain` passes a trace that records what it saw.
 */
import {
  type CampaignRules,
  campaignRules,
  type IneligibilityReason,
  ineligibility,
  type MatchContext,
  type MessageTable,
  messageTable,
  pickMessage,
  type RequestTarget,
  requestTarget,
} from './match-eligibility.js';
import { TokenTable } from './match-table.js';
import { charsOf, FORM_SUFFIXES, formRules, spellings, variantOf } from './match-variants.js';
import type { Campaign, Keyword, MatchType, NegativeKeyword, ResolvedMessage } from './model.js';
import { normalizeInto, TOKEN_HAS_LETTER, TokenSpans } from './normalize.js';

export { isEligible, type MatchContext, resolveMessage } from './match-eligibility.js';

export interface MatchResult {
  campaign: Campaign;
  keyword: Keyword;
  message: ResolvedMessage;
}

export interface BannerResult {
  campaign: Campaign;
  message: ResolvedMessage;
}

export type ExclusionReason =
  | 'negative_keyword'
  | 'paused'
  | 'not_started'
  | 'ended'
  | 'locale'
  | 'region'
  | 'lower_priority'
  | 'weaker_keyword';

export interface KeywordHit {
  campaignId: string;
  campaignName: string;
  keyword: Keyword;
  /** How the query reached the keyword: 'plural', 'disguise', 'plural+disguise', or null for literally. */
  variant: string | null;
  /** The normalized query tokens that hit, in query order. */
  matchedText: string;
}

export interface Explanation {
  normalizedQuery: string;
  tokens: string[];
  match: (KeywordHit & { message: ResolvedMessage }) | null;
  /** One entry per campaign that hit: its best keyword, selected or excluded and why. Selected first, then in selection order. */
  hits: Array<
    KeywordHit & {
      outcome: 'selected' | 'excluded';
      reason?: { code: ExclusionReason; message: string; negativeKeyword?: NegativeKeyword };
    }
  >;
}

export interface CompiledRuleset {
  readonly version: number;
  /** Keywords in the ruleset (negatives not counted). */
  readonly keywordCount: number;
  match(query: string, ctx: MatchContext): MatchResult | null;
  /** The highest-priority eligible campaign marked `banner: true` (then the smaller id). */
  banner(ctx: MatchContext): BannerResult | null;
  explain(query: string, ctx: MatchContext): Explanation;
}

/**
 * A campaign's keywords as columns, the shape a stored ruleset keeps them in (ruleset-encoding.ts): every id one
 * after another in one string, and every text likewise, with each one's length; `match` has one letter a keyword
 * (`e` exact, `p` phrase, `b` broad); `locale` is null where a keyword has none.
 */
export interface KeywordColumns {
  readonly id: string;
  readonly idLength: readonly number[];
  readonly text: string;
  readonly textLength: readonly number[];
  readonly match: string;
  readonly locale?: readonly (string | null)[];
}

const MATCH_LETTERS: Readonly<Record<MatchType, string>> = { exact: 'e', phrase: 'p', broad: 'b' };

/** Keywords as columns (what ruleset-encoding.ts stores; tests compile both shapes). */
export function keywordColumns(keywords: readonly Keyword[]): KeywordColumns {
  const columns: KeywordColumns = {
    id: keywords.map((k) => k.id).join(''),
    idLength: keywords.map((k) => k.id.length),
    text: keywords.map((k) => k.text).join(''),
    textLength: keywords.map((k) => k.text.length),
    match: keywords.map((k) => MATCH_LETTERS[k.match]).join(''),
  };
  return keywords.some((k) => k.locale !== undefined)
    ? { ...columns, locale: keywords.map((k) => k.locale ?? null) }
    : columns;
}

/** A campaign whose keywords are columns: compiled without a Keyword object a keyword (see RulesetInput). */
export interface ColumnCampaign extends Omit<Campaign, 'keywords'> {
  keywords: KeywordColumns;
}

/**
 * What compileRuleset reads. A campaign's keywords may be columns: a fresh instance then compiles a large ruleset
 * without first making 200,000 strings and 100,000 objects it would read once (in a fresh process, new memory is
 * the dearest part of a load). A keyword object is made only when an answer names it; the campaign in an answer
 * reads as a Campaign, its `keywords` made on first read.
 */
export interface RulesetInput {
  version: number;
  campaigns: readonly (Campaign | ColumnCampaign)[];
}

export function compileRuleset(ruleset: RulesetInput): CompiledRuleset {
  return new Index(ruleset);
}

const EXACT = 0;
const PHRASE = 1;
const BROAD = 2;
const KIND_NAMES: readonly MatchType[] = ['exact', 'phrase', 'broad'];

function kindOf(match: unknown, fallback: number): number {
  if (match === 'exact') return EXACT;
  if (match === 'phrase') return PHRASE;
  if (match === 'broad') return BROAD;
  return fallback;
}

/** The kind of a letter of KeywordColumns' `match` (by char code); phrase for anything else, as kindOf. */
function kindOfLetter(c: number): number {
  if (c === 0x65) return EXACT;
  if (c === 0x62) return BROAD;
  return PHRASE;
}

function isColumns(keywords: unknown): keywords is KeywordColumns {
  return typeof keywords === 'object' && keywords !== null && !Array.isArray(keywords);
}

/**
 * Where each piece of a joined column starts, from the pieces' lengths (one more entry: the end). Lengths that
 * are not whole numbers count as 0, and no piece runs past the string.
 */
function starts(lengths: readonly number[], count: number, size: number): Int32Array {
  const at = new Int32Array(count + 1);
  let end = 0;
  for (let k = 0; k < count; k++) {
    const n = lengths[k];
    end = Math.min(size, end + (Number.isSafeInteger(n) && (n as number) > 0 ? (n as number) : 0));
    at[k + 1] = end;
  }
  return at;
}

/** A column campaign's keywords: their texts for the compiler, and each as an object when first asked for. */
class ColumnKeywords {
  readonly count: number;
  readonly text: string;
  /** Keyword k's text is `text.slice(textStart[k], textStart[k + 1])`. */
  readonly textStart: Int32Array;
  private readonly idStart: Int32Array;
  private readonly made = new Map<number, Keyword>();
  private all: Keyword[] | null = null;

  constructor(private readonly columns: KeywordColumns) {
    const { id, idLength, text, textLength, match } = columns;
    const valid =
      typeof id === 'string' &&
      typeof text === 'string' &&
      typeof match === 'string' &&
      Array.isArray(idLength) &&
      Array.isArray(textLength);
    this.count = valid ? Math.min(idLength.length, textLength.length, match.length) : 0;
    this.text = valid ? text : '';
    this.textStart = starts(valid ? textLength : [], this.count, this.text.length);
    this.idStart = starts(valid ? idLength : [], this.count, valid ? id.length : 0);
  }

  kind(k: number): number {
    return kindOfLetter(this.columns.match.charCodeAt(k));
  }

  at(k: number): Keyword {
    let keyword = this.made.get(k);
    if (keyword === undefined) {
      const { id, locale } = this.columns;
      keyword = {
        id: id.slice(this.idStart[k], this.idStart[k + 1]),
        text: this.text.slice(this.textStart[k], this.textStart[k + 1]),
        match: KIND_NAMES[this.kind(k)] as MatchType,
      };
      const l = locale?.[k];
      if (typeof l === 'string') keyword.locale = l;
      this.made.set(k, keyword);
    }
    return keyword;
  }

  list(): Keyword[] {
    if (!this.all) {
      this.all = new Array<Keyword>(this.count);
      for (let k = 0; k < this.count; k++) this.all[k] = this.at(k);
    }
    return this.all;
  }
}

/** The Campaign of a column campaign, for answers: the same fields, `keywords` made on first read. */
function campaignView(source: ColumnCampaign, columns: ColumnKeywords): Campaign {
  const { keywords: _columns, ...fields } = source;
  return Object.defineProperty({ ...fields, keywords: [] as Keyword[] }, 'keywords', {
    get: () => columns.list(),
    enumerable: true,
  });
}

interface CompiledCampaign {
  readonly campaign: Campaign;
  readonly rules: CampaignRules;
  readonly messages: MessageTable;
  /** The keywords to compile: columns, or (a copy of the list of) objects. */
  readonly columns: ColumnKeywords | null;
  readonly keywords: readonly Keyword[];
  readonly negatives: readonly NegativeKeyword[];
  /** The campaign's k-th keyword, as it was when compiled. */
  keywordAt(k: number): Keyword;
}

function compiledCampaign(source: Campaign | ColumnCampaign): CompiledCampaign {
  const columns = isColumns(source.keywords) ? new ColumnKeywords(source.keywords) : null;
  const campaign = columns ? campaignView(source as ColumnCampaign, columns) : (source as Campaign);
  // Copies of the lists (not of the keywords): the index answers the same whatever is done to them later.
  const keywords = !columns && Array.isArray(campaign.keywords) ? campaign.keywords.slice() : [];
  return {
    campaign,
    rules: campaignRules(campaign),
    messages: messageTable(campaign),
    columns,
    keywords,
    negatives: Array.isArray(source.negativeKeywords) ? source.negativeKeywords.slice() : [],
    keywordAt: columns ? (k) => columns.at(k) : (k) => keywords[k] as Keyword,
  };
}

/** What `evaluate` found; only `explain` asks for it. */
interface Trace {
  tokens: string[];
  /** Triples (entry, start, length); start -1 for broad hits. */
  hits: number[];
  /** The first negative entry that hit, by campaign index. */
  negatives: Map<number, number>;
}

interface Selection {
  /** Index into the hits triples of the selected hit. */
  hit: number;
  entry: number;
  target: RequestTarget;
}

/** Working memory of one query. Not part of the index: its contents change on every call. */
class Scratch {
  stamp = 0;
  readonly spans = new TokenSpans();
  posStart: Int32Array = new Int32Array(64);
  ids: Int32Array = new Int32Array(64);
  constructor(
    readonly present: Int32Array,
    readonly anchorSeen: Int32Array,
    readonly negated: Int32Array,
  ) {}

  nextStamp(): number {
    if (this.stamp >= 0x7fffffff) {
      this.present.fill(0);
      this.anchorSeen.fill(0);
      this.negated.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

function nextPow2(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}

function edgeHash(node: number, token: number): number {
  let h = Math.imul(node ^ Math.imul(token, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Counting sort of `items` by `keys` into a compressed layout: the items of key k are out[start[k]..start[k+1]). */
function buckets(keys: Int32Array, count: number, skip: number): { start: Int32Array; items: Int32Array } {
  // start[k] counts key k, then becomes the end of its bucket, then (filling from the back) its start.
  const start = new Int32Array(count + 1);
  let total = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as number;
    if (k === skip) continue;
    (start[k] as number)++;
    total++;
  }
  for (let k = 1; k <= count; k++) start[k] = (start[k] as number) + (start[k - 1] as number);
  const items = new Int32Array(total);
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i] as number;
    if (k === skip) continue;
    items[--(start[k] as number)] = i;
  }
  return { start, items };
}

/** Token codes in the spelling table: a token id, or MULTI + k for the k-th list of ids. */
const MULTI = 1 << 30;

/** A growable Int32Array. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.data = grow(this.data);
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
  /** The contents without a copy (the unused tail stays allocated, but untouched). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Pass 1's result: every keyword token with an id, and every entry (keyword or negative) as its token ids. */
interface Entries {
  keywordCount: number;
  tokenIds: TokenTable;
  tokenCount: number;
  tokenStart: Int32Array;
  tokenLength: Int32Array;
  tokenFlags: Int32Array;
  /** Per token: how many entries use it (the rarest token of a broad keyword anchors it). */
  tokenDf: Int32Array;
  entryCount: number;
  entCampaign: Int32Array;
  entKind: Uint8Array;
  entNegative: Uint8Array;
  entLength: Int32Array;
  /** Per entry: its place in its campaign's keywords, or negative keywords when negative. */
  entIndex: Int32Array;
  entTokStart: Int32Array;
  entToks: Int32Array;
}

/** Pass 1: tokens of every keyword, token ids, entries. */
function readEntries(campaigns: readonly CompiledCampaign[]): Entries {
  let maxEntries = 0;
  for (const c of campaigns) maxEntries += (c.columns?.count ?? c.keywords.length) + c.negatives.length;
  // Sized for the distinct tokens, far fewer than the keywords (one for every four or five in large rulesets): a
  // small table stays in cache, and one that need not grow is not copied as it fills. In a fresh process, memory
  // touched for the first time is the dearest part of a compile.
  const expectedTokens = Math.max(1024, maxEntries >> 2);
  const tokenIds = new TokenTable(expectedTokens, expectedTokens * 8);
  let tokenCount = 0;
  const tokenStart = new IntList(expectedTokens);
  const tokenLength = new IntList(expectedTokens);
  const tokenFlags = new IntList(expectedTokens);
  const tokenDf = new IntList(expectedTokens);
  const entCampaign = new Int32Array(maxEntries);
  const entKind = new Uint8Array(maxEntries);
  const entNegative = new Uint8Array(maxEntries);
  const entLength = new Int32Array(maxEntries);
  const entIndex = new Int32Array(maxEntries);
  const entTokStart = new Int32Array(maxEntries + 1);
  const entToks = new IntList(maxEntries * 3);
  let entryCount = 0;
  let keywordCount = 0;
  const spans = new TokenSpans();
  /** Adds `text.slice(from, to)` as an entry (read in place: no copy of it is made). */
  const addEntry = (
    ci: number,
    text: string,
    from: number,
    to: number,
    kind: number,
    negative: boolean,
    index: number,
  ): void => {
    normalizeInto(text, spans, from, to);
    const n = spans.count;
    if (n === 0) return; // matches nothing
    let length = n - 1;
    for (let i = 0; i < n; i++) {
      const from = spans.start[i] as number;
      const to = spans.end[i] as number;
      length += to - from;
      let id = tokenIds.getSpan(spans.text, from, to, spans.hash[i] as number);
      if (id < 0) {
        id = tokenCount++;
        tokenIds.begin();
        tokenIds.pushString(spans.text, from, to);
        tokenStart.push(tokenIds.insert(id));
        tokenLength.push(to - from);
        tokenFlags.push(spans.flags[i] as number);
        tokenDf.push(0);
      }
      tokenDf.data[id] = (tokenDf.data[id] as number) + 1;
      entToks.push(id);
    }
    entCampaign[entryCount] = ci;
    entKind[entryCount] = kind;
    entNegative[entryCount] = negative ? 1 : 0;
    entLength[entryCount] = length;
    entIndex[entryCount] = index;
    entTokStart[++entryCount] = entToks.length;
  };
  const addObject = (ci: number, keyword: Keyword | NegativeKeyword, negative: boolean, index: number) => {
    const text = typeof keyword?.text === 'string' ? keyword.text : '';
    addEntry(ci, text, 0, text.length, kindOf(keyword?.match, PHRASE), negative, index);
  };
  for (let ci = 0; ci < campaigns.length; ci++) {
    const { columns, keywords, negatives } = campaigns[ci] as CompiledCampaign;
    if (columns) {
      const { text, textStart } = columns;
      keywordCount += columns.count;
      for (let k = 0; k < columns.count; k++) {
        addEntry(ci, text, textStart[k] as number, textStart[k + 1] as number, columns.kind(k), false, k);
      }
    } else {
      keywordCount += keywords.length;
      for (let k = 0; k < keywords.length; k++) addObject(ci, keywords[k] as Keyword, false, k);
    }
    for (let k = 0; k < negatives.length; k++) addObject(ci, negatives[k] as NegativeKeyword, true, k);
  }
  tokenIds.seal();
  return {
    keywordCount,
    tokenIds,
    tokenCount,
    tokenStart: tokenStart.toArray(),
    tokenLength: tokenLength.toArray(),
    tokenFlags: tokenFlags.view(),
    tokenDf: tokenDf.view(),
    entryCount,
    entCampaign,
    entKind,
    entNegative,
    entLength,
    entIndex,
    entTokStart,
    entToks: entToks.view(),
  };
}

/**
 * Pass 2: spellings -> token ids. About two spellings a token (itself and a plural) in real rulesets. The
 * spellings are built character by character in the table's pool: no strings.
 */
function buildForms(entries: Entries): { forms: TokenTable; multiStart: Int32Array; multiIds: Int32Array } {
  const { tokenIds, tokenCount, tokenStart, tokenLength, tokenFlags } = entries;
  const forms = new TokenTable(Math.ceil(tokenCount * 2.5), (tokenStart[tokenCount - 1] ?? 0) * 3);
  const multi: number[][] = [];
  const addForm = (id: number): void => {
    const found = forms.insert(id);
    if (found >= 0) return;
    const slot = -found - 1;
    const code = forms.valueAt(slot);
    if (code === id) return;
    if (code < MULTI) {
      forms.setValueAt(slot, MULTI + multi.length);
      multi.push([code, id]);
      return;
    }
    const list = multi[code - MULTI] as number[];
    if (!list.includes(id)) list.push(id);
  };
  const rules = new Int32Array(32);
  const pool = tokenIds.chars();
  for (let id = 0; id < tokenCount; id++) {
    const f = tokenFlags[id] as number;
    const n = tokenLength[id] as number;
    const base = tokenStart[id] as number;
    if (f === TOKEN_HAS_LETTER) {
      forms.begin();
      forms.pushFrom(tokenIds, base, n);
      addForm(id);
      const count = formRules(pool, base, n, rules);
      for (let r = 0; r < count; r++) {
        forms.begin();
        forms.pushFrom(tokenIds, base, rules[r * 2] as number);
        forms.pushString(FORM_SUFFIXES[rules[r * 2 + 1] as number] as string);
        addForm(id);
      }
    } else {
      // A disguised token (rare): each plain reading, then its plurals.
      for (const word of spellings(tokenIds.text(base, n), f)) {
        forms.begin();
        forms.pushString(word);
        addForm(id);
        const count = formRules(charsOf(word), 0, word.length, rules);
        for (let r = 0; r < count; r++) {
          forms.begin();
          forms.pushString(word, 0, rules[r * 2] as number);
          forms.pushString(FORM_SUFFIXES[rules[r * 2 + 1] as number] as string);
          addForm(id);
        }
      }
    }
  }
  forms.seal();
  const multiStart = new Int32Array(multi.length + 1);
  let multiTotal = 0;
  for (const list of multi) multiTotal += list.length;
  const multiIds = new Int32Array(multiTotal);
  let m = 0;
  for (let k = 0; k < multi.length; k++) {
    for (const id of multi[k] as number[]) multiIds[m++] = id;
    multiStart[k + 1] = m;
  }
  return { forms, multiStart, multiIds };
}

interface Trie {
  rootChild: Int32Array;
  edgeMask: number;
  edges: Int32Array;
  nodeHasChildren: Uint8Array;
  nodeEntStart: Int32Array;
  nodeEnt: Int32Array;
  anchorStart: Int32Array;
  anchorEnt: Int32Array;
}

/** The child of `node` by `token` in the trie's edge table, or -1. */
function findEdge(
  rootChild: Int32Array,
  edges: Int32Array,
  mask: number,
  node: number,
  token: number,
): number {
  if (node === 0) return rootChild[token] as number;
  const key = node + 1;
  let h = edgeHash(node, token) & mask;
  for (;;) {
    const k = edges[h * 3] as number;
    if (k === 0) return -1;
    if (k === key && edges[h * 3 + 1] === token) return edges[h * 3 + 2] as number;
    h = (h + 1) & mask;
  }
}

/** Pass 3: the trie and the broad anchors. */
function buildTrie(entries: Entries): Trie {
  const { tokenCount, entryCount, entKind, entTokStart, entToks: toks, tokenDf: df } = entries;
  const rootChild = new Int32Array(tokenCount).fill(-1);
  // Edges below the root: at most one per keyword token after the first, broad keywords (not in the trie) aside.
  let deepEdges = 0;
  for (let e = 0; e < entryCount; e++) {
    if (entKind[e] !== BROAD) deepEdges += (entTokStart[e + 1] as number) - (entTokStart[e] as number) - 1;
  }
  const capacity = nextPow2(2 * deepEdges + 2);
  const mask = capacity - 1;
  const edges = new Int32Array(capacity * 3);
  const nodeHasChildren = new Uint8Array(toks.length + 1);
  let nodeCount = 1;
  const entNode = new Int32Array(entryCount).fill(-1);
  const entAnchor = new Int32Array(entryCount).fill(-1);
  for (let e = 0; e < entryCount; e++) {
    const from = entTokStart[e] as number;
    const to = entTokStart[e + 1] as number;
    if (entKind[e] === BROAD) {
      let anchor = toks[from] as number;
      let distinct = false;
      for (let k = from + 1; k < to; k++) {
        const id = toks[k] as number;
        if (id !== toks[from]) distinct = true;
        if ((df[id] as number) < (df[anchor] as number)) anchor = id;
      }
      if (distinct) {
        entAnchor[e] = anchor;
        continue;
      }
    }
    // A broad keyword of one distinct token ("pimp pimp") is that token as a phrase.
    const pathEnd = entKind[e] === BROAD ? from + 1 : to;
    let node = 0;
    for (let k = from; k < pathEnd; k++) {
      const token = toks[k] as number;
      let child = findEdge(rootChild, edges, mask, node, token);
      if (child < 0) {
        child = nodeCount++;
        if (node === 0) {
          rootChild[token] = child;
        } else {
          let h = edgeHash(node, token) & mask;
          while (edges[h * 3] !== 0) h = (h + 1) & mask;
          edges[h * 3] = node + 1;
          edges[h * 3 + 1] = token;
          edges[h * 3 + 2] = child;
        }
        nodeHasChildren[node] = 1;
      }
      node = child;
    }
    entNode[e] = node;
  }
  const byNode = buckets(entNode, nodeCount, -1);
  const byAnchor = buckets(entAnchor, tokenCount, -1);
  return {
    rootChild,
    edgeMask: mask,
    edges,
    nodeHasChildren: nodeHasChildren.slice(0, nodeCount),
    nodeEntStart: byNode.start,
    nodeEnt: byNode.items,
    anchorStart: byAnchor.start,
    anchorEnt: byAnchor.items,
  };
}

class Index implements CompiledRuleset {
  readonly version: number;
  readonly keywordCount: number;

  private readonly campaigns: readonly CompiledCampaign[];
  /** Per campaign: its priority (non-numbers count as 0) and its position in campaign id order. */
  private readonly campPriority: Float64Array;
  private readonly campIdOrder: Int32Array;
  /** Campaign indexes marked banner, best first. */
  private readonly bannerOrder: readonly number[];

  /** Keyword tokens by id: their characters in `tokens`' pool (the text, for explain). */
  private readonly tokens: TokenTable;
  private readonly tokenStart: Int32Array;
  private readonly tokenLength: Int32Array;
  /** Spelling -> token code (see MULTI). */
  private readonly forms: TokenTable;
  private readonly multiStart: Int32Array;
  private readonly multiIds: Int32Array;

  // Entries: every keyword and negative keyword that normalizes to at least one token.
  private readonly entCampaign: Int32Array;
  private readonly entKind: Uint8Array;
  private readonly entNegative: Uint8Array;
  /** Length of the normalized keyword, for the "longer keyword" rule. */
  private readonly entLength: Int32Array;
  private readonly entTokStart: Int32Array;
  private readonly entToks: Int32Array;
  private readonly entIndex: Int32Array;

  // Trie of token ids. The root's children by token id; below it, (node + 1, token, child) triples in one
  // open-addressing table, so that a probe touches one cache line.
  private readonly rootChild: Int32Array;
  private readonly edgeMask: number;
  private readonly edges: Int32Array;
  private readonly nodeHasChildren: Uint8Array;
  private readonly nodeEntStart: Int32Array;
  private readonly nodeEnt: Int32Array;

  // Broad keywords of several tokens, by their rarest token.
  private readonly anchorStart: Int32Array;
  private readonly anchorEnt: Int32Array;

  private readonly scratch: Scratch;

  constructor(ruleset: RulesetInput) {
    this.version = ruleset.version;
    const source = Array.isArray(ruleset.campaigns) ? ruleset.campaigns : [];
    const campaignCount = source.length;
    this.campaigns = source.map(compiledCampaign);
    this.campPriority = new Float64Array(campaignCount);
    source.forEach((c, i) => {
      this.campPriority[i] = typeof c.priority === 'number' && Number.isFinite(c.priority) ? c.priority : 0;
    });
    this.campIdOrder = new Int32Array(campaignCount);
    source
      .map((c, i) => ({ id: String(c.id), i }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.i - b.i))
      .forEach(({ i }, order) => {
        this.campIdOrder[i] = order;
      });
    this.bannerOrder = source
      .map((_, i) => i)
      .filter((i) => source[i]?.banner === true)
      .sort((a, b) => this.compareCampaigns(a, b));

    // Three passes, each its own function, sharing only what pass 1 found (V8 also optimizes a pass's loop without
    // recompiling, and then discarding, the code of the passes it has not reached yet).
    const entries = readEntries(this.campaigns);
    this.keywordCount = entries.keywordCount;
    this.tokens = entries.tokenIds;
    this.tokenStart = entries.tokenStart;
    this.tokenLength = entries.tokenLength;
    this.entCampaign = entries.entCampaign;
    this.entKind = entries.entKind;
    this.entNegative = entries.entNegative;
    this.entLength = entries.entLength;
    this.entTokStart = entries.entTokStart;
    this.entToks = entries.entToks;
    this.entIndex = entries.entIndex;

    const spellingTable = buildForms(entries);
    this.forms = spellingTable.forms;
    this.multiStart = spellingTable.multiStart;
    this.multiIds = spellingTable.multiIds;

    const trie = buildTrie(entries);
    this.rootChild = trie.rootChild;
    this.edgeMask = trie.edgeMask;
    this.edges = trie.edges;
    this.nodeHasChildren = trie.nodeHasChildren;
    this.nodeEntStart = trie.nodeEntStart;
    this.nodeEnt = trie.nodeEnt;
    this.anchorStart = trie.anchorStart;
    this.anchorEnt = trie.anchorEnt;

    this.scratch = new Scratch(
      new Int32Array(entries.tokenCount),
      new Int32Array(entries.tokenCount),
      new Int32Array(campaignCount),
    );
    Object.freeze(this);
  }

  /**
   * Whether positive entry `a` beats `b` in the selection order: higher priority, then exact > phrase > broad,
   * then the longer keyword, then the smaller campaign id, then the earlier keyword in the ruleset.
   */
  private beats(a: number, b: number): boolean {
    const ca = this.entCampaign[a] as number;
    const cb = this.entCampaign[b] as number;
    const pa = this.campPriority[ca] as number;
    const pb = this.campPriority[cb] as number;
    if (pa !== pb) return pa > pb;
    const ka = this.entKind[a] as number;
    const kb = this.entKind[b] as number;
    if (ka !== kb) return ka < kb;
    const la = this.entLength[a] as number;
    const lb = this.entLength[b] as number;
    if (la !== lb) return la > lb;
    if (ca !== cb) return (this.campIdOrder[ca] as number) < (this.campIdOrder[cb] as number);
    return a < b;
  }

  match(query: string, ctx: MatchContext): MatchResult | null {
    const selection = this.evaluate(query, ctx, undefined);
    if (selection === null) return null;
    const c = this.campaigns[this.entCampaign[selection.entry] as number] as CompiledCampaign;
    return {
      campaign: c.campaign,
      keyword: this.keywordOf(selection.entry),
      message: pickMessage(c.messages, c.campaign, selection.target),
    };
  }

  banner(ctx: MatchContext): BannerResult | null {
    const target = requestTarget(ctx);
    for (const ci of this.bannerOrder) {
      const c = this.campaigns[ci] as CompiledCampaign;
      if (ineligibility(c.rules, target) === null) {
        return { campaign: c.campaign, message: pickMessage(c.messages, c.campaign, target) };
      }
    }
    return null;
  }

  explain(query: string, ctx: MatchContext): Explanation {
    const trace: Trace = { tokens: [], hits: [], negatives: new Map() };
    const selection = this.evaluate(query, ctx, trace);
    return this.describe(trace, selection, ctx);
  }

  // ---------------------------------------------------------------------------------------------------------
  // The one evaluation path.

  private evaluate(query: string, ctx: MatchContext, trace: Trace | undefined): Selection | null {
    const s = this.scratch;
    const spans = s.spans;
    normalizeInto(typeof query === 'string' ? query : '', spans);
    if (trace) trace.tokens = spans.tokens();
    const n = spans.count;
    if (n === 0 || this.entToks.length === 0) return null;

    // Token ids present at each position.
    if (s.posStart.length < n + 1) s.posStart = new Int32Array(nextPow2(n + 1));
    const posStart = s.posStart;
    const text = spans.text;
    let found = 0;
    for (let i = 0; i < n; i++) {
      posStart[i] = found;
      const f = spans.flags[i] as number;
      if (f === TOKEN_HAS_LETTER) {
        const code = this.forms.getSpan(
          text,
          spans.start[i] as number,
          spans.end[i] as number,
          spans.hash[i] as number,
        );
        if (code >= 0) found = this.addIds(code, found, found);
      } else {
        for (const spelling of spellings(spans.token(i), f)) {
          const code = this.forms.get(spelling);
          if (code >= 0) found = this.addIds(code, posStart[i] as number, found);
        }
      }
    }
    posStart[n] = found;
    if (found === 0) return null;

    const stamp = s.nextStamp();
    const hits: number[] = [];
    const ids = s.ids;
    // Exact and phrase: walk the trie from every position.
    for (let i = 0; i < n; i++) {
      if (posStart[i] !== posStart[i + 1]) this.walk(0, i, i, n, hits);
    }
    // Broad: verify the keywords anchored at each token id present.
    if (this.anchorEnt.length > 0) {
      const present = s.present;
      for (let k = 0; k < found; k++) present[ids[k] as number] = stamp;
      const anchorSeen = s.anchorSeen;
      for (let k = 0; k < found; k++) {
        const id = ids[k] as number;
        if (anchorSeen[id] === stamp) continue;
        anchorSeen[id] = stamp;
        const end = this.anchorStart[id + 1] as number;
        for (let a = this.anchorStart[id] as number; a < end; a++) {
          const e = this.anchorEnt[a] as number;
          const tEnd = this.entTokStart[e + 1] as number;
          let all = true;
          for (let t = this.entTokStart[e] as number; t < tEnd; t++) {
            if (present[this.entToks[t] as number] !== stamp) {
              all = false;
              break;
            }
          }
          if (all) hits.push(e, -1, 0);
        }
      }
    }
    if (trace) trace.hits = hits;
    if (hits.length === 0) return null;

    // Selection: negatives stop their campaign; the smallest rank among eligible hits wins.
    const negated = s.negated;
    for (let h = 0; h < hits.length; h += 3) {
      const e = hits[h] as number;
      if (this.entNegative[e] === 1) {
        const c = this.entCampaign[e] as number;
        if (trace && negated[c] !== stamp) trace.negatives.set(c, e);
        negated[c] = stamp;
      }
    }
    let target: RequestTarget | null = null;
    let best = -1;
    let bestEntry = -1;
    for (let h = 0; h < hits.length; h += 3) {
      const e = hits[h] as number;
      if (this.entNegative[e] === 1 || (bestEntry >= 0 && !this.beats(e, bestEntry))) continue;
      const c = this.entCampaign[e] as number;
      if (negated[c] === stamp) continue;
      target ??= requestTarget(ctx);
      if (ineligibility((this.campaigns[c] as CompiledCampaign).rules, target) !== null) continue;
      best = h;
      bestEntry = e;
    }
    if (best < 0 || target === null) return null;
    return { hit: best, entry: hits[best] as number, target };
  }

  /**
   * Appends the token ids of a spelling's code to scratch.ids at `at`; returns the new end. Ids already listed
   * for this position (from `from`) are skipped: a disguised token's spellings may reach the same id twice.
   */
  private addIds(code: number, from: number, at: number): number {
    const s = this.scratch;
    const single = code < MULTI;
    const mFrom = single ? 0 : (this.multiStart[code - MULTI] as number);
    const mTo = single ? 1 : (this.multiStart[code - MULTI + 1] as number);
    let end = at;
    for (let k = mFrom; k < mTo; k++) {
      const id = single ? code : (this.multiIds[k] as number);
      let dup = false;
      for (let j = from; j < end; j++) if (s.ids[j] === id) dup = true;
      if (dup) continue;
      if (end >= s.ids.length) s.ids = grow(s.ids);
      s.ids[end++] = id;
    }
    return end;
  }

  private walk(node: number, pos: number, start: number, n: number, hits: number[]): void {
    const s = this.scratch;
    const to = s.posStart[pos + 1] as number;
    for (let k = s.posStart[pos] as number; k < to; k++) {
      const child = this.edge(node, s.ids[k] as number);
      if (child < 0) continue;
      const eEnd = this.nodeEntStart[child + 1] as number;
      for (let t = this.nodeEntStart[child] as number; t < eEnd; t++) {
        const e = this.nodeEnt[t] as number;
        if (this.entKind[e] === EXACT && (start !== 0 || pos + 1 !== n)) continue;
        hits.push(e, start, pos + 1 - start);
      }
      if (pos + 1 < n && this.nodeHasChildren[child] === 1) this.walk(child, pos + 1, start, n, hits);
    }
  }

  /** The keyword of a positive entry. */
  private keywordOf(e: number): Keyword {
    const c = this.campaigns[this.entCampaign[e] as number] as CompiledCampaign;
    return c.keywordAt(this.entIndex[e] as number);
  }

  private edge(node: number, token: number): number {
    return findEdge(this.rootChild, this.edges, this.edgeMask, node, token);
  }

  private priorityOf(ci: number): number {
    return this.campPriority[ci] as number;
  }

  /** Higher priority first, then the smaller id (code unit order), then the order given. */
  private compareCampaigns(a: number, b: number): number {
    const pa = this.priorityOf(a);
    const pb = this.priorityOf(b);
    if (pa !== pb) return pb - pa;
    return (this.campIdOrder[a] as number) - (this.campIdOrder[b] as number);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Explanation: reads what evaluate found; decides nothing evaluate did not.

  private describe(trace: Trace, selection: Selection | null, ctx: MatchContext): Explanation {
    const { tokens, hits } = trace;
    const target = selection?.target ?? requestTarget(ctx);
    // The best hit of each campaign (all hits of a campaign share its eligibility, so the winner's is the selected one).
    const bestOf = new Map<number, number>();
    for (let h = 0; h < hits.length; h += 3) {
      const e = hits[h] as number;
      if (this.entNegative[e] === 1) continue;
      const c = this.entCampaign[e] as number;
      const prev = bestOf.get(c);
      if (prev === undefined || this.beats(e, hits[prev] as number)) bestOf.set(c, h);
    }
    if (selection) bestOf.set(this.entCampaign[selection.entry] as number, selection.hit);

    const out: Explanation['hits'] = [];
    let match: Explanation['match'] = null;
    const ordered = [...bestOf.entries()].sort((a, b) => {
      const ea = hits[a[1]] as number;
      const eb = hits[b[1]] as number;
      return ea === eb ? 0 : this.beats(ea, eb) ? -1 : 1;
    });
    for (const [c, h] of ordered) {
      const hit = this.keywordHit(tokens, hits, h);
      if (selection && h === selection.hit) {
        const cc = this.campaigns[c] as CompiledCampaign;
        match = { ...hit, message: pickMessage(cc.messages, cc.campaign, target) };
        out.unshift({ ...hit, outcome: 'selected' });
        continue;
      }
      out.push({
        ...hit,
        outcome: 'excluded',
        reason: this.reasonFor(c, hits[h] as number, trace, selection, target),
      });
    }
    return { normalizedQuery: tokens.join(' '), tokens, match, hits: out };
  }

  private reasonFor(
    c: number,
    entry: number,
    trace: Trace,
    selection: Selection | null,
    target: RequestTarget,
  ): { code: ExclusionReason; message: string; negativeKeyword?: NegativeKeyword } {
    const cc = this.campaigns[c] as CompiledCampaign;
    const name = `Campaign "${cc.campaign.name}"`;
    const negative = trace.negatives.get(c);
    if (negative !== undefined) {
      const nk = cc.negatives[this.entIndex[negative] as number] as NegativeKeyword;
      return {
        code: 'negative_keyword',
        message: `${name} has the negative keyword "${nk.text}" (${KIND_NAMES[this.entKind[negative] as number]}), which the query hit.`,
        negativeKeyword: nk,
      };
    }
    const why = ineligibility(cc.rules, target);
    if (why !== null) return { code: why, message: ineligibilitySentence(name, why, cc.campaign, target) };
    // Eligible and not negated, so it lost the selection to the winner.
    const winner = selection
      ? (this.campaigns[this.entCampaign[selection.entry] as number] as CompiledCampaign)
      : null;
    const wName = winner ? `campaign "${winner.campaign.name}"` : 'another campaign';
    const pMine = this.priorityOf(c);
    const pWin = selection ? this.priorityOf(this.entCampaign[selection.entry] as number) : pMine;
    if (pWin > pMine) {
      return {
        code: 'lower_priority',
        message: `${name} has priority ${pMine}, below ${wName} with priority ${pWin}.`,
      };
    }
    let detail = 'the smaller campaign id';
    if (selection) {
      const w = selection.entry;
      const kMine = this.entKind[entry] as number;
      const kWin = this.entKind[w] as number;
      if (kWin < kMine) detail = `its ${KIND_NAMES[kWin]} keyword beats a ${KIND_NAMES[kMine]} one`;
      else if ((this.entLength[w] as number) > (this.entLength[entry] as number))
        detail = 'its keyword is longer';
    }
    return {
      code: 'weaker_keyword',
      message: `${name} has the same priority as ${wName}, which wins because ${detail}.`,
    };
  }

  private keywordHit(tokens: string[], hits: number[], h: number): KeywordHit {
    const e = hits[h] as number;
    const cc = this.campaigns[this.entCampaign[e] as number] as CompiledCampaign;
    const start = hits[h + 1] as number;
    // Pairs (query position, keyword token id) that hit.
    const pairs: Array<[number, number]> = [];
    const from = this.entTokStart[e] as number;
    const to = this.entTokStart[e + 1] as number;
    if (start >= 0) {
      // The trie path: the keyword's tokens, or the one token of a broad keyword that repeats it.
      const length = hits[h + 2] as number;
      for (let t = from; t < from + length; t++) pairs.push([start + t - from, this.entToks[t] as number]);
    } else {
      for (let t = from; t < to; t++) {
        const id = this.entToks[t] as number;
        const pos = tokens.findIndex((tok) => this.idsOf(tok).includes(id));
        if (pos >= 0) pairs.push([pos, id]);
      }
    }
    let plural = false;
    let disguise = false;
    for (const [pos, id] of pairs) {
      const v = variantOf(tokens[pos] as string, this.tokenTextOf(id));
      if (v?.plural) plural = true;
      if (v?.disguise) disguise = true;
    }
    const positions = [...new Set(pairs.map(([pos]) => pos))].sort((a, b) => a - b);
    return {
      campaignId: cc.campaign.id,
      campaignName: cc.campaign.name,
      keyword: this.keywordOf(e),
      variant: plural && disguise ? 'plural+disguise' : plural ? 'plural' : disguise ? 'disguise' : null,
      matchedText: positions.map((p) => tokens[p]).join(' '),
    };
  }

  private tokenTextOf(id: number): string {
    return this.tokens.text(this.tokenStart[id] as number, this.tokenLength[id] as number);
  }

  /** Token ids a query token matches (explain only). Reads each spelling's code as `addIds` does (see MULTI). */
  private idsOf(token: string): number[] {
    const out: number[] = [];
    for (const spelling of spellings(token)) {
      const code = this.forms.get(spelling);
      if (code < 0) continue; // no keyword token has this spelling
      if (code < MULTI) {
        out.push(code);
        continue;
      }
      const end = this.multiStart[code - MULTI + 1] as number;
      for (let k = this.multiStart[code - MULTI] as number; k < end; k++)
        out.push(this.multiIds[k] as number);
    }
    return out;
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function ineligibilitySentence(
  name: string,
  why: IneligibilityReason,
  campaign: Campaign,
  target: RequestTarget,
): string {
  switch (why) {
    case 'paused':
      return `${name} is paused.`;
    case 'not_started':
      return `${name} starts at ${campaign.startsAt}, after the time of the request.`;
    case 'ended':
      return `${name} ended at ${campaign.endsAt}, before the time of the request.`;
    case 'locale':
      return `${name} targets the languages ${campaign.locales.join(', ')}, not the request's "${target.language}".`;
    case 'region':
      return target.region === ''
        ? `${name} targets the regions ${campaign.regions.join(', ')} and the request gave no region.`
        : `${name} targets the regions ${campaign.regions.join(', ')}, not the request's "${target.region}".`;
  }
}
