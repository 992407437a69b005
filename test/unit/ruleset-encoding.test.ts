import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../functions/adapters/dynamodb/gzip-json.js';
import {
  decodeRuleset,
  decodeRulesetInput,
  encodeRuleset,
  rulesetDocument,
  rulesetFromDocument,
  rulesetInputFromDocument,
} from '../../functions/adapters/dynamodb/ruleset-encoding.js';
import { compileRuleset } from '../../functions/core/matcher.js';
import type { Campaign, Ruleset } from '../../functions/core/model.js';
import { aCampaign } from '../helpers/campaigns.js';

function aRuleset(overrides: Partial<Ruleset> = {}): Ruleset {
  return {
    version: 3,
    publishedAt: '2026-11-30T12:00:00.000Z',
    publishedBy: 'alice',
    campaigns: [
      aCampaign({
        keywords: [
          { id: 'kw_a', text: 'Human Trafficking', match: 'phrase' },
          { id: 'kw_b', text: 'trata de personas', match: 'broad', locale: 'es' },
          { id: 'kw_c', text: 'pimp', match: 'exact' },
        ],
        negativeKeywords: [{ text: 'movie', match: 'broad' }],
      }),
      aCampaign({ keywords: [] }),
    ],
    ...overrides,
  };
}

/** A version as encoding 1 stored it: the Ruleset as it is (a literal, so that later changes cannot reshape it). */
const ENCODING_1_DOCUMENT = {
  version: 7,
  publishedAt: '2026-01-15T09:30:00.000Z',
  publishedBy: 'bob',
  restoredFrom: 5,
  campaigns: [
    {
      id: 'cmp_old',
      name: 'Published before keyword columns',
      status: 'active',
      priority: 3,
      locales: [],
      regions: [],
      startsAt: null,
      endsAt: null,
      keywords: [
        { id: 'kw_old1', text: 'forced labour', match: 'phrase' },
        { id: 'kw_old2', text: 'tráfico de niñas', match: 'broad', locale: 'es' },
        { id: 'kw_old3', text: 'торговля людьми', match: 'phrase' },
      ],
      negativeKeywords: [],
      messages: { en: { title: 'Help', body: 'Call us.', actions: [] } },
      defaultLocale: 'en',
      banner: false,
    },
  ],
};

/** A version as encoding 2 stored it: keyword columns as one array per field. */
const ENCODING_2_DOCUMENT = {
  encoding: 2,
  ...ENCODING_1_DOCUMENT,
  campaigns: ENCODING_1_DOCUMENT.campaigns.map((c) => ({
    ...c,
    keywords: {
      id: ['kw_old1', 'kw_old2', 'kw_old3'],
      text: ['forced labour', 'tráfico de niñas', 'торговля людьми'],
      match: 'pbp',
      locale: [null, 'es', null],
    },
  })),
};

const COLUMNS = {
  id: 'kw_akw_bkw_c',
  idLength: [4, 4, 4],
  text: 'Human Traffickingtrata de personaspimp',
  textLength: [17, 17, 4],
  match: 'pbe',
  locale: [null, 'es', null],
};

