/**
 * Every route gets thousands of generated requests through app.request, with every port in memory: never a
 * 5xx, never a stack trace, never a crash, and a refused request (4xx) changes nothing that is stored.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { createApp } from '../../functions/http/app.js';
import { widgetAsset } from '../../functions/http/widget.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { expectWellFormed, requestFor, routesOf, sendFuzz } from '../helpers/fuzz.js';
import { send } from '../helpers/http.js';

const RUNS_PER_ROUTE = 1_000;
const ORIGIN = 'https://partner.example';

async function setup() {
  const { deps, served } = memoryDeps({
    widget: { asset: widgetAsset('/* widget */'), demoSiteKey: 'pk_demo_demo_demo' },
    // Thousands of requests on one key: limits are tested elsewhere, here they would only hide routes.
    rateLimits: { secretKey: { perSecond: 1e9, burst: 1e9 }, siteKey: { perSecond: 1e9, burst: 1e9 } },
  });
  const app = createApp(deps);
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  await deps.campaigns.create(defaultCampaign(), 'test');
  await send(app, 'POST', '/admin/v1/publish', { headers: admin });
  const made = await send(app, 'POST', '/admin/v1/partners', {
    headers: admin,
    body: { name: 'Search partner', allowedOrigins: [ORIGIN] },
  });
  expect(made.status).toBe(201);
  const partner = made.body.partner;
  const stored = await deps.partners.get(partner.id);
  const creds = {
    adminToken: TEST_ADMIN_TOKEN,
    secretKey: made.body.secretKey as string,
    siteKey: partner.siteKey as string,
    origin: ORIGIN,
    ids: {
      id: ['cmp_us_national_hotline', partner.id as string],
      keyId: stored?.keys.map((k) => k.id) ?? [],
      n: ['1', '2'],
      version: ['1'],
    },
  };
  /** Everything stored, in a form two snapshots can be compared by. */
  const snapshot = () =>
    JSON.stringify(
      Object.entries(deps)
        .filter(([name]) => !['live', 'logger', 'metrics', 'clock', 'ids', 'widget', 'adminAuth'].includes(name))
        .map(([name, port]) => [name, stateOf(port)]),
    ) + JSON.stringify(served);
  return { app, creds, snapshot };
}

/** The data fields of an in-memory port (Maps and arrays included), not its methods. */
function stateOf(value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, stateOf(v)]);
  if (value instanceof Set) return [...value].map(stateOf);
  if (Array.isArray(value)) return value.map(stateOf);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => typeof v !== 'function')
        .map(([k, v]) => [k, stateOf(v)]),
    );
  }
  return value;
}

const routes = [
  ...routesOf(createApp(memoryDeps({ widget: { asset: widgetAsset('') } }).deps)),
  { method: 'POST', path: '/nowhere/:id' },
];

describe('fuzzing every route through app.request', () => {
  it('finds the routes to fuzz', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/match', 'POST /v1/banner', 'POST /admin/v1/campaigns', 'GET /healthz']),
    );
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: never a 5xx, and a refused request changes nothing',
    async (_name, route) => {
      const s = await setup();
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(requestFor(route, s.creds), async (req) => {
          const before = s.snapshot();
          const res = await sendFuzz(s.app, req);
          expectWellFormed(req, res);
          if (res.status >= 400) {
            refused += 1;
            expect(s.snapshot(), `${req.method} ${req.path} was refused (${res.status}) but changed stored state`).toBe(before);
          }
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
      // The generator reaches refusals on every route (else it proves nothing about them).
      expect(refused).toBeGreaterThan(RUNS_PER_ROUTE / 10);
    },
  );
});
