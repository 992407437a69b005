import { beforeEach, describe, expect, it } from 'vitest';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { send } from '../helpers/http.js';

type Setup = Awaited<ReturnType<typeof setup>>;

async function setup() {
  const { deps, served, logLines } = memoryDeps();
  const app = createApp(deps);
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  await deps.campaigns.create(defaultCampaign(), 'test');
  await send(app, 'POST', '/admin/v1/publish', { headers: admin });
  const made = await send(app, 'POST', '/admin/v1/partners', {
    headers: admin,
    body: { name: 'Search partner', allowedOrigins: ['https://partner.example'] },
  });
  expect(made.status).toBe(201);
  return {
    app,
    deps,
    served,
    logLines,
    admin,
    secretKey: made.body.secretKey as string,
    partner: made.body.partner,
  };
}

let s: Setup;
beforeEach(async () => {
  s = await setup();
});

const match = (body: unknown, headers: Record<string, string> = { 'x-api-key': s.secretKey }) =>
  send(s.app, 'POST', '/v1/match', { body, headers });

describe('POST /v1/match', () => {
  it('answers 200 with the message, its actions and a token for a matching query', async () => {
    const res = await match({ query: 'They took my PASSPORT!', region: 'US-CA' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      rulesetVersion: 1,
      match: {
        campaignId: 'cmp_us_national_hotline',
        rulesetVersion: 1,
        message: {
          locale: 'en',
          actions: [{ type: 'call', href: 'tel:+18883737888' }, { type: 'text' }, { type: 'link' }],
        },
      },
    });
    expect(typeof res.body.match.keywordId).toBe('string');
    expect(typeof res.body.match.impressionToken).toBe('string');
    expect(s.served).toHaveLength(1);
    expect(s.served[0]).toMatchObject({ partnerId: s.partner.id, region: 'US-CA', locale: 'en' });
  });

  it('answers in Spanish for an es-MX request, falling back from the full tag to the language', async () => {
    const res = await match({ query: 'me quitaron el pasaporte', locale: 'es-MX', region: 'US' });
    expect(res.body.match.message.locale).toBe('es');
    expect(res.body.match.message.title).toMatch(/ayuda/);
  });

  it('answers 200 with match null when nothing matches, and outside the campaign regions', async () => {
    expect((await match({ query: 'weather tomorrow' })).body).toEqual({ match: null, rulesetVersion: 1 });
    expect((await match({ query: 'human trafficking', region: 'MX' })).body.match).toBeNull();
    expect(s.served).toHaveLength(0);
  });

  it('never matches a draft that has not been published', async () => {
    const draft = {
      ...defaultCampaign(),
      id: 'cmp_draft',
      regions: [],
      keywords: [{ id: 'kw_d', text: 'zebra crossing', match: 'phrase' as const }],
    };
    await s.deps.campaigns.create(draft, 'test');
    expect((await match({ query: 'zebra crossing' })).body.match).toBeNull();
    await send(s.app, 'POST', '/admin/v1/publish', { headers: s.admin });
    expect((await match({ query: 'zebra crossing' })).body.match.campaignId).toBe('cmp_draft');
  });

  it.each([
    [
      'malformed JSON',
      { raw: '{"query": "human', headers: { 'content-type': 'application/json' } },
      /not valid JSON/,
    ],
    ['a query of the wrong type', { body: { query: 42 } }, /query/],
    ['an empty query', { body: { query: '   ' } }, /at least one character/],
    ['an over-long query', { body: { query: 'a'.repeat(513) } }, /at most 512/],
    ['an unknown field', { body: { query: 'x', lang: 'en' } }, /lang|nrecognized/],
    ['a bad locale', { body: { query: 'x', locale: 'not a locale!' } }, /BCP 47/],
    ['a bad region', { body: { query: 'x', region: 'USA-CALIF' } }, /ISO 3166|region/],
    ['a body that is not an object', { body: ['human trafficking'] }, /object|expected/i],
  ] as [string, { body?: unknown; raw?: string; headers?: Record<string, string> }, RegExp][])(
    'answers 400 for %s',
    async (_name, input, message) => {
      const res = await send(s.app, 'POST', '/v1/match', {
        ...input,
        headers: { 'x-api-key': s.secretKey, ...input.headers },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.message).toMatch(message);
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    },
  );

  it('answers 401 without a key and with a wrong one', async () => {
    const none = await match({ query: 'human trafficking' }, {});
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect((await match({ query: 'human trafficking' }, { 'x-api-key': 'sk_wrong' })).status).toBe(401);
    expect(
      (await match({ query: 'x' }, { 'x-site-key': 'pk_notarealkey123', origin: 'https://partner.example' }))
        .status,
    ).toBe(401);
  });

  it('accepts a site key only from an allowed origin, with CORS for exactly that origin', async () => {
    const site = { 'x-site-key': s.partner.siteKey };
    const ok = await match(
      { query: 'human trafficking', region: 'US' },
      { ...site, origin: 'https://partner.example' },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://partner.example');
    const elsewhere = await match(
      { query: 'human trafficking' },
      { ...site, origin: 'https://evil.example' },
    );
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect((await match({ query: 'x' }, site)).status).toBe(403);
  });

  it('answers CORS preflights only for allowed origins', async () => {
    const preflight = (origin: string) =>
      send(s.app, 'OPTIONS', '/v1/match', {
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-site-key',
        },
      });
    const allowed = await preflight('https://partner.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://partner.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/X-Site-Key/i);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 403 for a disabled partner', async () => {
    await send(s.app, 'PATCH', `/admin/v1/partners/${s.partner.id}`, {
      headers: s.admin,
      body: { status: 'disabled' },
    });
    const res = await match({ query: 'human trafficking' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('answers 413 for a body over the limit and 415 for a body that is not JSON', async () => {
    const big = await match({ query: 'x', pad: 'y'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const text = await send(s.app, 'POST', '/v1/match', {
      raw: 'query=human',
      headers: { 'x-api-key': s.secretKey, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
  });

  it('logs nothing of the query, even at debug level', async () => {
    await match({ query: 'canary-7f3a human trafficking' });
    await match({ query: 'canary-7f3a', locale: '!!' });
    expect(s.logLines.join('\n')).not.toContain('canary-7f3a');
  });
});

describe('POST /v1/banner', () => {
  it('answers the banner campaign for the region, and null elsewhere', async () => {
    const res = await send(s.app, 'POST', '/v1/banner', {
      body: { locale: 'es', region: 'US-TX' },
      headers: { 'x-api-key': s.secretKey },
    });
    expect(res.status).toBe(200);
    expect(res.body.match).toMatchObject({
      campaignId: 'cmp_us_national_hotline',
      keywordId: null,
      message: { locale: 'es' },
    });
    const elsewhere = await send(s.app, 'POST', '/v1/banner', {
      body: { region: 'FR' },
      headers: { 'x-api-key': s.secretKey },
    });
    expect(elsewhere.body.match).toBeNull();
    const bad = await send(s.app, 'POST', '/v1/banner', {
      body: { query: 'x' },
      headers: { 'x-api-key': s.secretKey },
    });
    expect(bad.status).toBe(400);
  });
});

describe('GET /healthz and unknown routes', () => {
  it('answers ok with the live version, and 404 in the error shape', async () => {
    expect((await send(s.app, 'GET', '/healthz')).body).toEqual({ status: 'ok', rulesetVersion: 1 });
    const missing = await send(s.app, 'GET', '/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });
});
