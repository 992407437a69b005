import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../functions/adapters/dynamodb/gzip-json.js';
import {
  decodeRuleset,
  encodeRuleset,
  rulesetDocument,
  rulesetFromDocument,
} from '../../functions/adapters/dynamodb/ruleset-encoding.js';
import { compileRuleset } from '../../functions/core/matcher.js';
import type { Ruleset } from '../../functions/core/model.js';
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

describe('ruleset storage encoding', () => {
  it('stores keywords as columns: ids, texts, one match letter each, and locales only when some keyword has one', () => {
    const document = rulesetDocument(aRuleset());
    expect(document.encoding).toBe(2);
    const campaigns = document.campaigns as Array<{ keywords: unknown }>;
    expect(campaigns[0]?.keywords).toEqual({
      id: ['kw_a', 'kw_b', 'kw_c'],
      text: ['Human Trafficking', 'trata de personas', 'pimp'],
      match: 'pbe',
      locale: [null, 'es', null],
    });
    expect(campaigns[1]?.keywords).toEqual({ id: [], text: [], match: '' });
  });

  it('decodes what it stores into the same ruleset', async () => {
    const ruleset = aRuleset({ restoredFrom: 2 });
    expect(rulesetFromDocument(JSON.parse(JSON.stringify(rulesetDocument(ruleset))))).toEqual(ruleset);
    expect(await decodeRuleset(await encodeRuleset(ruleset))).toEqual(ruleset);
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

  it.each([
    ['an unknown encoding', { encoding: 3 }],
    ['columns of different lengths', { keywords: { id: ['kw_a'], text: ['a', 'b'], match: 'p' } }],
    ['an unknown match letter', { keywords: { id: ['kw_a'], text: ['a'], match: 'x' } }],
    ['a text that is not a string', { keywords: { id: ['kw_a'], text: [1], match: 'p' } }],
    [
      'a locale column of another length',
      { keywords: { id: ['kw_a'], text: ['a'], match: 'p', locale: [] } },
    ],
    ['keywords that are neither objects nor columns', { keywords: 'kw_a' }],
  ])('refuses a stored document with %s', (_, change) => {
    const document = JSON.parse(JSON.stringify(rulesetDocument(aRuleset())));
    if ('encoding' in change) document.encoding = change.encoding;
    else document.campaigns[0].keywords = change.keywords;
    expect(() => rulesetFromDocument(document)).toThrow(/Stored/);
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