describe('ruleset storage encoding', () => {
  it('stores keywords as columns: ids and texts each joined with their lengths, one match letter each, and locales only when some keyword has one', () => {
    const document = rulesetDocument(aRuleset());
    expect(document.encoding).toBe(3);
    const campaigns = document.campaigns as Array<{ keywords: unknown }>;
    expect(campaigns[0]?.keywords).toEqual(COLUMNS);
    expect(campaigns[1]?.keywords).toEqual({ id: '', idLength: [], text: '', textLength: [], match: '' });
  });

  it('decodes what it stores into the same ruleset', async () => {
    const ruleset = aRuleset({ restoredFrom: 2 });
    expect(rulesetFromDocument(JSON.parse(JSON.stringify(rulesetDocument(ruleset))))).toEqual(ruleset);
    expect(await decodeRuleset(await encodeRuleset(ruleset))).toEqual(ruleset);
  });

  it('reads a body for the matcher with its keyword columns as stored, and answers as the decoded ruleset does', async () => {
    const ruleset = aRuleset();
    const input = await decodeRulesetInput(await encodeRuleset(ruleset));
    expect(input.version).toBe(3);
    expect(input.campaigns[0]?.keywords).toEqual(COLUMNS);
    const { keywords: _, ...fields } = ruleset.campaigns[0] as Campaign;
    expect(input.campaigns[0]).toMatchObject(fields);
    const fromColumns = compileRuleset(input);
    const fromObjects = compileRuleset(ruleset);
    const ctx = { now: new Date(), locale: 'es' };
    for (const query of ['ayuda trata personas de', 'pimp', 'pimp movie', 'human trafficking help']) {
      expect(fromColumns.match(query, ctx)).toEqual(fromObjects.match(query, ctx));
    }
    expect(fromColumns.match('trata de personas', ctx)?.keyword).toEqual({
      id: 'kw_b',
      text: 'trata de personas',
      match: 'broad',
      locale: 'es',
    });
  });

  it('reads a version stored in encoding 1 or 2 for the matcher as keyword objects', () => {
    for (const document of [ENCODING_1_DOCUMENT, ENCODING_2_DOCUMENT]) {
      expect(rulesetInputFromDocument(JSON.parse(JSON.stringify(document)))).toEqual(ENCODING_1_DOCUMENT);
    }
  });

  it('still decodes and matches a version stored in encoding 2', async () => {
    const ruleset = await decodeRuleset(gzipSync(Buffer.from(JSON.stringify(ENCODING_2_DOCUMENT), 'utf8')));
    expect(ruleset).toEqual(ENCODING_1_DOCUMENT);
    const compiled = compileRuleset(ruleset);
    expect(compiled.match('las niñas de un tráfico', { now: new Date() })?.keyword).toEqual({
      id: 'kw_old2',
      text: 'tráfico de niñas',
      match: 'broad',
      locale: 'es',
    });
  });

  it('compiles texts in place, one after another, as it compiles them apart', () => {
    // Signs at the edges of a text stand for a letter only by what is inside it, never by its neighbours' texts.
    const keywords = [
      { id: 'kw_1', text: 'a', match: 'phrase' as const },
      { id: 'kw_2', text: '$ex work', match: 'phrase' as const },
      { id: 'kw_3', text: 'x@', match: 'phrase' as const },
      { id: 'kw_4', text: "l'école", match: 'phrase' as const },
      { id: 'kw_5', text: 'b$', match: 'phrase' as const },
      { id: 'kw_6', text: '100', match: 'exact' as const },
    ];
    const ruleset = aRuleset({ campaigns: [aCampaign({ keywords })] });
    const input = rulesetInputFromDocument(JSON.parse(JSON.stringify(rulesetDocument(ruleset))));
    const fromColumns = compileRuleset(input);
    const fromObjects = compileRuleset(ruleset);
    const ctx = { now: new Date() };
    for (const query of [
      'a',
      'sex work',
      '$ex work',
      'x',
      'x@',
      'lécole',
      "l'école",
      'b',
      'bs',
      'b$',
      '100',
      '$100',
    ]) {
      expect(fromColumns.explain(query, ctx)).toEqual(fromObjects.explain(query, ctx));
    }
    expect(fromColumns.match('sex work', ctx)?.keyword.id).toBe('kw_2');
  });

  it('stores a large ruleset in much less JSON than keyword objects took', () => {
    const keywords = Array.from({ length: 2000 }, (_, i) => ({
      id: `kw_${i}`,
      text: `word${i}`,
      match: 'phrase' as const,
    }));
    const ruleset = aRuleset({ campaigns: [aCampaign({ keywords })] });
    const columns = JSON.stringify(rulesetDocument(ruleset)).length;
    expect(columns).toBeLessThan(JSON.stringify(ruleset).length * 0.6);
  });

  it('still decodes and matches a version stored in encoding 1', async () => {
    // As blob.ts wrote every body then: UTF-8 JSON, gzipped.
    const body = gzipSync(Buffer.from(JSON.stringify(ENCODING_1_DOCUMENT), 'utf8'));
    const ruleset = await decodeRuleset(body);
    expect(ruleset).toEqual(ENCODING_1_DOCUMENT);
    const compiled = compileRuleset(ruleset);
    const hit = compiled.match('is this Forced Labour?', { now: new Date() });
    expect(hit?.keyword).toEqual({ id: 'kw_old1', text: 'forced labour', match: 'phrase' });
    expect(compiled.match('las niñas de un tráfico', { now: new Date() })?.keyword.id).toBe('kw_old2');
    expect(compiled.match('Торговля людьми', { now: new Date() })?.keyword.id).toBe('kw_old3');
  });

  it('matches the same after a round trip through storage', async () => {
    const ruleset = aRuleset();
    const loaded = compileRuleset(await decodeRuleset(await encodeRuleset(ruleset)));
    const ctx = { now: new Date(), locale: 'es' };
    expect(loaded.match('ayuda trata personas de', ctx)?.keyword.id).toBe('kw_b');
    expect(loaded.match('pimp', ctx)?.keyword.id).toBe('kw_c');
    expect(loaded.match('pimp movie', ctx)).toBeNull();
  });

  const one = { id: 'kw_a', idLength: [4], text: 'ab', textLength: [2], match: 'p' };
  it.each([
    ['an unknown encoding', { encoding: 4 }],
    ['columns of different lengths', { keywords: { ...one, textLength: [1, 1] } }],
    ['lengths that do not add up to their column', { keywords: { ...one, textLength: [1] } }],
    ['an id length that does not add up', { keywords: { ...one, idLength: [5] } }],
    ['a length that is not a whole number', { keywords: { ...one, textLength: [1.5] } }],
    [
      'an empty text',
      { keywords: { ...one, id: 'kw_akw_b', idLength: [4, 4], text: 'ab', textLength: [2, 0], match: 'pp' } },
    ],
    ['no text lengths', { keywords: { ...one, textLength: undefined } }],
    ['an unknown match letter', { keywords: { ...one, match: 'x' } }],
    ['a text that is not a string', { keywords: { ...one, text: ['ab'] } }],
    ['a locale column of another length', { keywords: { ...one, locale: [] } }],
    ['a locale that is not a string', { keywords: { ...one, locale: [3] } }],
    ['keywords that are neither objects nor columns', { keywords: 'kw_a' }],
    [
      'encoding 2 columns of different lengths',
      { encoding: 2, keywords: { id: ['kw_a'], text: ['a', 'b'], match: 'p' } },
    ],
    [
      'an encoding 2 text that is not a string',
      { encoding: 2, keywords: { id: ['kw_a'], text: [1], match: 'p' } },
    ],
    [
      'encoding 2 with an unknown match letter',
      { encoding: 2, keywords: { id: ['kw_a'], text: ['a'], match: 'x' } },
    ],
  ])('refuses a stored document with %s', (_, change) => {
    const document = JSON.parse(JSON.stringify(rulesetDocument(aRuleset())));
    if ('encoding' in change) document.encoding = change.encoding;
    if ('keywords' in change) document.campaigns[0].keywords = change.keywords;
    expect(() => rulesetFromDocument(document)).toThrow(/Stored/);
    expect(() => rulesetInputFromDocument(document)).toThrow(/Stored/);
  });

  it('decodes the body blob.ts stores, whatever its size', async () => {
    const keywords = Array.from({ length: 30_000 }, (_, i) => ({
      id: `kw_${i}`,
      text: `forced labour case ${i}`,
      match: 'broad' as const,
    }));
    const ruleset = aRuleset({ campaigns: [aCampaign({ keywords })] });
    const body = await encodeRuleset(ruleset);
    // More than one megabyte once unzipped: the unzip's output comes in more than one chunk.
    expect(JSON.stringify(await decodeJson(body)).length).toBeGreaterThan(1 << 20);
    expect((await decodeRuleset(body)).campaigns[0]?.keywords[29_999]).toEqual(keywords[29_999]);
  });
});
