/**
 * Help is never withheld because of DynamoDB: with every call failing, slow past its budget or throttled, the
 * real node server keeps answering POST /v1/match from the last good ruleset, within its latency budget; a cold
 * process that cannot reach the table serves the bundled national hotline and counts it; when the table comes
 * back, a version published meanwhile by someone else is picked up.
 *
 * Faults are injected into the service's own DynamoDB client, below the SDK's retry layer, so every attempt
 * (retries included) fails or waits the way a real outage makes it.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoRepositories } from '../../functions/adapters/dynamodb/index.js';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { randomIds } from '../../functions/core/ids.js';
import { LiveRuleset } from '../../functions/core/live-ruleset.js';
import { createApp } from '../../functions/http/app.js';
import { StaticTokenAuthenticator } from '../../functions/local/admin-token.js';
import { MemoryMetrics } from '../../functions/local/logger.js';
import { type LocalService, startLocalService } from '../../functions/local/service.js';
import { aCampaign } from '../helpers/campaigns.js';
import { type Sent, send } from '../helpers/http.js';

type Mode = 'ok' | 'fail' | 'slow' | 'throttle';

/** Middleware that fails, delays or throttles every DynamoDB attempt while its mode says so. */
function faults(delayMs = 1_500) {
  const state = { mode: 'ok' as Mode, attempts: 0 };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    state,
    attach(client: DynamoDBClient) {
      client.middlewareStack.add(
        (next) => async (args) => {
          state.attempts += 1;
          if (state.mode === 'fail') {
            throw Object.assign(new Error('connect ECONNREFUSED (injected)'), { code: 'ECONNREFUSED' });
          }
          if (state.mode === 'throttle') {
            throw new ProvisionedThroughputExceededException({
              message: 'Rate exceeded (injected)',
              $metadata: {},
            });
          }
          if (state.mode === 'slow') await sleep(delayMs);
          return next(args);
        },
        // Below the retry middleware: every attempt meets the fault.
        { step: 'finalizeRequest', priority: 'low', name: 'injectedFaults' },
      );
    },
  };
}

