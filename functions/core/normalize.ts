/**
 * Text normalization, the same on both sides of a match (keywords at compile time, queries at match time):
 * Unicode NFKC, case folded, diacritics removed, apostrophes and invisible format characters vanish,
 * punctuation and symbols become spaces, runs of white space become one space.
 *
 * Two exceptions keep what a disguise needs: `$` and `@` stay inside a word when they stand for a letter
 * (`$ex`, `a$$`, `tr@fficking`), so the matcher can read them as `s` and `a`; a `$` before a number is a
 * currency sign and becomes a space (`$100` -> `100`). Digits always stay (`p1mp`, `1888`).
 *
 * Speed: the reference pipeline (`mapSlow`) costs several whole-string Unicode passes. Two fast paths give the
 * same result (tests check it, exhaustively for single characters in context): text without apostrophes whose
 * characters are ASCII, or map to a single letter (accented Latin, Greek, Cyrillic, Arabic letters, CJK
 * ideographs), is tokenized as it is, each character read as the letter it maps to, in one pass that also hashes
 * each token for the matcher's table: no mapped copy of the text is made; other text whose characters come from
 * blocks where the pipeline works character by character (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Thai,
 * general punctuation and symbols, CJK ideographs) is mapped through a per-character table filled lazily from
 * the reference pipeline. Everything else takes the reference pipeline.
 */

/** Combining diacritics, Hebrew points, Arabic harakat, format characters (zero-width space, soft hyphen, ...), variation selectors and apostrophes: all vanish. */
const VANISH_RE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: ranges of combining marks, each removed on its own
  /[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\p{Cf}'\u2018\u2019\u201b\u02bc\u{e0100}-\u{e01ef}]/gu;
/** Anything that is not a letter, a number, a kept mark (vowel signs of Indic scripts, kana voicing) or a disguise sign. */
const NON_WORD_RE = /[^\p{L}\p{N}\p{M}$@]+/gu;

/** The reference pipeline. Its output holds word characters, `$`, `@` and single spaces only. */
export function mapSlow(text: string): string {
  // lower(upper(lower(x))) folds what plain lower casing keeps apart from its upper case (ß/ẞ -> ss, ı -> i);
  // the final sigma is chosen by context when lower casing, so it is folded by hand.
  let s = text.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().replaceAll('\u03c2', '\u03c3');
  s = s.normalize('NFD').replace(VANISH_RE, '').normalize('NFC');
  return s.replace(NON_WORD_RE, ' ');
}

/**
 * Blocks where mapping one character at a time equals mapping the whole string, provided the character maps to
 * no kept combining mark (NFC would reorder or compose those with their neighbours). Outside: Indic scripts,
 * Hangul jamo, kana voicing marks, half-width forms and surrogates (astral characters).
 */
function inTableBlocks(c: number): boolean {
  return (
    c < 0x0700 || // Latin, IPA, Greek, Cyrillic, Armenian, Hebrew, Arabic
    (c >= 0x0e00 && c < 0x0e80) || // Thai
    (c >= 0x1e00 && c < 0x2c00) || // Latin and Greek extended, punctuation, symbols, letterlike, arrows
    (c >= 0x3000 && c < 0x3040) || // CJK symbols and punctuation (ideographic space, 、。「」)
    (c >= 0x4e00 && c < 0xa000) // CJK unified ideographs
  );
}

const KEPT_MARK = /\p{M}/u;
/** Mapping of single characters, filled on first use; null where the whole-string pipeline is needed. */
const table = new Map<number, string | null>();

function mapChar(c: number): string | null {
  let m = table.get(c);
  if (m === undefined) {
    m = inTableBlocks(c) ? mapSlow(String.fromCharCode(c)) : null;
    if (m !== null && KEPT_MARK.test(m)) m = null;
    table.set(c, m);
  }
  return m;
}

/** What `foldChar` answers for a character that does not map to a single letter. */
export const NO_FOLD = 0xffff;
/** foldChar's answers, filled on first use (0: not yet known). */
const folds = new Uint16Array(0x10000);

/**
 * The letter a non-ASCII character maps to, when it maps to exactly one (a lower-case ASCII letter or another
 * letter): `É` -> `e`, `Ж` -> `ж`, `中` -> `中`; else NO_FOLD (marks that vanish, punctuation, `ß`, digits like `²`,
 * surrogates, characters outside the table's blocks). Reading such characters as their letter in place gives what
 * mapping the whole text would, as mapText does character by character.
 */
export function foldChar(c: number): number {
  let f = folds[c] as number;
  if (f === 0) {
    const m = c >= 0x80 ? mapChar(c) : null;
    const code = m !== null && m.length === 1 ? m.charCodeAt(0) : NO_FOLD;
    f = (code >= 0x61 && code <= 0x7a) || (code >= 0x80 && code < NO_FOLD) ? code : NO_FOLD;
    folds[c] = f;
  }
  return f;
}

/**
 * Maps text to lower-case word characters, `$`, `@` and separators (any other ASCII character is one).
 * Text without apostrophes whose characters are ASCII or fold to a letter never gets here: scanTokens reads it
 * as it is.
 */
function mapText(text: string): string {
  const n = text.length;
  let i = 0;
  let apostrophe = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) break;
    if (c === 0x27) apostrophe = true;
  }
  if (i === n) {
    // ASCII: lower casing is all NFKC and case folding do; other ASCII punctuation is a separator for scanTokens.
    const lower = text.toLowerCase();
    return apostrophe ? lower.replaceAll("'", '') : lower;
  }
  let out = '';
  let runStart = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    const mapped = mapChar(c);
    if (mapped === null) return mapSlow(text);
    out += text.slice(runStart, i) + mapped;
    runStart = i + 1;
  }
  out += text.slice(runStart);
  // Apostrophes and combining marks vanish: done for non-ASCII by the table, for ASCII here.
  out = out.toLowerCase();
  return out.includes("'") ? out.replaceAll("'", '') : out;
}

