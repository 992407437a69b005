import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normalize,
  normalizeSlow,
  normalizeTokens,
  TOKEN_HAS_DIGIT,
  TOKEN_HAS_LETTER,
  TOKEN_HAS_SIGN,
  tokenize,
} from '../../functions/core/normalize.js';

describe('normalize', () => {
  it('applies NFKC: full-width forms, ligatures, circled digits, unit symbols', () => {
    expect(normalize('ＨＥＬＰ ｍｅ')).toBe('help me');
    expect(normalize('ﬁnd ﬂight')).toBe('find flight');
    expect(normalize('① ㎏')).toBe('1 kg');
    expect(normalize('ｶﾞｷﾞ')).toBe('ガギ'); // half-width katakana with voicing marks compose
  });

  it('lower-cases, folding the cases plain lower casing keeps apart', () => {
    expect(normalize('HeLLo WoRLD')).toBe('hello world');
    expect(normalize('İSTANBUL')).toBe('istanbul');
    expect(normalize('ısparta')).toBe('isparta');
    expect(normalize('Straße')).toBe('strasse');
    expect(normalize('STRASSE')).toBe('strasse');
    expect(normalize('STRAẞE')).toBe('strasse');
    expect(normalize('ΣΟΦΟΣ')).toBe(normalize('σοφος'));
    expect(normalize('ΣΟΦΟΣ')).toBe('σοφοσ');
  });

  it('removes diacritics, composed or not', () => {
    expect(normalize('Tráfico de niñas')).toBe('trafico de ninas');
    expect(normalize('crème brûlée')).toBe('creme brulee');
    expect(normalize('tra\u0301fico')).toBe('trafico');
    expect(normalize('Việt Nam')).toBe('viet nam');
    expect(normalize('Ёлка')).toBe('елка');
  });

  it('keeps the marks that are letters in their script', () => {
    expect(normalize('ガイド')).toBe('ガイド');
    expect(normalize('हिन्दी')).not.toBe('');
    expect(normalize('ภาษาไทย')).toBe('ภาษาไทย');
  });

  it('makes apostrophes vanish', () => {
    expect(normalize("don't")).toBe('dont');
    expect(normalize('don’t')).toBe('dont');
    expect(normalize('donʼt')).toBe('dont');
    expect(normalize("l'amour d‘ici")).toBe('lamour dici');
  });

  it('turns punctuation and symbols into spaces', () => {
    expect(normalize('help!!! me...now?')).toBe('help me now');
    expect(normalize('e-mail, 24/7; (yes)')).toBe('e mail 24 7 yes');
    expect(normalize('♥love♥ ★ help 🙏')).toBe('love help');
    expect(normalize('«tráfico» — “trata”')).toBe('trafico trata');
  });

  it('collapses and trims white space of every kind', () => {
    expect(normalize('\t  a \n\u00a0 b\u3000c\u2003 ')).toBe('a b c');
    expect(normalize('')).toBe('');
    expect(normalize('   ')).toBe('');
    expect(normalize('?!')).toBe('');
  });

  it('drops invisible characters inside words (a common way to dodge filters)', () => {
    expect(normalize('traf\u00adficking')).toBe('trafficking');
    expect(normalize('traf\u200bficking')).toBe('trafficking');
    expect(normalize('pi\u200dmp\ufe0f')).toBe('pimp');
  });

  it('keeps digits, and $ and @ where they stand for letters', () => {
    expect(normalize('p1mp tr4ff1cking')).toBe('p1mp tr4ff1cking');
    expect(normalize('call 1-888-373-7888 or 911')).toBe('call 1 888 373 7888 or 911');
    expect(normalize('$ex')).toBe('$ex');
    expect(normalize('a$$')).toBe('a$$');
    expect(normalize('$100 US$5')).toBe('100 us 5');
    expect(normalize('$$$')).toBe('');
    expect(normalize('tr@fficking')).toBe('tr@fficking');
    expect(normalize('@user me @ home')).toBe('user me home');
    expect(normalize('＄ex')).toBe('$ex');
  });

  it('is idempotent', () => {
    for (const s of ['Tráfico $ex a$$ tr@ff1cking', 'ΣΟΦΟΣ İ ß', "don't $100"]) {
      expect(normalize(normalize(s))).toBe(normalize(s));
    }
  });

  it('takes the same result through its fast paths as through the reference pipeline', () => {
    for (const s of ['Ünïcödé Straße', 'Привет, МИР', 'ΣΟΦΟΣ', 'مَرْحَبًا', '中文，标点。', 'ไทย', 'x\u0301y']) {
      expect(normalize(s)).toBe(normalizeSlow(s));
    }
  });
});

describe('tokenize and normalizeTokens', () => {
  it('splits normalized text into its tokens', () => {
    expect(tokenize(normalize('  How to  escape, my pimp? '))).toEqual(['how', 'to', 'escape', 'my', 'pimp']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('a  b ')).toEqual(['a', 'b']);
  });

  it('gives the same tokens without the joined string, with flags for the matcher', () => {
    const flags: number[] = [];
    expect(normalizeTokens('Pimp p1mp 911 $ex', flags)).toEqual(['pimp', 'p1mp', '911', '$ex']);
    expect(flags).toEqual([
      TOKEN_HAS_LETTER,
      TOKEN_HAS_LETTER | TOKEN_HAS_DIGIT,
      TOKEN_HAS_DIGIT,
      TOKEN_HAS_SIGN | TOKEN_HAS_LETTER,
    ]);
  });
});

/** Characters from the blocks the fast path maps one by one, plus marks, signs and spaces around them. */
const tableChar = fc
  .oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0xa0, max: 0x6ff }),
    fc.integer({ min: 0xe00, max: 0xe7f }),
    fc.integer({ min: 0x1e00, max: 0x2bff }),
    fc.integer({ min: 0x3000, max: 0x303f }),
    fc.integer({ min: 0x4e00, max: 0x4e3f }),
  )
  .map((c) => String.fromCharCode(c));
const tableText = fc.array(tableChar, { maxLength: 40 }).map((cs) => cs.join(''));

describe('normalize, properties', () => {
  it('never throws, and gives single-spaced tokens, on any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme' })),
        (s) => {
          expect(normalize(s)).toMatch(/^(?:\S+(?: \S+)*)?$/u);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is idempotent on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), tableText), (s) => {
        expect(normalize(normalize(s))).toBe(normalize(s));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the reference pipeline result through the fast paths', () => {
    fc.assert(
      fc.property(
        fc.oneof(tableText, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-composite' })),
        (s) => {
          expect(normalize(s)).toBe(normalizeSlow(s));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('is the same for case and Unicode-normalization variants', () => {
    fc.assert(
      fc.property(fc.oneof(tableText, fc.string({ unit: 'grapheme' })), (s) => {
        const n = normalize(s);
        expect(normalize(s.toUpperCase())).toBe(n);
        expect(normalize(s.toLowerCase())).toBe(n);
        expect(normalize(s.normalize('NFKC'))).toBe(n);
        expect(normalize(s.normalize('NFD'))).toBe(n);
        expect(normalize(s.normalize('NFKD'))).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });
});
