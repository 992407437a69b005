import { beforeEach, describe, expect, it } from 'vitest';
import type { Campaign } from '../../functions/core/model.js';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { aCampaign } from '../helpers/campaigns.js';
import { send } from '../helpers/http.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let app: ReturnType<typeof createApp>;
let m: ReturnType<typeof memoryDeps>;

beforeEach(() => {
  m = memoryDeps();
  app = createApp(m.deps);
});

const explain = (body: Record<string, unknown>) =>
  send(app, 'POST', '/admin/v1/explain', { body, headers: admin });
const publish = () => send(app, 'POST', '/admin/v1/publish', { headers: admin });
const draft = (overrides: Partial<Campaign>) => m.deps.campaigns.create(aCampaign(overrides), 'test');

describe('POST /admin/v1/explain', () => {
  it('names the keyword, match type and normalized query of the campaign that would match', async () => {
    const { campaign } = await draft({
      name: 'Hotline',
      keywords: [{ id: 'kw_ht', text: 'Human Trafficking', match: 'phrase' }],
    });
    const res = await explain({ query: 'What is HUMAN trafficking?', ruleset: 'draft' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.ruleset).toEqual({ kind: 'draft', version: null });
    expect(res.body.normalizedQuery).toBe('what is human trafficking');
    expect(res.body.match).toMatchObject({
      campaignId: campaign.id,
      keyword: { id: 'kw_ht', text: 'Human Trafficking', match: 'phrase' },
      variant: null,
      matchedText: 'human trafficking',
      message: { locale: 'en' },
    });
    expect(res.body.hits).toEqual([
      expect.objectContaining({ campaignId: campaign.id, outcome: 'selected' }),
    ]);
  });

  it.each([
    ['a plural', 'my pimps', 'plural'],
    ['a digit disguise', 'my p1mp', 'disguise'],
    ['both', 'my p1mps', 'plural+disguise'],
  ])('says which close variant hit: %s', async (_name, query, variant) => {
    await draft({ keywords: [{ id: 'kw_p', text: 'pimp', match: 'phrase' }] });
    const res = await explain({ query, ruleset: 'draft' });
    expect(res.body.match).toMatchObject({ keyword: { id: 'kw_p' }, variant });
  });

  const now = '2026-11-15T12:00:00.000Z';
  it.each<[string, Partial<Campaign>, Record<string, unknown>, string, RegExp]>([
    [
      'negative keyword',
      { negativeKeywords: [{ text: 'movie', match: 'broad' }] },
      {},
      'negative_keyword',
      /negative keyword "movie" \(broad\)/,
    ],
    ['paused', { status: 'paused' }, {}, 'paused', /is paused/],
    ['not started', { startsAt: '2026-12-01T00:00:00Z' }, {}, 'not_started', /starts at 2026-12-01/],
    ['ended', { endsAt: '2026-11-01T00:00:00Z' }, {}, 'ended', /ended at 2026-11-01/],
    [
      'locale',
      { locales: ['es'] },
      { locale: 'en-US' },
      'locale',
      /targets the languages es, not the request's "en"/,
    ],
    [
      'region',
      { regions: ['US-CA'] },
      { region: 'US-TX' },
      'region',
      /regions US-CA, not the request's "US-TX"/,
    ],
    ['no region', { regions: ['US'] }, {}, 'region', /gave no region/],
  ])('explains an exclusion by %s', async (_name, overrides, context, code, message) => {
    const excluded = await draft({ name: 'Excluded', priority: 10, ...overrides });
    const fallback = await draft({
      name: 'Fallback',
      priority: 0,
      keywords: [{ id: 'kw_f', text: 'trafficking', match: 'broad' }],
    });
    const res = await explain({ query: 'human trafficking movie', ruleset: 'draft', at: now, ...context });
    expect(res.status).toBe(200);
    expect(res.body.match.campaignId).toBe(fallback.campaign.id);
    const hit = res.body.hits.find((h: { campaignId: string }) => h.campaignId === excluded.campaign.id);
    expect(hit).toMatchObject({ outcome: 'excluded', reason: { code } });
    expect(hit.reason.message).toMatch(message);
    if (code === 'negative_keyword')
      expect(hit.reason.negativeKeyword).toEqual({ text: 'movie', match: 'broad' });
  });

  it('explains a campaign that lost on priority, and one that lost on a weaker keyword', async () => {
    const high = await draft({
      name: 'High',
      priority: 5,
      keywords: [{ id: 'kw_h', text: 'trafficking', match: 'broad' }],
    });
    const low = await draft({
      name: 'Low',
      priority: 1,
      keywords: [{ id: 'kw_l', text: 'human trafficking', match: 'exact' }],
    });
    const weaker = await draft({
      name: 'Weaker',
      priority: 5,
      keywords: [{ id: 'kw_w', text: 'trafficking', match: 'broad' }],
    });
    const res = await explain({ query: 'human trafficking', ruleset: 'draft' });
    // High and Weaker tie on priority, match type and length: the smaller id wins.
    const [winner, loser] = [high, weaker].sort((a, b) => (a.campaign.id < b.campaign.id ? -1 : 1));
    expect(res.body.match.campaignId).toBe(winner?.campaign.id);
    const byId = new Map(res.body.hits.map((h: { campaignId: string }) => [h.campaignId, h]));
    expect(byId.get(low.campaign.id)).toMatchObject({
      outcome: 'excluded',
      reason: { code: 'lower_priority' },
    });
    expect(byId.get(loser?.campaign.id)).toMatchObject({
      outcome: 'excluded',
      reason: { code: 'weaker_keyword' },
    });
  });

  it('answers against the live published version, or an older one, and never against unpublished drafts', async () => {
    await draft({ keywords: [{ id: 'kw_a', text: 'forced labour', match: 'phrase' }] });
    expect((await explain({ query: 'forced labour', ruleset: 'published' })).body.match).toBeNull();
    await publish();
    const second = await draft({ keywords: [{ id: 'kw_b', text: 'debt bondage', match: 'phrase' }] });
    await publish();
    const live = await explain({ query: 'debt bondage', ruleset: 'published' });
    expect(live.body.ruleset).toEqual({ kind: 'published', version: 2 });
    expect(live.body.match.campaignId).toBe(second.campaign.id);
    const old = await explain({ query: 'debt bondage', ruleset: 'published', version: 1 });
    expect(old.body.ruleset).toEqual({ kind: 'published', version: 1 });
    expect(old.body.match).toBeNull();
  });

  it('gives the same answer as /v1/match, from the same matcher', async () => {
    await draft({
      priority: 2,
      keywords: [{ id: 'kw_1', text: 'trata de personas', match: 'phrase' }],
      locales: ['es'],
    });
    await draft({
      priority: 1,
      keywords: [{ id: 'kw_2', text: 'trafico', match: 'broad' }],
      negativeKeywords: [{ text: 'drogas', match: 'phrase' }],
    });
    await publish();
    const made = await send(app, 'POST', '/admin/v1/partners', { headers: admin, body: { name: 'p' } });
    for (const [query, locale] of [
      ['víctima de trata de personas', 'es'],
      ['tráfico de drogas', 'es'],
      ['Tráficos humanos', 'en'],
      ['nothing here', undefined],
    ] as const) {
      const matched = await send(app, 'POST', '/v1/match', {
        headers: { 'x-api-key': made.body.secretKey },
        body: { query, ...(locale && { locale }) },
      });
      const explained = await explain({ query, ruleset: 'published', ...(locale && { locale }) });
      expect(explained.body.match?.keyword.id ?? null).toBe(matched.body.match?.keywordId ?? null);
      expect(explained.body.match?.campaignId ?? null).toBe(matched.body.match?.campaignId ?? null);
    }
  });

  it('neither stores nor logs the query', async () => {
    await draft({});
    const canary = 'canary-8f3e human trafficking';
    await explain({ query: canary, ruleset: 'draft' });
    expect(m.logLines.join('\n')).not.toContain('canary');
    expect(JSON.stringify(m.audit.entries)).not.toContain('canary');
    const failed = await explain({ query: `${'x'.repeat(600)} canary-8f3e`, ruleset: 'draft' });
    expect(failed.status).toBe(400);
    expect(failed.text).not.toContain('canary');
    expect(m.logLines.join('\n')).not.toContain('canary');
  });

  it.each([
    ['no ruleset', { query: 'x' }, /"draft" or "published"/],
    ['an unknown ruleset', { query: 'x', ruleset: 'staging' }, /"draft" or "published"/],
    ['an empty query', { query: '  ', ruleset: 'draft' }, /at least one character/],
    ['a bad region', { query: 'x', ruleset: 'draft', region: 'USA!' }, /region/],
    ['a version with draft', { query: 'x', ruleset: 'draft', version: 1 }, /version goes with "published"/],
  ])('answers 400 for %s', async (_name, body, message) => {
    const res = await explain(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const text = [
      res.body.error.message,
      ...(res.body.error.details ?? []).map((d: { message: string }) => d.message),
    ];
    expect(text.join(' ')).toMatch(message);
  });

  it('answers 404 for a version never published, 401 without a token, 415 for a body that is not JSON', async () => {
    expect((await explain({ query: 'x', ruleset: 'published', version: 9 })).status).toBe(404);
    expect(
      (await send(app, 'POST', '/admin/v1/explain', { body: { query: 'x', ruleset: 'draft' } })).status,
    ).toBe(401);
    const raw = await send(app, 'POST', '/admin/v1/explain', {
      raw: 'query=x',
      headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(raw.status).toBe(415);
  });
});
