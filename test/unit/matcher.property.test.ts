import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus, generateQueries } from '../../bench/lib/corpus.js';
import { NaiveMatcher } from '../../bench/lib/naive.js';
import { keywordForms, spellings } from '../../functions/core/match-variants.js';
import {
  type ColumnCampaign,
  compileRuleset,
  keywordColumns,
  type MatchContext,
  type MatchResult,
} from '../../functions/core/matcher.js';
import type { Campaign, MatchType } from '../../functions/core/model.js';
import { normalizeTokens } from '../../functions/core/normalize.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

/** Words with the features that matter: accents, plurals, case edge cases, other scripts, disguises, numbers. */
const WORDS = [
  'human',
  'trafficking',
  'pimp',
  'pimps',
  'escort',
  'passport',
  'took',
  'my',
  'forced',
  'labor',
  'tráfico',
  'traficos',
  'mujer',
  'mujeres',
  'niñas',
  'trabajo',
  'Straße',
  'İstanbul',
  'kız',
  'ΣΟΦΟΣ',
  'работа',
  '人口',
  'p1mp',
  '$ex',
  'sex',
  '911',
  'movie',
  'help',
  'bus',
  'buses',
  'baby',
  'babies',
  'ﬁnd',
  // Read in place, each character as the letter it maps to; then scripts mapped as a whole (marks kept, kana, Hangul).
  'Ελλάδα',
  'ДОКУМЕНТЫ',
  'मानव',
  'तस्करी',
  '인신매매',
  'じんしん',
  'ﾊﾟｽﾎﾟｰﾄ',
];
const word = fc.constantFrom(...WORDS);
const separator = fc.constantFrom(' ', '  ', ', ', '! ', ' - ', '\t', '’', "'");
const query = fc
  .array(fc.tuple(fc.oneof(word, word, fc.string({ maxLength: 6 })), separator), { maxLength: 8 })
  .map((parts) => parts.map(([w, s]) => w + s).join(''));

const TYPES: readonly MatchType[] = ['exact', 'phrase', 'broad'];
const matchType = fc.constantFrom(...TYPES);
const keyword = fc.record({
  text: fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' ')),
  match: matchType,
});

const campaignArb = fc.record({
  priority: fc.integer({ min: 0, max: 3 }),
  status: fc.constantFrom('active', 'active', 'active', 'paused') as fc.Arbitrary<'active' | 'paused'>,
  locales: fc.constantFrom<string[]>([], [], ['en'], ['es', 'en']),
  regions: fc.constantFrom<string[]>([], [], ['US'], ['US-CA', 'MX']),
  keywords: fc.array(keyword, { minLength: 1, maxLength: 6 }),
  negatives: fc.array(keyword, { maxLength: 2 }),
});

type CampaignSpec = typeof campaignArb extends fc.Arbitrary<infer T> ? T : never;

function toCampaigns(specs: CampaignSpec[]): Campaign[] {
  return specs.map((spec, c) => ({
    id: `cmp_${c}`,
    name: `Campaign ${c}`,
    status: spec.status,
    priority: spec.priority,
    locales: spec.locales,
    regions: spec.regions,
    startsAt: null,
    endsAt: null,
    keywords: spec.keywords.map((k, i) => ({ id: `kw_${c}_${i}`, text: k.text, match: k.match })),
    negativeKeywords: spec.negatives,
    messages: { en: { title: 'Help', body: 'Body', actions: [] } },
    defaultLocale: 'en',
    banner: false,
  }));
}

const rulesetArb = fc.array(campaignArb, { minLength: 1, maxLength: 4 }).map(toCampaigns);
const contextArb: fc.Arbitrary<MatchContext> = fc.record({
  locale: fc.constantFrom(undefined, 'en-US', 'es-MX', 'fr'),
  region: fc.constantFrom(undefined, 'US', 'US-CA', 'MX'),
  now: fc.constant(NOW),
});
/** A ruleset and a query that often carries one of its keywords (somewhere among other words). */
const rulesetAndQuery = fc
  .tuple(rulesetArb, query, query, fc.nat(), fc.nat(), fc.boolean())
  .map(([campaigns, before, after, c, k, carry]) => {
    const keywords = (campaigns[c % campaigns.length] as Campaign).keywords;
    const text = carry ? (keywords[k % keywords.length]?.text ?? '') : '';
    return { campaigns, q: `${before} ${text} ${after}` };
  });
const keyOf = (m: { campaign: { id: string }; keyword: { id: string } } | null): string =>
  m ? `${m.campaign.id}/${m.keyword.id}` : 'none';

const fullWidth = (s: string): string =>
  s
    .replace(/[!-~]/g, (ch) => String.fromCharCode((ch.charCodeAt(0) as number) + 0xfee0))
    .replace(/ /g, '\u3000');

