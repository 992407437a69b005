import { beforeEach, describe, expect, it } from 'vitest';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { send } from '../helpers/http.js';

/** The error's message and every detail's message, as one string to match against. */
const errorText = (body: { error: { message: string; details?: { message: string }[] } }) =>
  [body.error.message, ...(body.error.details ?? []).map((d) => d.message)].join(' ');

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

function campaignInput(overrides: Record<string, unknown> = {}) {
  const { id: _id, ...rest } = defaultCampaign();
  return { ...rest, keywords: [{ text: 'forced to work', match: 'phrase' }], ...overrides };
}

let app: ReturnType<typeof createApp>;
let deps: ReturnType<typeof memoryDeps>['deps'];
beforeEach(() => {
  ({ deps } = memoryDeps());
  app = createApp(deps);
});

const call = (
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) => send(app, method, path, { ...options, headers: { ...admin, ...options.headers } });

describe('admin authentication', () => {
  it('answers 401 without a bearer token and with a wrong one, on every admin route', async () => {
    for (const [method, path] of [
      ['GET', '/admin/v1/campaigns'],
      ['POST', '/admin/v1/publish'],
      ['GET', '/admin/v1/partners'],
      ['DELETE', '/admin/v1/campaigns/cmp_x'],
    ] as const) {
      expect((await send(app, method, path)).status).toBe(401);
      const wrong = await send(app, method, path, { headers: { authorization: 'Bearer adm_wrong' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('unauthorized');
    }
  });
});

describe('campaigns', () => {
  it('creates (201 + ETag), reads, replaces with If-Match and deletes', async () => {
    const created = await call('POST', '/admin/v1/campaigns', { body: campaignInput() });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const id = created.body.id as string;
    expect(id).toMatch(/^cmp_/);
    expect(created.body.keywords[0].id).toMatch(/^kw_/);

    const got = await call('GET', `/admin/v1/campaigns/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.name).toBe('US National Human Trafficking Hotline');

    // A fetched campaign can be edited and sent back as it is, read-only fields included.
    const put = await call('PUT', `/admin/v1/campaigns/${id}`, {
      body: { ...got.body, priority: 5 },
      headers: { 'if-match': '"1"' },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    expect(put.body.keywords[0].id).toBe(created.body.keywords[0].id);

    expect((await call('GET', '/admin/v1/campaigns')).body.campaigns).toHaveLength(1);
    expect(
      (await call('DELETE', `/admin/v1/campaigns/${id}`, { headers: { 'if-match': '"2"' } })).status,
    ).toBe(204);
    expect((await call('GET', `/admin/v1/campaigns/${id}`)).status).toBe(404);
  });

  it('answers 428 without If-Match and 412 when it is stale, changing nothing', async () => {
    const { body } = await call('POST', '/admin/v1/campaigns', { body: campaignInput() });
    const path = `/admin/v1/campaigns/${body.id}`;
    const missing = await call('PUT', path, { body: campaignInput({ name: 'x' }) });
    expect(missing.status).toBe(428);
    expect(missing.body.error.code).toBe('precondition_required');
    expect((await call('DELETE', path)).status).toBe(428);
    const stale = await call('PUT', path, {
      body: campaignInput({ name: 'x' }),
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('precondition_failed');
    expect(
      (await call('PUT', path, { body: campaignInput(), headers: { 'if-match': 'garbage' } })).status,
    ).toBe(412);
    expect((await call('GET', path)).body.name).toBe('US National Human Trafficking Hotline');
  });

  it('answers 404 for an unknown campaign and 400 for a malformed id', async () => {
    expect((await call('GET', '/admin/v1/campaigns/cmp_missing')).status).toBe(404);
    expect(
      (
        await call('PUT', '/admin/v1/campaigns/cmp_missing', {
          body: campaignInput(),
          headers: { 'if-match': '"1"' },
        })
      ).status,
    ).toBe(404);
    expect((await call('GET', '/admin/v1/campaigns/not-an-id')).status).toBe(400);
  });

  it.each([
    [
      'a javascript: link',
      {
        messages: {
          en: { title: 't', body: '', actions: [{ type: 'link', label: 'x', href: 'javascript:alert(1)' }] },
        },
        defaultLocale: 'en',
      },
      /tel:, sms: or https:/,
    ],
    [
      'an http: link',
      {
        messages: {
          en: { title: 't', body: '', actions: [{ type: 'link', label: 'x', href: 'http://example.org' }] },
        },
        defaultLocale: 'en',
      },
      /tel:, sms: or https:/,
    ],
    ['a default locale without a message', { defaultLocale: 'fr' }, /default locale "fr" needs a message/],
    ['a fourth match type', { keywords: [{ text: 'x', match: 'fuzzy' }] }, /"exact", "phrase" or "broad"/],
    ['an unknown field', { colour: 'red' }, /colour|nrecognized/],
    ['a bad region', { regions: ['U$'] }, /ISO 3166/],
    [
      'an end before the start',
      { startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-11-01T00:00:00Z' },
      /end after it starts/,
    ],
    ['a keyword without letters', { keywords: [{ text: '!!!', match: 'phrase' }] }, /letter or digit/],
    ['an id on create', { id: 'cmp_mine' }, /Leave "id" out/],
  ])('answers 400 for %s and stores nothing', async (_name, overrides, message) => {
    const res = await call('POST', '/admin/v1/campaigns', { body: campaignInput(overrides) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(errorText(res.body)).toMatch(message);
    expect((await call('GET', '/admin/v1/campaigns')).body.campaigns).toHaveLength(0);
  });
});

describe('publish', () => {
  it('makes the drafts a new numbered version', async () => {
    await call('POST', '/admin/v1/campaigns', { body: campaignInput() });
    const first = await call('POST', '/admin/v1/publish');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ version: 1, campaigns: 1, keywords: 1, publishedBy: 'local-admin' });
    expect((await call('POST', '/admin/v1/publish')).body.version).toBe(2);
    expect((await send(app, 'GET', '/healthz')).body.rulesetVersion).toBe(2);
  });
});

describe('partners', () => {
  it('creates a partner with a site key and a secret shown once, stored only as a hash', async () => {
    const res = await call('POST', '/admin/v1/partners', {
      body: { name: 'Jobs board', allowedOrigins: ['https://jobs.example', 'http://localhost:8080'] },
    });
    expect(res.status).toBe(201);
    expect(res.body.partner).toMatchObject({
      name: 'Jobs board',
      status: 'active',
      allowedOrigins: ['https://jobs.example', 'http://localhost:8080'],
    });
    expect(res.body.partner.id).toMatch(/^ptn_/);
    expect(res.body.partner.siteKey).toMatch(/^pk_/);
    expect(res.body.secretKey).toMatch(/^sk_/);
    const listed = await call('GET', '/admin/v1/partners');
    expect(listed.text).not.toContain(res.body.secretKey);
    expect(
      JSON.stringify([...(deps.partners as unknown as { items: Map<string, unknown> }).items.values()]),
    ).not.toContain(res.body.secretKey);
  });

  it.each([
    ['an origin with a path', ['https://jobs.example/search'], /origin only/],
    ['plain http on a public host', ['http://jobs.example'], /https:/],
    ['not a URL', ['jobs.example'], /not an origin/],
  ])('answers 400 for %s', async (_name, allowedOrigins, message) => {
    const res = await call('POST', '/admin/v1/partners', { body: { name: 'x', allowedOrigins } });
    expect(res.status).toBe(400);
    expect(errorText(res.body)).toMatch(message);
  });

  it('issues and revokes secret keys, which work and then stop working', async () => {
    await deps.campaigns.create(defaultCampaign(), 'test');
    await call('POST', '/admin/v1/publish');
    const { body } = await call('POST', '/admin/v1/partners', { body: { name: 'Search' } });
    const id = body.partner.id as string;
    const issued = await call('POST', `/admin/v1/partners/${id}/keys`);
    expect(issued.status).toBe(201);
    const matchWith = (key: string) =>
      send(app, 'POST', '/v1/match', {
        body: { query: 'human trafficking', region: 'US' },
        headers: { 'x-api-key': key },
      });
    expect((await matchWith(issued.body.secretKey)).status).toBe(200);
    const revoked = await call('DELETE', `/admin/v1/partners/${id}/keys/${issued.body.key.id}`);
    expect(revoked.status).toBe(200);
    expect((await matchWith(issued.body.secretKey)).status).toBe(401);
    expect((await matchWith(body.secretKey)).status).toBe(200);
  });

  it('patches name, origins and status, checking If-Match when sent', async () => {
    const { body } = await call('POST', '/admin/v1/partners', { body: { name: 'Search' } });
    const path = `/admin/v1/partners/${body.partner.id}`;
    const patched = await call('PATCH', path, {
      body: { allowedOrigins: ['https://a.example'] },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.allowedOrigins).toEqual(['https://a.example']);
    expect((await call('PATCH', path, { body: { name: 'y' }, headers: { 'if-match': '"1"' } })).status).toBe(
      412,
    );
    expect((await call('PATCH', path, { body: {} })).status).toBe(400);
    expect((await call('PATCH', '/admin/v1/partners/ptn_missing', { body: { name: 'y' } })).status).toBe(404);
  });
});