/** Answers and their latency over HTTP, sequential requests for `forMs`. */
async function hammer(url: string, headers: Record<string, string>, body: unknown, forMs: number) {
  const results: { status: number; ms: number; body: Sent['body'] }[] = [];
  const until = performance.now() + forMs;
  while (performance.now() < until && results.length < 2_000) {
    const started = performance.now();
    const res = await send(url, 'POST', '/v1/match', { body, headers });
    results.push({ status: res.status, ms: performance.now() - started, body: res.body });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  return { results, max: sorted.at(-1) ?? 0, p50: sorted[Math.floor(sorted.length / 2)] ?? 0 };
}

const HOTLINE = 'tel:+18883737888';
// The partner lookup's budget in the cold process below; the local service uses the default, 500 ms.
const PARTNER_BUDGET_MS = 200;
// The latency budget of a match while the table misbehaves: at most one wait of the partner lookup's budget
// (then the last answer is trusted for a while), plus slack for a loaded 2-core CI machine. A healthy answer
// takes about a millisecond.
const WARM_BUDGET_MS = 500 + 250;

describe('POST /v1/match while DynamoDB misbehaves (warm instance)', () => {
  const inject = faults();
  let service: LocalService;
  let headers: Record<string, string>;
  const body = { query: 'they took my passport', region: 'US' };

  beforeAll(async () => {
    service = await startLocalService({
      port: 0,
      dataDir: null,
      logLevel: 'silent',
      partnerCacheMs: 300,
      configureClient: (client) => inject.attach(client),
    });
    headers = { 'x-api-key': service.demoPartner.secretKey ?? '' };
    const warm = await send(service.url, 'POST', '/v1/match', { body, headers });
    expect(warm.status).toBe(200);
    expect(warm.body.rulesetVersion).toBe(1);
  });
  afterAll(async () => {
    inject.state.mode = 'ok';
    await service?.close();
  });

  it.each([
    ['failing every call', 'fail'],
    ['slow past every budget', 'slow'],
    ['throttling', 'throttle'],
  ] as const)('keeps answering from the last good ruleset with the table %s', async (_name, mode) => {
    const healthy = await hammer(service.url, headers, body, 600);
    const before = inject.state.attempts;
    inject.state.mode = mode;
    // Past the partner cache (300 ms) and the ruleset check interval (2 s), so both go back to the table.
    const run = await hammer(service.url, headers, body, 2_600);
    inject.state.mode = 'ok';
    expect(inject.state.attempts - before, 'the service did go back to the table').toBeGreaterThan(0);
    expect(run.results.length).toBeGreaterThan(5);
    for (const r of run.results) {
      expect(r.status).toBe(200);
      expect(r.body.rulesetVersion).toBe(1);
      expect(r.body.match.message.actions[0].href).toBe(HOTLINE);
    }
    expect(run.max).toBeLessThan(WARM_BUDGET_MS);
    // Typical requests do not wait on the table at all: as fast as when it was healthy, give or take noise.
    expect(run.p50).toBeLessThan(3 * healthy.p50 + 30);
  });

  it('counts the failed checks, and picks up a version published elsewhere once the table is back', async () => {
    expect(service.metrics.counts.get('RulesetLoadFailed') ?? 0).toBeGreaterThan(0);
    inject.state.mode = 'fail';
    // Another instance (an admin function) publishes while this one cannot reach the table.
    const other = new DynamoDBClient({
      endpoint: service.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const repos = dynamoRepositories(DynamoDBDocumentClient.from(other), service.tables);
    const fresh = aCampaign({
      priority: 100,
      keywords: [{ id: 'kw_fresh', text: 'farm work no pay', match: 'broad' }],
    });
    await repos.rulesets.publish({
      publishedAt: new Date().toISOString(),
      publishedBy: 'test',
      campaigns: [defaultCampaign(), fresh],
    });
    other.destroy();
    const during = await send(service.url, 'POST', '/v1/match', {
      body: { query: 'no pay for farm work' },
      headers,
    });
    expect(during.body).toEqual({ match: null, rulesetVersion: 1 });

    inject.state.mode = 'ok';
    const until = performance.now() + 6_000;
    let seen = 1;
    while (performance.now() < until && seen < 2) {
      const res = await send(service.url, 'POST', '/v1/match', {
        body: { query: 'no pay for farm work' },
        headers,
      });
      expect(res.status).toBe(200);
      seen = res.body.rulesetVersion;
      if (seen === 2) expect(res.body.match.campaignId).toBe(fresh.id);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe(2);
  });
});

describe('a cold process that cannot reach its table', () => {
  let seeded: LocalService;
  beforeAll(async () => {
    // A table that holds the published hotline (version 1) and the demo partner; then a new "process" starts
    // with every call to it failing or slow.
    seeded = await startLocalService({ port: 0, dataDir: null, logLevel: 'silent' });
  });
  afterAll(async () => {
    await seeded?.close();
  });

  async function coldProcess(mode: Mode) {
    const inject = faults(1_500);
    inject.state.mode = mode;
    const client = new DynamoDBClient({
      endpoint: seeded.endpoint,
      region: 'us-east-1',
      maxAttempts: 3,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    inject.attach(client);
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const repos = dynamoRepositories(doc, seeded.tables);
    const metrics = new MemoryMetrics();
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const live = new LiveRuleset(repos.rulesets, { ttlMs: 500, coldBudgetMs: 300, metrics, logger: silent });
    const app = createApp({
      ...repos,
      live,
      impressions: { served: () => 'tok' },
      clock: { now: () => new Date() },
      ids: randomIds,
      logger: silent,
      metrics,
      adminAuth: new StaticTokenAuthenticator('adm_cold'),
      partnerLookupBudgetMs: PARTNER_BUDGET_MS,
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      inject,
      metrics,
      url,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        client.destroy();
      },
    };
  }

  it('answers the widget too: its preflight and its site-key request, with CORS for the page', async () => {
    const cold = await coldProcess('fail');
    try {
      const origin = 'https://news.example';
      const preflight = await fetch(`${cold.url}/v1/match`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-site-key',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      const res = await send(cold.url, 'POST', '/v1/match', {
        body: { query: 'human trafficking', region: 'US' },
        headers: { 'x-site-key': seeded.demoPartner.siteKey, origin },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.body.match.message.actions[0].href).toBe(HOTLINE);
    } finally {
      await cold.close();
    }
  });

  it.each(['fail', 'slow', 'throttle'] as const)(
    'serves the bundled national hotline (version 0) with the table %s, says so in a metric, then recovers',
    async (mode) => {
      const cold = await coldProcess(mode);
      try {
        const headers = { 'x-api-key': seeded.demoPartner.secretKey ?? '' };
        const body = { query: 'human trafficking hotline', region: 'US' };
        const started = performance.now();
        const first = await send(cold.url, 'POST', '/v1/match', { body, headers });
        const ms = performance.now() - started;
        expect(first.status).toBe(200);
        expect(first.body.rulesetVersion).toBe(0);
        expect(first.body.match.message.actions[0].href).toBe(HOTLINE);
        // The partner lookup's budget, then the cold budget, and slack for a loaded machine.
        expect(ms).toBeLessThan(PARTNER_BUDGET_MS + 300 + 500);
        expect(cold.metrics.counts.get('BundledDefaultServed')).toBeGreaterThanOrEqual(1);
        // The key could not be checked either: served, and counted as unverified.
        expect(cold.metrics.counts.get('PartnerUnverifiedServed')).toBeGreaterThanOrEqual(1);

        cold.inject.state.mode = 'ok';
        const until = performance.now() + 6_000;
        let version = 0;
        while (performance.now() < until && version < 1) {
          const res = await send(cold.url, 'POST', '/v1/match', { body, headers });
          expect(res.status).toBe(200);
          version = res.body.rulesetVersion;
          if (version < 1) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(version).toBe(1);
        // Once the table answers, keys are checked again: a wrong key is refused.
        const forged = await send(cold.url, 'POST', '/v1/match', {
          body,
          headers: { 'x-api-key': 'sk_forged' },
        });
        expect(forged.status).toBe(401);
      } finally {
        cold.inject.state.mode = 'ok';
        await cold.close();
      }
    },
  );
});
