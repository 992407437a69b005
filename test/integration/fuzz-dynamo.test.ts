/**
 * The route fuzzing of test/unit/fuzz-*.test.ts again, through the real DynamoDB adapters on a real dynalite:
 * never a 5xx, and a refused request leaves both tables exactly as they were. Fewer runs per route than the
 * in-memory fuzzing, whose job is volume; this one's is the adapters.
 *
 * The tables are compared item by item (a full scan) whenever a write command went out since the last
 * comparison; a request during which no write went out cannot have changed them. Buffered counters are
 * flushed, and writes still in flight awaited, before each comparison, so a count a refused request added
 * would show, and a late write of an earlier request is not blamed on the next one.
 *
 * Every write command is also counted for the request that started it (its async context, which also holds
 * work the request left running, and the counter flush after it; the counters' own timer is off here). A write
 * the client gave up on at its deadline can still be applied by the server afterwards, during a later request:
 * a change that request started no write for is not blamed on it (test/helpers/fuzz.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import { type LocalService, startLocalService } from '../../functions/local/service.js';
import { type FuzzSubject, fuzzRoute, type Route, routesOf } from '../helpers/fuzz.js';

let service: LocalService;
let subject: FuzzSubject;
let routes: Route[] = [];
const writes = { sent: 0, inFlight: 0 };
/** The request a write command belongs to, and how many each has started. */
const requestScope = new AsyncLocalStorage<{ writes: number }>();
let lastRequest = { writes: 0 };

/**
 * Waits until no write command is in flight. A request may answer before a write it started has finished (the
 * event intake waits only so long for its marks): that write belongs to that request's snapshot, not to the
 * next request's, which would otherwise be blamed for it.
 */
async function writesSettled(): Promise<void> {
  while (writes.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** JSON with every object's keys in order, at every depth, so equal items give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function scan(client: DynamoDBClient, table: string): Promise<string[]> {
  const items: string[] = [];
  for await (const page of paginateScan({ client }, { TableName: table })) {
    for (const item of page.Items ?? []) items.push(canonical(item));
  }
  return items.sort();
}

beforeAll(async () => {
  service = await startLocalService({
    port: 0,
    dataDir: null,
    logLevel: 'silent',
    rateLimits: { secretKey: { perSecond: 1e9, burst: 1e9 }, siteKey: { perSecond: 1e9, burst: 1e9 } },
    // Counters are written only by the flush in snapshot(), on behalf of the request just answered.
    countingOptions: { counters: { flushIntervalMs: 0 } },
    configureClient: (client) =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (!/Put|Update|Delete|BatchWrite|Transact/.test(context.commandName ?? '')) return next(args);
          writes.sent += 1;
          const scope = requestScope.getStore();
          if (scope) scope.writes += 1;
          writes.inFlight += 1;
          try {
            return await next(args);
          } finally {
            writes.inFlight -= 1;
          }
        },
        { step: 'initialize', name: 'countWrites' },
      ),
  });
  const reader = new DynamoDBClient({
    endpoint: service.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const partner = await service.deps.partners.get(service.demoPartner.id);
  let compared = -1;
  let tables = '';
  const app = createApp(service.deps);
  subject = {
    app: {
      request: (input, init) => {
        lastRequest = { writes: 0 };
        return requestScope.run(lastRequest, () => app.request(input, init));
      },
    },
    writesOfLastRequest: () => lastRequest.writes,
    creds: {
      adminToken: service.adminToken,
      secretKey: service.demoPartner.secretKey ?? '',
      siteKey: service.demoPartner.siteKey,
      origin: service.url,
      ids: {
        id: ['cmp_us_national_hotline', service.demoPartner.id],
        keyId: partner?.keys.map((k) => k.id) ?? [],
        n: ['1', '2'],
        version: ['1'],
      },
    },
    snapshot: async () => {
      await writesSettled();
      // What the last request counted is written now, as its own writes.
      await requestScope.run(lastRequest, () => service.flush());
      if (writes.sent !== compared) {
        compared = writes.sent;
        tables = JSON.stringify([
          await scan(reader, service.tables.config),
          await scan(reader, service.tables.stats),
        ]);
      }
      return tables;
    },
  };
  routes = routesOf(app);
});
afterAll(async () => {
  await service?.close();
});

describe('fuzzing every route against dynalite', () => {
  it('sees write commands, so the comparison can tell a change', async () => {
    const before = writes.sent;
    await service.deps.campaigns.list();
    expect(writes.sent).toBe(before);
    const res = await app().request('http://localhost/admin/v1/publish', {
      method: 'POST',
      headers: { authorization: `Bearer ${service.adminToken}` },
    });
    expect(res.status).toBe(201);
    expect(writes.sent).toBeGreaterThan(before);
  });

  it('finds the routes, and every one keeps its promises under generated requests', async () => {
    // The API routes, which reach the tables; static assets are the in-memory fuzzing's.
    const api = routes.filter((route) => /^\/(v1|admin\/v1)\//.test(route.path));
    expect(api.length).toBeGreaterThan(10);
    for (const route of api) {
      // Writers matter most here: a refused write must not leave half of itself in a table.
      const runs = route.method === 'GET' ? 20 : 60;
      await fuzzRoute(route, runs, async () => subject, Number.POSITIVE_INFINITY);
    }
  }, 60_000);
});

const app = () => subject.app;
