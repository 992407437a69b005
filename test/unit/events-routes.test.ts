import { beforeEach, describe, expect, it } from 'vitest';
import { Counters, CountingImpressions, recountFallback } from '../../functions/core/counters.js';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { EventRecorder } from '../../functions/core/events.js';
import { ImpressionTokens } from '../../functions/core/impression-token.js';
import { createApp } from '../../functions/http/app.js';
import type { MemoryMetrics } from '../../functions/local/logger.js';
import { MemoryStats, memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { send } from '../helpers/http.js';

const ORIGIN = 'https://partner.example';

async function setup() {
  let now = new Date('2026-11-01T05:30:00Z');
  const clock = { now: () => now };
  const { deps, logLines } = memoryDeps({ clock });
  const stats = new MemoryStats();
  const tokens = new ImpressionTokens({ current: Buffer.alloc(32, 9), previous: [] });
  const counters = new Counters(stats, {
    logger: deps.logger,
    metrics: deps.metrics,
    flushIntervalMs: 0,
    now: () => now.getTime(),
  });
  deps.impressions = new CountingImpressions(tokens, counters, deps.metrics);
  deps.events = new EventRecorder(tokens, stats, counters, {
    clock,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  deps.reports = stats;
  const app = createApp(deps);
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  await deps.campaigns.create(defaultCampaign(), 'test');
  await send(app, 'POST', '/admin/v1/publish', { headers: admin });
  const partner = async (name: string) => {
    const made = await send(app, 'POST', '/admin/v1/partners', {
      headers: admin,
      body: { name, allowedOrigins: [ORIGIN] },
    });
    return {
      secretKey: made.body.secretKey as string,
      id: made.body.partner.id as string,
      siteKey: made.body.partner.siteKey as string,
    };
  };
  const a = await partner('Search partner');
  const b = await partner('Other partner');
  const match = async (secretKey = a.secretKey) => {
    const res = await send(app, 'POST', '/v1/match', {
      headers: { 'x-api-key': secretKey },
      body: { query: 'they took my passport', locale: 'en-US', region: 'US-CA' },
    });
    expect(res.status).toBe(200);
    return res.body.match.impressionToken as string;
  };
  const events = (events: unknown[], headers: Record<string, string> = { 'x-api-key': a.secretKey }) =>
    send(app, 'POST', '/v1/events', { headers, body: { events } });
  const counted = async () => {
    await counters.flush();
    const report = await send(app, 'GET', '/admin/v1/reports?from=2026-11-01&to=2026-11-02', {
      headers: admin,
    });
    return report.body.totals;
  };
  return {
    app,
    deps,
    logLines,
    stats,
    counters,
    a,
    b,
    match,
    events,
    counted,
    admin,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

let s: Awaited<ReturnType<typeof setup>>;
beforeEach(async () => {
  s = await setup();
});

const none = { call: 0, text: 0, link: 0, dismiss: 0, exit: 0 };

describe('POST /v1/events', () => {
  it('answers 202 and counts an impression and each action once per token', async () => {
    const token = await s.match();
    const res = await s.events([
      { token, type: 'impression' },
      { token, type: 'action', action: 'call' },
      { token, type: 'action', action: 'text' },
      { token, type: 'impression' },
      { token, type: 'action', action: 'call' },
    ]);
    expect(res.status).toBe(202);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({ accepted: 3, rejected: 2 });
    expect(await s.counted()).toEqual({ served: 1, impressions: 1, actions: { ...none, call: 1, text: 1 } });
  });

  it('rejects a replay in a later request, and never counts it', async () => {
    const token = await s.match();
    expect((await s.events([{ token, type: 'impression' }])).body).toEqual({ accepted: 1, rejected: 0 });
    expect((await s.events([{ token, type: 'impression' }])).body).toEqual({ accepted: 0, rejected: 1 });
    expect((await s.events([{ token, type: 'action', action: 'exit' }])).body).toEqual({
      accepted: 1,
      rejected: 0,
    });
    expect((await s.events([{ token, type: 'action', action: 'exit' }])).body).toEqual({
      accepted: 0,
      rejected: 1,
    });
    expect(await s.counted()).toEqual({ served: 1, impressions: 1, actions: { ...none, exit: 1 } });
  });

  it("rejects forged, expired, malformed and other partners' tokens, and counts the rest", async () => {
    const stale = await s.match();
    s.advance(24 * 3_600_000 + 1);
    const good = await s.match();
    const theirs = await s.match(s.b.secretKey);
    const forged = `${good.slice(0, -3)}${good.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const fresh = await s.match();
    const res = await s.events([
      { token: good, type: 'impression' },
      { token: theirs, type: 'impression' },
      { token: forged, type: 'impression' },
      { token: stale, type: 'impression' },
      { token: 'not-a-token', type: 'impression' },
      { token: fresh, type: 'action', action: 'link' },
    ]);
    expect(res.body).toEqual({ accepted: 2, rejected: 4 });
    // The other partner's token still counts once, for them.
    expect(
      (await s.events([{ token: theirs, type: 'impression' }], { 'x-api-key': s.b.secretKey })).body,
    ).toEqual({
      accepted: 1,
      rejected: 0,
    });
    const totals = await s.counted();
    expect(totals).toEqual({ served: 4, impressions: 2, actions: { ...none, link: 1 } });
    expect((s.deps.metrics as MemoryMetrics).counts.get('EventsRejected')).toBe(4);
  });

  it("takes sendBeacon's text/plain body with the site key in the query, from an allowed origin", async () => {
    const token = await s.match();
    const res = await send(s.app, 'POST', `/v1/events?siteKey=${s.a.siteKey}`, {
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
      raw: JSON.stringify({
        events: [
          { token, type: 'impression' },
          { token, type: 'action', action: 'dismiss' },
        ],
      }),
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 2, rejected: 0 });
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await s.counted()).toMatchObject({ impressions: 1, actions: { dismiss: 1 } });
  });

  it('answers a CORS preflight for an allowed origin only', async () => {
    const ok = await send(s.app, 'OPTIONS', '/v1/events', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const other = await send(s.app, 'OPTIONS', '/v1/events', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 401 without a key or with a wrong one', async () => {
    const token = await s.match();
    expect((await s.events([{ token, type: 'impression' }], {})).status).toBe(401);
    expect((await s.events([{ token, type: 'impression' }], { 'x-api-key': 'sk_wrong' })).status).toBe(401);
    expect((await s.counted()).impressions).toBe(0);
  });

  it('answers 403 for a site key from an origin the partner does not allow', async () => {
    const token = await s.match();
    const res = await send(s.app, 'POST', `/v1/events?siteKey=${s.a.siteKey}`, {
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      raw: JSON.stringify({ events: [{ token, type: 'impression' }] }),
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it.each([
    ['malformed JSON', 'application/json', '{"events": [', /not valid JSON/],
    ['malformed JSON as text/plain', 'text/plain;charset=UTF-8', '{"events": [', /not valid JSON/],
    ['no events', 'application/json', '{"events": []}', /at least one event/],
    [
      '51 events',
      'application/json',
      JSON.stringify({ events: Array(51).fill({ token: 'x', type: 'impression' }) }),
      /at most 50/,
    ],
    [
      '51 events as text/plain',
      'text/plain',
      JSON.stringify({ events: Array(51).fill({ token: 'x', type: 'impression' }) }),
      /at most 50/,
    ],
    [
      'an unknown type',
      'application/json',
      '{"events": [{"token": "x", "type": "click"}]}',
      /impression" or "action/,
    ],
    [
      'an unknown action',
      'text/plain',
      '{"events": [{"token": "x", "type": "action", "action": "email"}]}',
      /call, text, link/,
    ],
    [
      'an action without its action',
      'application/json',
      '{"events": [{"token": "x", "type": "action"}]}',
      /action/,
    ],
    ['a body that is not an object', 'application/json', '["x"]', /object|expected/i],
    ['an empty text/plain body', 'text/plain', '', /not valid JSON/],
  ])('answers 400 for %s', async (_name, contentType, raw, message) => {
    const res = await send(s.app, 'POST', '/v1/events', {
      headers: { 'x-api-key': s.a.secretKey, 'content-type': contentType },
      raw,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toMatch(message);
  });

  it('answers 413 for a body over 32 KB', async () => {
    const res = await send(s.app, 'POST', '/v1/events', {
      headers: { 'x-api-key': s.a.secretKey, 'content-type': 'application/json' },
      raw: JSON.stringify({ events: [{ token: 'x'.repeat(40_000), type: 'impression' }] }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers 415 for a body that is neither JSON nor text/plain', async () => {
    const res = await send(s.app, 'POST', '/v1/events', {
      headers: { 'x-api-key': s.a.secretKey, 'content-type': 'application/x-www-form-urlencoded' },
      raw: 'events=1',
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('keeps events in the fallback sink, recountable, when the dedup marks cannot be written', async () => {
    const token = await s.match();
    s.stats.failing = true;
    const res = await s.events([
      { token, type: 'impression' },
      { token, type: 'action', action: 'call' },
    ]);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 2, rejected: 0 });
    const lines = s.logLines.filter((line) => line.includes('"fallback":"event"'));
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(token);
    const recount = recountFallback(lines);
    expect(recount.map((e) => e.delta.counts)).toEqual([{ impressions: 1 }, { call: 1 }]);
    expect(recount.every((e) => e.state === 'in_doubt' && typeof e.ref?.nonce === 'string')).toBe(true);
    expect((s.deps.metrics as MemoryMetrics).counts.get('CounterFallback')).toBe(2);
  });

  it('is in the OpenAPI document, with both body types', async () => {
    const doc = (await send(s.app, 'GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/v1/events'].post.requestBody.content)).toEqual([
      'application/json',
      'text/plain',
    ]);
    expect(doc.paths['/v1/events'].post.responses['202']).toBeDefined();
    expect(doc.paths['/admin/v1/reports'].get).toBeDefined();
  });
});
