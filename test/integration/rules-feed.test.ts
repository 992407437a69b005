import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { compileRuleset } from '../../functions/core/matcher.js';
import { buildRulesFeed, campaignsFromFeed, type RulesFeed } from '../../functions/core/rules-feed.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { send } from '../helpers/http.js';
import { appOnDynalite, campaignBody } from './admin-app.js';

let dynamo: TestDynamo;
let s: Awaited<ReturnType<typeof appOnDynalite>>;
let secretKey: string;
let siteKey: string;

const message = (title: string) => ({
  title,
  body: 'Call any time.',
  actions: [{ type: 'call', label: 'Call', href: 'tel:+18883737888' }],
});

/** Campaigns that exercise every rule the feed must carry: match types, variants, negatives, targeting, schedule, locales. */
const campaigns = [
  { ...defaultCampaign(), id: undefined },
  campaignBody(
    'Spanish, Mexico only',
    [
      { text: 'trata de personas', match: 'phrase' },
      { text: 'Tráfico', match: 'broad' },
    ],
    {
      priority: 20,
      locales: ['es'],
      regions: ['MX', 'US-CA'],
      negativeKeywords: [{ text: 'drogas', match: 'phrase' }],
      messages: { es: message('Ayuda'), 'es-MX': message('Ayuda en México'), en: message('Help') },
      defaultLocale: 'es',
    },
  ),
  campaignBody(
    'Disguises and plurals',
    [
      { text: 'p1mp', match: 'phrase' },
      { text: 'escort agency', match: 'exact' },
      { text: "don't let me leave", match: 'broad' },
      { text: '$ex work', match: 'phrase' },
    ],
    { priority: 15, negativeKeywords: [{ text: 'movie', match: 'broad' }] },
  ),
  campaignBody('Paused', [{ text: 'human trafficking', match: 'phrase' }], {
    priority: 99,
    status: 'paused',
  }),
  campaignBody('Ended', [{ text: 'human trafficking', match: 'phrase' }], {
    priority: 98,
    endsAt: '2020-01-01T00:00:00Z',
  }),
  campaignBody('Future', [{ text: 'human trafficking', match: 'phrase' }], {
    priority: 97,
    startsAt: '2099-01-01T00:00:00Z',
  }),
  campaignBody('Banner', [{ text: 'labour exploitation', match: 'broad' }], { priority: 1, banner: true }),
];

const queries = [
  'human trafficking',
  'Human-Trafficking help',
  'how to escape my pimp',
  'my p1mps took my passport',
  'MY PIMPS',
  'escort agency',
  'best escort agency',
  'they dont let me leave',
  'let me leave, they don’t',
  '$ex work near me',
  'sex work',
  'trata de personas en méxico',
  'tráfico de drogas',
  'traficos humanos',
  'TRÁFICO',
  'pimp movie',
  'exploitation of labour',
  'forced to work no pay',
  'nothing to see here',
  'tr4ff1cking',
  '人口贩卖',
];
const contexts: Array<{ locale?: string; region?: string }> = [
  {},
  { locale: 'en-US', region: 'US' },
  { locale: 'es-MX', region: 'MX' },
  { locale: 'es', region: 'US-CA' },
  { locale: 'es', region: 'US-TX' },
  { locale: 'fr' },
];

beforeAll(async () => {
  dynamo = await startDynalite();
  s = await appOnDynalite(dynamo);
  for (const body of campaigns) {
    const res = await s.call('POST', '/admin/v1/campaigns', { body });
    expect(res.status).toBe(201);
  }
  expect((await s.call('POST', '/admin/v1/publish')).status).toBe(201);
  const partner = await s.call('POST', '/admin/v1/partners', {
    body: { name: 'Search', allowedOrigins: ['https://p.example'] },
  });
  secretKey = partner.body.secretKey;
  siteKey = partner.body.partner.siteKey;
});
afterAll(async () => {
  s.close();
  await dynamo.close();
});

const feed = (headers: Record<string, string> = {}) =>
  send(s.app, 'GET', '/v1/rules', { headers: { 'x-api-key': secretKey, ...headers } });

