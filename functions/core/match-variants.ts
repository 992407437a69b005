/**
 * Close variants of a token: digit and symbol disguises (`p1mp`, `tr4ff1cking`, `$ex`) and simple plurals in
 * English and Spanish (`pimp`/`pimps`, `trafico`/`traficos`, `mujer`/`mujeres`, `baby`/`babies`, `luz`/`luces`).
 *
 * Disguises are undone on both sides (keyword and query tokens alike), so `p1mp` in a keyword also matches `pimp`.
 * Plurals are generated on the keyword side only: each keyword token is indexed under itself, its plurals and,
 * when it looks plural, its singulars. A query token is then one hash lookup, and the rules only over-generate
 * for the few words that are keywords (a query's own words are never stemmed).
 */
import { TOKEN_HAS_DIGIT, TOKEN_HAS_LETTER, TOKEN_HAS_SIGN } from './normalize.js';

/** What each disguise sign stands for; `1` and `6` are ambiguous. */
const DISGUISE: Record<string, readonly string[]> = {
  '0': ['o'],
  '1': ['i', 'l'],
  '2': ['z'],
  '3': ['e'],
  '4': ['a'],
  '5': ['s'],
  '6': ['g', 'b'],
  '7': ['t'],
  '8': ['b'],
  '9': ['g'],
  $: ['s'],
  '@': ['a'],
};

/** At most this many ambiguous signs are expanded both ways (2^3 spellings); later ones take their first reading. */
const MAX_AMBIGUOUS = 3;

/** Whether a token (with its TOKEN_* flags) is a disguise to undo: letters mixed with digits or signs. Pure numbers stay numbers. */
export function isDisguised(flags: number): boolean {
  return (flags & TOKEN_HAS_LETTER) !== 0 && (flags & (TOKEN_HAS_DIGIT | TOKEN_HAS_SIGN)) !== 0;
}

/** The plain spellings a disguised token may stand for (`k1ll` -> `kill`, `klll`); the first is the most likely. */
export function undisguise(token: string): string[] {
  let out = [''];
  let ambiguous = 0;
  for (const ch of token) {
    const readings = DISGUISE[ch];
    if (readings === undefined) {
      for (let i = 0; i < out.length; i++) out[i] += ch;
    } else if (readings.length === 1 || ambiguous >= MAX_AMBIGUOUS) {
      const r = readings[0] ?? ch;
      for (let i = 0; i < out.length; i++) out[i] += r;
    } else {
      ambiguous++;
      const next: string[] = [];
      for (const r of readings) for (const prefix of out) next.push(prefix + r);
      out = next;
    }
  }
  return out;
}

/** The flags of a single normalized token (as normalizeTokens would report them). */
export function tokenFlags(token: string): number {
  let f = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) f |= TOKEN_HAS_DIGIT;
    else if (c === 0x24 || c === 0x40) f |= TOKEN_HAS_SIGN;
    else f |= TOKEN_HAS_LETTER;
  }
  return f;
}

/** The plain spellings of a token: itself, or its undisguised readings. */
export function spellings(token: string, flags: number = tokenFlags(token)): string[] {
  return isDisguised(flags) ? undisguise(token) : [token];
}

const isVowel = (c: number): boolean => c === 0x61 || c === 0x65 || c === 0x69 || c === 0x6f || c === 0x75;

/**
 * Whether both languages add `-es` to the word of `n` characters at `chars[base]`: English sibilants, Spanish
 * consonants (mujer-es, ciudad-es, canción-es, ley-es).
 */
function takesEs(chars: Uint16Array, base: number, n: number): boolean {
  const last = chars[base + n - 1];
  // s x z d j l n r y
  if (
    last === 0x73 ||
    last === 0x78 ||
    last === 0x7a ||
    last === 0x64 ||
    last === 0x6a ||
    last === 0x6c ||
    last === 0x6e ||
    last === 0x72 ||
    last === 0x79
  ) {
    return true;
  }
  const before = chars[base + n - 2];
  return last === 0x68 /* h */ && n >= 2 && (before === 0x63 || before === 0x73); // ch, sh
}