/** Token flags, one per token, for the matcher. */
export const TOKEN_HAS_DIGIT = 1;
export const TOKEN_HAS_SIGN = 2; // `$` or `@`
export const TOKEN_HAS_LETTER = 4; // anything that is not an ASCII digit or a sign

// Character classes of scanned text: mapped text (lower case, every non-ASCII character a word character) or
// raw ASCII text, where upper-case letters count as their lower case.
function isLetterCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c >= 0x80;
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordCode(c: number): boolean {
  return isLetterCode(c) || isDigitCode(c);
}

/** Whether the sign at `i` (a run of `$`, or one `@`) stands for a letter; `from` and `to` bound the text. */
function signIsLetter(m: string, i: number, end: number, from: number, to: number): boolean {
  const prev = i > from ? m.charCodeAt(i - 1) : 0;
  const next = end < to ? m.charCodeAt(end) : 0;
  if (m.charCodeAt(i) === 0x40) return isWordCode(prev) && isWordCode(next); // `@` only inside a word
  return isLetterCode(next) || (isLetterCode(prev) && !isDigitCode(next)); // `$ex`, `a$$`, not `$100` nor `US$5`
}

/**
 * Token boundaries in scanned text, reused from call to call: token i is `text.slice(start[i], end[i])`, lower
 * cased and folded (the text may be the caller's own, with capitals and accents), with its TOKEN_* flags and the
 * FNV-1a hash of its normalized code units (as `hashToken` computes it), so that the matcher can look tokens up
 * without making strings.
 */
export class TokenSpans {
  text = '';
  /** Whether `text` is the caller's own, with capitals and foldable characters (token strings are then folded on the way out). */
  raw = false;
  count = 0;
  start = new Int32Array(32);
  end = new Int32Array(32);
  flags = new Uint8Array(32);
  hash = new Int32Array(32);