describe('matcher properties', () => {
  const fixed = compileRuleset({
    version: 1,
    campaigns: toCampaigns([
      {
        priority: 1,
        status: 'active',
        locales: [],
        regions: [],
        keywords: WORDS.map((w, i) => ({
          text: `${w} ${WORDS[(i + 1) % WORDS.length]}`,
          match: TYPES[i % 3] as MatchType,
        })),
        negatives: [{ text: 'movie', match: 'phrase' }],
      },
      {
        priority: 2,
        status: 'active',
        locales: ['es'],
        regions: ['US'],
        keywords: WORDS.map((text) => ({ text, match: 'phrase' as const })),
        negatives: [],
      },
    ]),
  });

  it('never throws on any Unicode string up to 10,000 characters', () => {
    const long = (unit: 'binary' | 'grapheme' | 'grapheme-composite' | 'binary-ascii') =>
      fc.string({ unit, maxLength: 10_000, size: 'max' });
    fc.assert(
      fc.property(
        fc.oneof(long('binary'), long('grapheme'), long('grapheme-composite'), long('binary-ascii'), query),
        contextArb,
        (s, ctx) => {
          fixed.match(s, ctx);
          fixed.explain(s, ctx);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('gives the same answer for NFKC and case variants of a query', () => {
    fc.assert(
      fc.property(rulesetAndQuery, contextArb, ({ campaigns, q }, ctx) => {
        const r = compileRuleset({ version: 1, campaigns });
        const expected = keyOf(r.match(q, ctx));
        for (const variant of [
          q.toUpperCase(),
          q.toLowerCase(),
          q.normalize('NFKC'),
          q.normalize('NFKD'),
          q.normalize('NFD'),
          fullWidth(q),
          fullWidth(q.toUpperCase()).normalize('NFD'),
        ]) {
          expect(keyOf(r.match(variant, ctx))).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never loses a match when a keyword is added', () => {
    fc.assert(
      fc.property(rulesetAndQuery, contextArb, fc.nat(), keyword, ({ campaigns, q }, ctx, target, extra) => {
        const before: MatchResult | null = compileRuleset({ version: 1, campaigns }).match(q, ctx);
        fc.pre(before !== null);
        const c = campaigns[target % campaigns.length] as Campaign;
        c.keywords.push({ id: 'kw_extra', text: extra.text, match: extra.match });
        expect(compileRuleset({ version: 2, campaigns }).match(q, ctx)).not.toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with a naive loop over every keyword', () => {
    fc.assert(
      fc.property(rulesetAndQuery, contextArb, ({ campaigns, q }, ctx) => {
        const compiled = compileRuleset({ version: 1, campaigns }).match(q, ctx);
        expect(keyOf(compiled)).toBe(keyOf(new NaiveMatcher(campaigns).match(q, ctx)));
      }),
      { numRuns: 500 },
    );
  });

  it('answers the same from keyword columns as from keyword objects', () => {
    const asColumns = (campaigns: Campaign[]): ColumnCampaign[] =>
      campaigns.map((c) => ({ ...c, keywords: keywordColumns(c.keywords) }));
    fc.assert(
      fc.property(rulesetAndQuery, contextArb, ({ campaigns, q }, ctx) => {
        campaigns.forEach((c, ci) => {
          c.keywords.forEach((k, i) => {
            if ((ci + i) % 2 === 0) k.locale = 'es';
          });
        });
        const objects = compileRuleset({ version: 1, campaigns });
        const columns = compileRuleset({ version: 1, campaigns: asColumns(campaigns) });
        expect(columns.keywordCount).toBe(objects.keywordCount);
        expect(columns.match(q, ctx)).toEqual(objects.match(q, ctx));
        expect(columns.explain(q, ctx)).toEqual(objects.explain(q, ctx));
        expect(columns.banner(ctx)).toEqual(objects.banner(ctx));
      }),
      { numRuns: 300 },
    );
  });

  it('explains exactly what it matches', () => {
    fc.assert(
      fc.property(rulesetAndQuery, contextArb, ({ campaigns, q }, ctx) => {
        const r = compileRuleset({ version: 1, campaigns });
        const m = r.match(q, ctx);
        const e = r.explain(q, ctx);
        expect(e.match?.keyword ?? null).toBe(m?.keyword ?? null);
        expect(e.hits.filter((h) => h.outcome === 'selected')).toHaveLength(m ? 1 : 0);
        for (const h of e.hits) if (h.outcome === 'excluded') expect(h.reason?.message).toBeTruthy();
      }),
      { numRuns: 300 },
    );
  });

  it('explains each hit with query tokens, in order, that reach every token of its keyword', () => {
    const inOrder = (sub: string[], all: string[]): boolean => {
      let at = 0;
      for (const t of sub) {
        at = all.indexOf(t, at) + 1;
        if (at === 0) return false;
      }
      return true;
    };
    // Whether a query token reaches a keyword token, by the variant rules alone (as the naive loop reads them).
    const reaches = (q: string, k: string): boolean => {
      const accepted = new Set(spellings(k).flatMap(keywordForms));
      return spellings(q).some((s) => accepted.has(s));
    };
    fc.assert(
      fc.property(rulesetAndQuery, contextArb, ({ campaigns, q }, ctx) => {
        const r = compileRuleset({ version: 1, campaigns });
        const m = r.match(q, ctx);
        const e = r.explain(q, ctx);
        expect(e.match?.keyword ?? null).toBe(m?.keyword ?? null);
        for (const h of e.hits) {
          const matched = h.matchedText.split(' ');
          expect(inOrder(matched, e.tokens), `"${h.matchedText}" within "${e.normalizedQuery}"`).toBe(true);
          const keywordTokens = normalizeTokens(h.keyword.text);
          // No stray query token, and no keyword token left unexplained.
          expect(matched.filter((t) => !keywordTokens.some((k) => reaches(t, k)))).toEqual([]);
          expect(keywordTokens.filter((k) => !matched.some((t) => reaches(t, k)))).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the naive loop on a generated ruleset of thousands of keywords', () => {
    const corpus = generateCorpus(5_000, 11);
    const compiled = compileRuleset({ version: 1, campaigns: corpus.campaigns });
    const naive = new NaiveMatcher(corpus.campaigns);
    let hits = 0;
    for (const q of generateQueries(corpus, 600, 5, 0.5)) {
      const ctx = { locale: q.locale, region: q.region, now: NOW };
      const m = compiled.match(q.text, ctx);
      if (m) hits++;
      expect(keyOf(m)).toBe(keyOf(naive.match(q.text, ctx)));
    }
    expect(hits).toBeGreaterThan(100);
  });
});
