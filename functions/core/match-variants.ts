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

const ASCII_WORD = /^[a-z]+$/;
/** Endings after which both languages add `-es`: English sibilants, Spanish consonants (mujer-es, ciudad-es, canción-es, ley-es). */
const ES_STEM = /(?:[sxzdjlnry]|ch|sh)$/;

/**
 * The spellings a keyword token is indexed under: itself, its simple plurals and, when it looks plural, its singulars.
 * Only plain lower-case Latin words of three letters or more take variants, so short words (`us`, `is`, `has`)
 * and other scripts match themselves only.
 */
export function keywordForms(word: string): string[] {
  const forms = [word];
  const n = word.length;
  if (n < 3 || !ASCII_WORD.test(word)) return forms;
  const last = word.charCodeAt(n - 1);
  // Plurals.
  if (!/[sxz]$/.test(word)) forms.push(`${word}s`);
  if (ES_STEM.test(word)) forms.push(`${word}es`);
  if (/[^aeiou]y$/.test(word)) forms.push(`${word.slice(0, -1)}ies`);
  if (last === 0x7a /* z */) forms.push(`${word.slice(0, -1)}ces`);
  // Singulars, for a keyword written in the plural.
  if (n >= 5 && word.endsWith('ies')) forms.push(`${word.slice(0, -3)}y`);
  if (n >= 5 && word.endsWith('ces')) forms.push(`${word.slice(0, -3)}z`);
  if (n >= 5 && word.endsWith('es') && ES_STEM.test(word.slice(0, -2))) forms.push(word.slice(0, -2));
  if (n >= 4 && last === 0x73 /* s */ && !/(?:ss|us)$/.test(word)) forms.push(word.slice(0, -1));
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