  token(i: number): string {
    const t = this.text.slice(this.start[i], this.end[i]);
    if (!this.raw) return t;
    let ascii = true;
    for (let k = 0; k < t.length && ascii; k++) ascii = t.charCodeAt(k) < 0x80;
    if (ascii) return t.toLowerCase();
    let out = '';
    for (let k = 0; k < t.length; k++) {
      const c = t.charCodeAt(k);
      out += String.fromCharCode(c >= 0x80 ? foldChar(c) : c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    return out;
  }

  tokens(): string[] {
    const out = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.token(i);
    return out;
  }

  push(start: number, end: number, flags: number, hash: number): void {
    if (this.count === this.start.length) {
      const cap = this.count * 2;
      const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      this.start = grow(this.start, new Int32Array(cap));
      this.end = grow(this.end, new Int32Array(cap));
      this.flags = grow(this.flags, new Uint8Array(cap));
      this.hash = grow(this.hash, new Int32Array(cap));
    }
    this.start[this.count] = start;
    this.end[this.count] = end;
    this.flags[this.count] = flags;
    this.hash[this.count] = hash === 0 ? 1 : hash;
    this.count++;
  }
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units, never 0: the hash TokenSpans records for a token. */
export function hashToken(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h === 0 ? 1 : h;
}

/**
 * Splits text into token spans; signs that do not stand for a letter are separators. With `raw`, the text is
 * the caller's own: ASCII capitals are read as lower case and other characters as the letter they fold to; the
 * scan gives up (returns false) at the first character that needs mapping, that is an apostrophe or a character
 * that folds to no letter. Only `m[from..to)` is read: the text is the characters in that range (span offsets are
 * offsets into `m`).
 */
function scanTokens(m: string, spans: TokenSpans, raw: boolean, from: number, to: number): boolean {
  spans.text = m;
  spans.raw = raw;
  spans.count = 0;
  const n = to;
  let start = -1;
  let f = 0;
  let h = FNV_OFFSET;
  for (let i = from; i < n; i++) {
    let c = m.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    else if (c >= 0x80 && raw) {
      c = foldChar(c);
      if (c === NO_FOLD) return false;
    }
    if ((c >= 0x61 && c <= 0x7a) || c >= 0x80) {
      if (start < 0) {
        start = i;
        f = 0;
        h = FNV_OFFSET;
      }
      f |= TOKEN_HAS_LETTER;
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (start < 0) {
        start = i;
        f = 0;
        h = FNV_OFFSET;
      }
      f |= TOKEN_HAS_DIGIT;
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c === 0x27 && raw) return false;
    if (c === 0x24 || c === 0x40) {
      let end = i + 1;
      if (c === 0x24) while (end < n && m.charCodeAt(end) === 0x24) end++;
      if (signIsLetter(m, i, end, from, to)) {
        if (start < 0) {
          start = i;
          f = 0;
          h = FNV_OFFSET;
        }
        f |= TOKEN_HAS_SIGN;
        for (let j = i; j < end; j++) h = Math.imul(h ^ c, FNV_PRIME);
        i = end - 1;
        continue;
      }
      i = end - 1;
    }
    if (start >= 0) {
      spans.push(start, i, f, h);
      start = -1;
    }
  }
  if (start >= 0) spans.push(start, n, f, h);
  return true;
}

/**
 * Normalizes `text` into `spans` (the matcher's entry point: no token strings unless asked for). With `from` and
 * `to`, only that range is the text (a keyword among many in one string): no copy of it is made unless it needs
 * mapping.
 */
export function normalizeInto(text: string, spans: TokenSpans, from = 0, to = text.length): void {
  if (scanTokens(text, spans, true, from, to)) return;
  const mapped = mapText(text.slice(from, to));
  scanTokens(mapped, spans, false, 0, mapped.length);
}

/** The tokens of a text, normalized; `flags`, when given, gets each token's TOKEN_* bits. */
export function normalizeTokens(text: string, flags: number[] | null = null): string[] {
  const spans = new TokenSpans();
  normalizeInto(text, spans);
  if (flags) for (let i = 0; i < spans.count; i++) flags.push(spans.flags[i] as number);
  return spans.tokens();
}

/** The normalized text: tokens separated by one space, no leading or trailing space. */
export function normalize(text: string): string {
  return normalizeTokens(text).join(' ');
}

/** The tokens of normalized text (text that is not normalized is split on runs of spaces all the same). */
export function tokenize(normalized: string): string[] {
  return normalized.split(' ').filter((t) => t.length > 0);
}

/** For tests: the result of mapping without the fast paths. */
export function normalizeSlow(text: string): string {
  const spans = new TokenSpans();
  const mapped = mapSlow(text);
  scanTokens(mapped, spans, false, 0, mapped.length);
  return spans.tokens().join(' ');
}