describe('GET /v1/rules', () => {
  it('answers the live ruleset in the documented format, with the version as ETag', async () => {
    const res = await feed();
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = res.body as RulesFeed;
    expect(body).toMatchObject({ format: 'signpost.rules', formatVersion: 1, rulesetVersion: 1 });
    expect(Date.parse(body.publishedAt ?? '')).not.toBeNaN();
    // Paused campaigns are left out; the rest come in selection order.
    const priorities = body.campaigns.map((c) => c.priority);
    expect(priorities).not.toContain(99);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    expect(body.campaigns).toHaveLength(campaigns.length - 1);
    const spanish = body.campaigns.find((c) => c.priority === 20);
    expect(spanish).toMatchObject({
      locales: ['es'],
      regions: ['MX', 'US-CA'],
      defaultLocale: 'es',
      negativeKeywords: [{ text: 'drogas', normalized: 'drogas', match: 'phrase' }],
    });
    expect(spanish?.keywords.map((k) => [k.text, k.normalized, k.match])).toEqual([
      ['trata de personas', 'trata de personas', 'phrase'],
      ['Tráfico', 'trafico', 'broad'],
    ]);
    expect(spanish?.messages['es-MX']?.title).toBe('Ayuda en México');
  });

  it('matches every query exactly as /v1/match does when compiled with the same matcher', async () => {
    const body = (await feed()).body as RulesFeed;
    const partnerSide = compileRuleset({ version: body.rulesetVersion, campaigns: campaignsFromFeed(body) });
    let matched = 0;
    for (const query of queries) {
      for (const ctx of contexts) {
        const service = await send(s.app, 'POST', '/v1/match', {
          headers: { 'x-api-key': secretKey },
          body: { query, ...ctx },
        });
        expect(service.status).toBe(200);
        const local = partnerSide.match(query, { ...ctx, now: new Date() });
        const expected = service.body.match
          ? {
              campaignId: service.body.match.campaignId,
              keywordId: service.body.match.keywordId,
              message: service.body.match.message,
            }
          : null;
        const actual = local
          ? { campaignId: local.campaign.id, keywordId: local.keyword.id, message: local.message }
          : null;
        expect({ query, ctx, answer: actual }).toEqual({ query, ctx, answer: expected });
        if (expected) matched++;
      }
    }
    // The set is not trivial: many queries match, many do not.
    expect(matched).toBeGreaterThan(30);
    expect(matched).toBeLessThan(queries.length * contexts.length - 20);
  });

  it('answers 304 to If-None-Match with the live version, and the new version once published', async () => {
    expect((await feed({ 'if-none-match': '"1"' })).status).toBe(304);
    expect((await feed({ 'if-none-match': 'W/"1", "0"' })).status).toBe(304);
    expect((await feed({ 'if-none-match': '"0"' })).status).toBe(200);
    const v2 = await s.call('POST', '/admin/v1/publish');
    expect(v2.body.version).toBe(2);
    const fresh = await feed({ 'if-none-match': '"1"' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"2"');
    expect(fresh.body.rulesetVersion).toBe(2);
  });

  it('is gzip-compressed when asked', async () => {
    const res = await s.app.request('http://localhost/v1/rules', {
      headers: { 'x-api-key': secretKey, 'accept-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const body = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8'));
    expect(body.format).toBe('signpost.rules');
  });

  it('answers 401 without a secret key, even with a valid site key, and for a wrong key', async () => {
    const none = await send(s.app, 'GET', '/v1/rules');
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/secret key in the X-Api-Key header/);
    const site = await send(s.app, 'GET', '/v1/rules', {
      headers: { 'x-site-key': siteKey, origin: 'https://p.example' },
    });
    expect(site.status).toBe(401);
    expect((await feed({ 'x-api-key': 'sk_wrong' })).status).toBe(401);
  });

  it('answers 403 for a disabled partner', async () => {
    const made = await s.call('POST', '/admin/v1/partners', { body: { name: 'Soon disabled' } });
    await s.call('PATCH', `/admin/v1/partners/${made.body.partner.id}`, { body: { status: 'disabled' } });
    const res = await send(s.app, 'GET', '/v1/rules', { headers: { 'x-api-key': made.body.secretKey } });
    expect(res.status).toBe(403);
  });
});

describe('the feed read back', () => {
  it('matches like the ruleset it came from, for any query made of keyword words, disguises and noise', async () => {
    const stored = await s.deps.rulesets.get(await s.deps.rulesets.liveVersion().then((v) => v ?? 0));
    if (!stored) throw new Error('nothing published');
    const original = compileRuleset(stored);
    const fromFeed = compileRuleset({
      version: stored.version,
      campaigns: campaignsFromFeed(buildRulesFeed(stored)),
    });
    const words = [
      ...new Set(
        stored.campaigns.flatMap((c) =>
          [...c.keywords, ...c.negativeKeywords].flatMap((k) => k.text.split(/\s+/)),
        ),
      ),
    ];
    const word = fc.oneof(
      fc.constantFrom(...words),
      fc.constantFrom(
        'p1mp',
        'PIMPS',
        'tr4fficking',
        '$ex',
        "don't",
        'Tráficos',
        'the',
        'my',
        'help',
        '!',
        '—',
      ),
      fc.string({ maxLength: 6 }),
    );
    const ctx = fc.record({
      locale: fc.constantFrom(undefined, 'en', 'es', 'es-MX', 'fr'),
      region: fc.constantFrom(undefined, 'US', 'MX', 'US-CA'),
    });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), ctx, (parts, c) => {
        const query = parts.join(' ');
        const context = { ...c, now: new Date('2026-11-30T00:00:00Z') };
        const a = original.match(query, context);
        const b = fromFeed.match(query, context);
        return (
          (a?.campaign.id ?? null) === (b?.campaign.id ?? null) &&
          (a?.keyword.id ?? null) === (b?.keyword.id ?? null)
        );
      }),
      { numRuns: 3_000 },
    );
  });
});
