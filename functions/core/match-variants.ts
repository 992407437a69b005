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

function isPlainWord(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}

const isVowel = (c: number): boolean => c === 0x61 || c === 0x65 || c === 0x69 || c === 0x6f || c === 0x75;

/** Whether both languages add `-es` after this ending: English sibilants, Spanish consonants (mujer-es, ciudad-es, canción-es, ley-es). */
function takesEs(w: string, n: number = w.length): boolean {
  const last = w.charCodeAt(n - 1);
  // s x z d j l n r y
  if ('sxzdjlnry'.includes(String.fromCharCode(last))) return true;
  return last === 0x68 /* h */ && n >= 2 && (w.charCodeAt(n - 2) === 0x63 || w.charCodeAt(n - 2) === 0x73); // ch, sh
}

/**
 * The spellings a keyword token is indexed under: itself, its simple plurals and, when it looks plural, its singulars.
 * Only plain lower-case Latin words of three letters or more take variants, so short words (`us`, `is`, `has`)
 * and other scripts match themselves only.
 */
export function keywordForms(word: string): string[] {
  const forms = [word];
  const n = word.length;
  if (n < 3 || !isPlainWord(word)) return forms;
  const last = word.charCodeAt(n - 1);
  // Plurals.
  if (last !== 0x73 && last !== 0x78 && last !== 0x7a) forms.push(`${word}s`); // not after s, x, z
  if (takesEs(word)) forms.push(`${word}es`);
  if (last === 0x79 && !isVowel(word.charCodeAt(n - 2))) forms.push(`${word.slice(0, -1)}ies`); // baby -> babies
  if (last === 0x7a) forms.push(`${word.slice(0, -1)}ces`); // luz -> luces
  // Singulars, for a keyword written in the plural.
  if (n >= 5 && word.endsWith('ies')) forms.push(`${word.slice(0, -3)}y`);
  if (n >= 5 && word.endsWith('ces')) forms.push(`${word.slice(0, -3)}z`);
  if (n >= 5 && word.endsWith('es') && takesEs(word, n - 2)) forms.push(word.slice(0, -2));
  if (n >= 4 && last === 0x73 && !word.endsWith('ss') && !word.endsWith('us')) forms.push(word.slice(0, -1));
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
