/**
 * The counter writer under injected DynamoDB faults (aws-sdk-client-mock on the document client), and the
 * partition-key spread of a hot campaign.
 *
 * The mock keeps a little table of its own and applies each UpdateItem the way DynamoDB would (the ADDs, the
 * writer mark, the condition), so "lost" and "double counted" are measured, not assumed. Counters are written
 * with conditional UpdateItem (BatchWriteItem can neither ADD nor take a condition), so DynamoDB's per-item
 * partial failure for them is a write that landed but whose answer was lost: the fault that can double count.
 * That is injected at 20% of calls, beside 30% of calls throttled with the real exception classes.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import { describe, expect, it } from 'vitest';
import { rng as prng } from '../../bench/lib/corpus.js';
import { STAT_SHARDS } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoCounterStore, dynamoCounting } from '../../functions/adapters/dynamodb/stats.js';
import { Counters, recountFallback } from '../../functions/core/counters.js';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import type { CounterKey, Logger } from '../../functions/core/ports.js';
import { createApp } from '../../functions/http/app.js';
import { MemoryMetrics } from '../../functions/local/logger.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { send } from '../helpers/http.js';

expect.extend(allCustomMatcher);

const newDoc = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );

/** Applies our counter UpdateItem to an in-memory table, as DynamoDB would. */
class FakeTable {
  readonly items = new Map<string, Record<string, unknown>>();
  apply(input: UpdateCommandInput) {
    const id = `${input.Key?.pk}|${input.Key?.sk}`;
    const item = this.items.get(id) ?? { ...input.Key };
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const mark = names['#w'] as string;
    const current = item[mark];
    if (typeof current === 'number' && current >= (values[':seq'] as number)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    item[mark] = values[':seq'];
    Object.assign(item, {
      entity: 'counter',
      h: values[':h'],
      c: values[':c'],
      k: values[':k'],
      p: values[':p'],
      l: values[':l'],
      r: values[':r'],
    });
    for (const [alias, field] of Object.entries(names)) {
      if (!alias.startsWith('#f')) continue;
      item[field] = ((item[field] as number) ?? 0) + (values[`:f${alias.slice(2)}`] as number);
    }
    this.items.set(id, item);
  }
  /** Sums over shards, per counter key. */
  totals() {
    const sums = new Map<string, number>();
    for (const item of this.items.values()) {
      const id = [item.h, item.c, item.k, item.p, item.l, item.r].join('|');
      sums.set(id, (sums.get(id) ?? 0) + ((item.served as number) ?? 0));
    }
    return sums;
  }
}

const quietLogger = (lines: string[] = []): Logger => ({
  debug: () => {},
  info: () => {},
  warn: (message, fields) => lines.push(JSON.stringify({ message, ...fields })),
  error: (message, fields) => lines.push(JSON.stringify({ message, ...fields })),
});

const HOUR = Math.floor(Date.parse('2026-11-01T05:00:00Z') / 3_600_000);
const keyFor = (i: number, random: () => number): CounterKey => ({
  hour: HOUR + (i % 2),
  campaignId: 'cmp_hot',
  keywordId: `kw_${Math.floor(random() * 200)}`,
  partnerId: `ptn_${Math.floor(random() * 5)}`,
  locale: ['en', 'es', 'fr'][Math.floor(random() * 3)] ?? 'en',
  region: ['US', 'US-CA', 'US-TX', ''][Math.floor(random() * 4)] ?? '',
});
const truthId = (k: CounterKey) =>
  [k.hour, k.campaignId, k.keywordId ?? '', k.partnerId, k.locale, k.region].join('|');

describe('the counter writer under injected faults', () => {
  it('loses nothing and counts nothing twice with 30% of calls throttled and 20% of answers lost', async () => {
    const doc = newDoc();
    const mock = mockClient(doc);
    const table = new FakeTable();
    const random = prng(42);
    let throttled = 0;
    let lost = 0;
    mock.on(UpdateCommand).callsFake(async (input: UpdateCommandInput) => {
      const r = random();
      if (r < 0.3) {
        throttled++;
        const Kind = throttled % 2 ? ProvisionedThroughputExceededException : ThrottlingException;
        throw new Kind({ message: 'Rate exceeded (injected)', $metadata: {} });
      }
      table.apply(input);
      if (r < 0.5) {
        lost++;
        throw Object.assign(new Error('Connection timed out after the write (injected)'), {
          name: 'TimeoutError',
        });
      }
      return { ConsumedCapacity: { TableName: 'stats', CapacityUnits: 1 } };
    });

    const lines: string[] = [];
    const metrics = new MemoryMetrics();
    // Half of all calls fail here, so ten attempts (the default) run out for about one write in a thousand, and
    // the order of concurrent calls varies: thirty keep this test about the writer, not about that bound.
    const store = new DynamoCounterStore(doc, 'stats', {
      baseDelayMs: 1,
      maxDelayMs: 20,
      maxAttempts: 30,
      metrics,
    });
    const counters = new Counters(store, {
      logger: quietLogger(lines),
      metrics,
      flushIntervalMs: 0,
      budgetMs: 60_000,
    });
    const truth = new Map<string, number>();
    const keys = prng(7);
    let deltasWritten = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = keyFor(i, keys);
      counters.add(key, 'served');
      truth.set(truthId(key), (truth.get(truthId(key)) ?? 0) + 1);
      // Ten flush windows of a thousand events: the same counters are written again and again.
      if (i % 1_000 === 999) deltasWritten += (await counters.flush()).deltas;
    }

    expect(lines).toEqual([]);
    expect(table.totals()).toEqual(truth);
    expect([...table.totals().values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(throttled).toBeGreaterThan(0.25 * mock.commandCalls(UpdateCommand).length);
    expect(lost).toBeGreaterThan(0.15 * mock.commandCalls(UpdateCommand).length);
    // About two calls per write (1 / 0.5, plus the retry that finds a lost write's mark); never unbounded.
    const calls = mock.commandCalls(UpdateCommand).length;
    expect(calls).toBeGreaterThan(deltasWritten);
    expect(calls).toBeLessThan(3 * deltasWritten);
    expect(metrics.counts.get('CounterWriteRetries')).toBe(calls - deltasWritten);
    expect(mock).toHaveReceivedCommandTimes(UpdateCommand, calls);
  }, 60_000);

  it('gives up at the flush budget and leaves every unwritten event in the fallback sink, recountable', async () => {
    const doc = newDoc();
    const mock = mockClient(doc);
    const table = new FakeTable();
    const random = prng(9);
    mock.on(UpdateCommand).callsFake(async (input: UpdateCommandInput) => {
      if (random() < 0.9)
        throw new ThrottlingException({ message: 'Rate exceeded (injected)', $metadata: {} });
      table.apply(input);
      return {};
    });
    const lines: string[] = [];
    const metrics = new MemoryMetrics();
    const store = new DynamoCounterStore(doc, 'stats', { baseDelayMs: 5, maxDelayMs: 50 });
    const counters = new Counters(store, {
      logger: quietLogger(lines),
      metrics,
      flushIntervalMs: 0,
      budgetMs: 150,
    });
    const keys = prng(3);
    for (let i = 0; i < 2_000; i++) counters.add(keyFor(i, keys), 'served');
    const started = Date.now();
    const report = await counters.flush();
    expect(Date.now() - started).toBeLessThan(1_000);
    const written = [...table.totals().values()].reduce((a, b) => a + b, 0);
    const recounted = recountFallback(lines);
    expect(recounted.every((e) => e.state === 'not_applied')).toBe(true);
    expect(written + recounted.reduce((n, e) => n + (e.delta.counts.served ?? 0), 0)).toBe(2_000);
    expect(report.fallbackEvents).toBe(2_000 - written);
    expect(metrics.counts.get('CounterFallback')).toBe(2_000 - written);
  });
});

describe('matches and events with every DynamoDB write failing', () => {
  async function setup(fault: 'fail' | 'hang') {
    const doc = newDoc();
    const mock = mockClient(doc);
    if (fault === 'fail') {
      mock
        .onAnyCommand()
        .rejects(Object.assign(new Error('connect ECONNREFUSED (injected)'), { code: 'ECONNREFUSED' }));
    } else {
      mock.onAnyCommand().callsFake(() => new Promise(() => {}));
    }
    const { deps, logLines } = memoryDeps();
    const counting = dynamoCounting(
      doc,
      { stats: 'stats' },
      {
        logger: deps.logger,
        metrics: deps.metrics,
        clock: deps.clock,
        keyring: { current: Buffer.alloc(32, 5), previous: [] },
        counters: { flushIntervalMs: 0, budgetMs: 200 },
        store: { attemptTimeoutMs: 50, baseDelayMs: 5, maxDelayMs: 20 },
        marks: { attemptTimeoutMs: 50, baseDelayMs: 5, maxDelayMs: 20 },
        eventBudgetMs: 100,
      },
    );
    Object.assign(deps, {
      impressions: counting.impressions,
      events: counting.events,
      reports: counting.reports,
    });
    const app = createApp(deps);
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    await deps.campaigns.create(defaultCampaign(), 'test');
    await send(app, 'POST', '/admin/v1/publish', { headers: admin });
    const made = await send(app, 'POST', '/admin/v1/partners', {
      headers: admin,
      body: { name: 'P', allowedOrigins: [] },
    });
    return {
      app,
      mock,
      counting,
      logLines,
      metrics: deps.metrics as MemoryMetrics,
      secretKey: made.body.secretKey as string,
    };
  }

  it.each(['fail', 'hang'] as const)(
    'still answers every match with the message, and the fallback sink holds every event (%s)',
    async (fault) => {
      const s = await setup(fault);
      const tokens: string[] = [];
      let slowest = 0;
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        const res = await send(s.app, 'POST', '/v1/match', {
          headers: { 'x-api-key': s.secretKey },
          body: { query: i % 2 ? 'they took my passport' : 'human trafficking', region: 'US' },
        });
        slowest = Math.max(slowest, performance.now() - started);
        expect(res.status).toBe(200);
        expect(res.body.match.message.actions[0].href).toBe('tel:+18883737888');
        tokens.push(res.body.match.impressionToken);
      }
      // The match path never waits on the counters: no call reached DynamoDB, and nothing hung (a match
      // waiting on the hanging store would never have answered).
      expect(s.mock.calls()).toHaveLength(0);
      expect(slowest).toBeLessThan(1_000);
      for (let i = 0; i < 200; i += 50) {
        const batch = tokens.slice(i, i + 50).map((token) => ({ token, type: 'impression' }));
        const res = await send(s.app, 'POST', '/v1/events', {
          headers: { 'x-api-key': s.secretKey },
          body: { events: batch },
        });
        expect(res.status).toBe(202);
        expect(res.body).toEqual({ accepted: 50, rejected: 0 });
      }
      const started = Date.now();
      await s.counting.close();
      expect(Date.now() - started).toBeLessThan(1_500);

      const recount = recountFallback(s.logLines);
      const total = (field: 'served' | 'impressions') =>
        recount.reduce((n, e) => n + (e.delta.counts[field] ?? 0), 0);
      expect(total('served')).toBe(200);
      expect(total('impressions')).toBe(200);
      expect(s.metrics.counts.get('CounterFallback')).toBe(400);
      // Nothing in the sink but what counters need: no query, and no token (only its random id).
      const sink = s.logLines.filter((l) => l.includes('"fallback"')).join('\n');
      expect(sink).not.toMatch(/passport|trafficking/);
      for (const token of tokens.slice(0, 10)) expect(sink).not.toContain(token);
    },
  );
});

describe('partition keys for one hot campaign: 10,000 events in one second', () => {
  function recordingStore() {
    const doc = newDoc();
    const mock = mockClient(doc);
    const writes = new Map<string, number>();
    mock.on(UpdateCommand).callsFake(async (input: UpdateCommandInput) => {
      const pk = String(input.Key?.pk);
      writes.set(pk, (writes.get(pk) ?? 0) + 1);
      return {};
    });
    return { doc, writes };
  }
  const hot: CounterKey = {
    hour: HOUR,
    campaignId: 'cmp_hot',
    keywordId: 'kw_1',
    partnerId: 'ptn_1',
    locale: 'en',
    region: 'US',
  };

  it('without any aggregation (one write per event, as if every event flushed alone), no key takes 1,000', async () => {
    const { doc, writes } = recordingStore();
    // Twenty instances, 500 events each, all on the very same counter: the worst case.
    for (let w = 0; w < 20; w++) {
      const store = new DynamoCounterStore(doc, 'stats');
      for (let i = 0; i < 500; i++)
        await store.add([{ key: hot, counts: { served: 1 } }], Date.now() + 5_000);
    }
    const per = [...writes.values()];
    expect(per.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(writes.size).toBe(STAT_SHARDS);
    // Every shard takes its share: 10,000 / 16 = 625 a second each.
    expect(Math.max(...per)).toBeLessThanOrEqual(700);
    expect(Math.min(...per)).toBeGreaterThanOrEqual(550);
  });

  it('with the one-second aggregation of one process, a flush makes one write per distinct counter, spread over the shards', async () => {
    const { doc, writes } = recordingStore();
    const lines: string[] = [];
    const counters = new Counters(new DynamoCounterStore(doc, 'stats'), {
      logger: quietLogger(lines),
      metrics: new MemoryMetrics(),
      flushIntervalMs: 0,
      // This measures where writes go, not how fast the mock takes them.
      budgetMs: 60_000,
    });
    const random = prng(11);
    const distinct = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const key = { ...keyFor(0, random), hour: HOUR };
      distinct.add(truthId(key));
      counters.add(key, 'served');
    }
    await counters.flush();
    expect(lines).toEqual([]);
    const per = [...writes.values()];
    const total = per.reduce((a, b) => a + b, 0);
    // 12,000 possible counters drawn uniformly: about 6,800 distinct, the rest merged in memory.
    expect(total).toBe(distinct.size);
    expect(total).toBeLessThan(10_000);
    expect(writes.size).toBe(STAT_SHARDS);
    expect(Math.max(...per)).toBeLessThan(1_000);
    expect(Math.max(...per)).toBeLessThan((1.3 * total) / STAT_SHARDS);
  });
});