/** Suffixes of the plural and singular rules, by index. */
export const FORM_SUFFIXES = ['s', 'es', 'ies', 'ces', 'y', 'z', ''] as const;

/**
 * The plural and singular spellings of the word of `n` characters at `chars[base]`, as pairs (characters kept,
 * suffix index into FORM_SUFFIXES) written to `out`; answers the number of pairs. Only plain lower-case Latin
 * words of three letters or more take variants, so short words (`us`, `is`, `has`) and other scripts match
 * themselves only. Reads characters in place, makes no strings: the compiler runs it over every keyword token.
 */
export function formRules(chars: Uint16Array, base: number, n: number, out: Int32Array): number {
  if (n < 3) return 0;
  for (let k = base; k < base + n; k++) {
    const c = chars[k] as number;
    if (c < 0x61 || c > 0x7a) return 0;
  }
  let count = 0;
  const last = chars[base + n - 1];
  // Plurals.
  if (last !== 0x73 && last !== 0x78 && last !== 0x7a) count = rule(out, count, n, 0); // +s, not after s, x, z
  if (takesEs(chars, base, n)) count = rule(out, count, n, 1); // +es
  if (last === 0x79 && !isVowel(chars[base + n - 2] as number)) count = rule(out, count, n - 1, 2); // baby -> babies
  if (last === 0x7a) count = rule(out, count, n - 1, 3); // luz -> luces
  // Singulars, for a keyword written in the plural.
  if (n >= 5 && endsWith(chars, base, n, 'ies')) count = rule(out, count, n - 3, 4);
  if (n >= 5 && endsWith(chars, base, n, 'ces')) count = rule(out, count, n - 3, 5);
  if (n >= 5 && endsWith(chars, base, n, 'es') && takesEs(chars, base, n - 2))
    count = rule(out, count, n - 2, 6);
  if (n >= 4 && last === 0x73 && !endsWith(chars, base, n, 'ss') && !endsWith(chars, base, n, 'us'))
    count = rule(out, count, n - 1, 6);
  return count;
}

function rule(out: Int32Array, count: number, keep: number, suffix: number): number {
  out[count * 2] = keep;
  out[count * 2 + 1] = suffix;
  return count + 1;
}

function endsWith(chars: Uint16Array, base: number, n: number, tail: string): boolean {
  const from = base + n - tail.length;
  for (let k = 0; k < tail.length; k++) if (chars[from + k] !== tail.charCodeAt(k)) return false;
  return true;
}

/** A string's characters in a reusable array, for formRules. */
let wordScratch = new Uint16Array(64);
export function charsOf(word: string): Uint16Array {
  if (wordScratch.length < word.length) wordScratch = new Uint16Array(word.length * 2);
  for (let k = 0; k < word.length; k++) wordScratch[k] = word.charCodeAt(k);
  return wordScratch;
}

const rulesScratch = new Int32Array(32);

/** The spellings a keyword token is indexed under: itself, its simple plurals and, when it looks plural, its singulars. */
export function keywordForms(word: string): string[] {
  const count = formRules(charsOf(word), 0, word.length, rulesScratch);
  const forms = [word];
  for (let r = 0; r < count; r++) {
    forms.push(word.slice(0, rulesScratch[r * 2]) + FORM_SUFFIXES[rulesScratch[r * 2 + 1] as number]);
  }
  return forms;
}

/** How a query token matched a keyword token: `null` literally, else which variants it took. */
export function variantOf(
  queryToken: string,
  keywordToken: string,
): { plural: boolean; disguise: boolean } | null {
  if (queryToken === keywordToken) return null;
  const q = spellings(queryToken);
  const k = spellings(keywordToken);
  const disguise = q[0] !== queryToken || k[0] !== keywordToken;
  const plural = !q.some((s) => k.includes(s));
  return { plural, disguise };
}
