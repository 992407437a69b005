/**
 * Counting (issue 4, "How fast"): what counting costs in DynamoDB, and on the match path.
 * - Write units per 1,000 served events, with the in-process aggregation (one flush a second) at 100, 1,000
 *   and 10,000 served a second per process, and with none (one write per event, as a Lambda instance that
 *   flushes after every invocation would make), for traffic spread over many counters and for concentrated
 *   traffic. Baseline beside it: one UpdateItem per event, 1,000 units.
 * - The busiest partition key's writes a second when one campaign gets 10,000 events a second, with and without
 *   aggregation. Baseline beside it: an unsharded counter key takes all 10,000 (the limit is 1,000).
 * - Impressions and actions: one dedup-mark write per token per request, plus their share of counter writes.
 * - The match path's share: `served()` (sign a token, count in memory), per call.
 * The counter writer is the real one (Counters + DynamoCounterStore); its document client is an in-memory
 * stand-in that records each write, so the figures are exact counts, not timings. One run against a real dynalite
 * checks that each counter write costs the one write unit counted here (its ConsumedCapacity).
 *
 *   npx tsx bench/counting.ts [--json] [--quick]
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STAT_SHARDS } from '../functions/adapters/dynamodb/keys.js';
import { DynamoCounterStore } from '../functions/adapters/dynamodb/stats.js';
import { Counters, CountingImpressions } from '../functions/core/counters.js';
import { ImpressionTokens } from '../functions/core/impression-token.js';
import type { CounterKey, Logger, ServedEvent } from '../functions/core/ports.js';
import { MemoryMetrics } from '../functions/local/logger.js';
import { startDynalite } from '../test/helpers/dynalite.js';
import { rng as prng } from './lib/corpus.js';
import { fmt, isMain, opsPerSecond, printTable } from './lib/measure.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HOUR = Math.floor(Date.parse('2026-11-01T05:00:00Z') / 3_600_000);

/** Zipf-like pick of 0..n-1: a few keywords and regions take most searches, as real traffic does. */
function zipf(n: number, random: () => number) {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(
    (
      (sum) => (w: number) =>
        (sum += w / total)
    )(0),
  );
  return () => {
    const r = random();
    const i = cumulative.findIndex((c) => r <= c);
    return i < 0 ? n - 1 : i;
  };
}

/** The shapes of one hot campaign's traffic: how many keywords, partners, locales and regions it spreads over. */
const SHAPES = {
  spread: { keywords: 100, partners: 5, locales: 3, regions: 20 },
  concentrated: { keywords: 5, partners: 1, locales: 2, regions: 3 },
} as const;
type Shape = keyof typeof SHAPES;

/** One hot campaign's served events, skewed (Zipf-like) as search traffic is. */
function traffic(seed: number, shape: Shape = 'spread') {
  const random = prng(seed);
  const size = SHAPES[shape];
  const keyword = zipf(size.keywords, random);
  const partner = zipf(size.partners, random);
  const region = zipf(size.regions, random);
  const locales = ['en', 'es', 'fr'].slice(0, size.locales);
  return (): CounterKey => ({
    hour: HOUR,
    campaignId: 'cmp_hot',
    keywordId: `kw_${keyword()}`,
    partnerId: `ptn_${partner()}`,
    locale: locales[Math.floor(random() ** 2 * locales.length)] ?? 'en',
    region: `US-${String.fromCharCode(65 + region())}X`,
  });
}

/** A document client stand-in that takes every write at once and records which partition key it went to. */
function recordingDoc() {
  const writes = new Map<string, number>();
  const doc = {
    send: async (command: { input: { Key?: { pk?: string } } }) => {
      const pk = String(command.input.Key?.pk);
      writes.set(pk, (writes.get(pk) ?? 0) + 1);
      return { ConsumedCapacity: { CapacityUnits: 1 } };
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, writes };
}

interface Scenario {
  shape: Shape;
  servedPerSecond: number;
  aggregation: boolean;
  /** Seconds between flushes (with aggregation). */
  flushSeconds: number;
  events: number;
  writeUnits: number;
  unitsPer1000: number;
  partitionKeys: number;
  busiestKeyWritesPerSecond: number;
}

/**
 * `seconds` seconds of `rate` served events a second, flushed every `flushSeconds` (or after every event without
 * aggregation). The busiest key's writes a second are counted per second, flushes landing in the second they end.
 */
async function scenario(
  rate: number,
  seconds: number,
  aggregation: boolean,
  flushSeconds = 1,
  shape: Shape = 'spread',
): Promise<Scenario> {
  const { doc, writes } = recordingDoc();
  const metrics = new MemoryMetrics();
  const counters = new Counters(new DynamoCounterStore(doc, 'stats', { metrics }), {
    logger: silent,
    metrics,
    flushIntervalMs: 0,
    budgetMs: 60_000,
  });
  const next = traffic(rate, shape);
  let busiest = 0;
  for (let s = 0; s < seconds; s++) {
    const before = new Map(writes);
    for (let i = 0; i < rate; i++) {
      counters.add(next(), 'served');
      if (!aggregation) await counters.flush();
    }
    if ((s + 1) % flushSeconds === 0 || s === seconds - 1) await counters.flush();
    for (const [pk, n] of writes) busiest = Math.max(busiest, n - (before.get(pk) ?? 0));
  }
  const events = rate * seconds;
  const writeUnits = metrics.counts.get('CounterWriteUnits') ?? 0;
  return {
    shape,
    servedPerSecond: rate,
    aggregation,
    flushSeconds: aggregation ? flushSeconds : 0,
    events,
    writeUnits,
    unitsPer1000: (writeUnits / events) * 1000,
    partitionKeys: writes.size,
    busiestKeyWritesPerSecond: busiest,
  };
}

/** The same writer against a real dynalite: the write units it reports for the writes made. */
async function calibrate(events: number) {
  const dynamo = await startDynalite();
  try {
    const tables = await dynamo.newTables();
    const metrics = new MemoryMetrics();
    // A generous try limit: a loaded machine must not turn answers into retries, which report no units.
    const store = new DynamoCounterStore(dynamo.doc, tables.stats, { metrics, attemptTimeoutMs: 10_000 });
    const counters = new Counters(store, {
      logger: silent,
      metrics,
      flushIntervalMs: 0,
      budgetMs: 60_000,
    });
    const next = traffic(1);
    let writes = 0;
    for (let i = 0; i < events; i++) {
      counters.add(next(), i % 7 === 0 ? 'impressions' : 'served');
      if (i % 1_000 === 999) writes += (await counters.flush()).deltas;
    }
    writes += (await counters.flush()).deltas;
    return {
      events,
      writes,
      consumedWriteUnits: metrics.counts.get('CounterWriteUnits') ?? 0,
      retries: metrics.counts.get('CounterWriteRetries') ?? 0,
    };
  } finally {
    await dynamo.close();
  }
}

function servedCost(ms: number) {
  const counters = new Counters(
    { add: async () => [] },
    { logger: silent, metrics: new MemoryMetrics(), flushIntervalMs: 0, maxKeys: 1_000_000 },
  );
  const impressions = new CountingImpressions(
    new ImpressionTokens({ current: Buffer.alloc(32, 1), previous: [] }),
    counters,
    new MemoryMetrics(),
  );
  const next = traffic(3);
  const at = new Date(HOUR * 3_600_000);
  const events: ServedEvent[] = Array.from({ length: 10_000 }, () => ({ ...next(), rulesetVersion: 7, at }));
  const { opsPerSec } = opsPerSecond(events, (e) => impressions.served(e), ms);
  return { servedPerSecond: Math.round(opsPerSec), microsecondsPerCall: 1e6 / opsPerSec };
}

export async function run(opts: { json: boolean; quick?: boolean }): Promise<Record<string, unknown>> {
  const quick = opts.quick === true;
  const seconds = quick ? 3 : 10;
  const scenarios: Scenario[] = [];
  for (const rate of [100, 1_000, 10_000]) scenarios.push(await scenario(rate, seconds, true));
  scenarios.push(await scenario(1_000, seconds, true, 10));
  scenarios.push(await scenario(10_000, 1, false));
  for (const rate of [1_000, 10_000]) scenarios.push(await scenario(rate, seconds, true, 1, 'concentrated'));
  const calibration = await calibrate(quick ? 2_000 : 5_000);
  const served = servedCost(quick ? 300 : 1_500);
  const hot = scenarios.find(
    (s) => s.shape === 'spread' && s.servedPerSecond === 10_000 && s.aggregation && s.flushSeconds === 1,
  ) as Scenario;
  const unaggregated = scenarios.find((s) => !s.aggregation) as Scenario;
  const result = {
    shards: STAT_SHARDS,
    shapes: SHAPES,
    scenarios: scenarios.map((s) => ({ ...s, unitsPer1000: Math.round(s.unitsPer1000 * 10) / 10 })),
    calibration: {
      ...calibration,
      unitsPerWrite: calibration.consumedWriteUnits / Math.max(1, calibration.writes),
    },
    events: {
      note: 'per 1,000 impression or action events: one dedup-mark write each (1 unit), plus counter writes as for served',
      markUnitsPer1000: 1_000,
    },
    servedPath: served,
    baseline: {
      unitsPer1000: 1_000,
      note: 'one UpdateItem per event on one unsharded key: 1,000 units per 1,000 events, and all 10,000 writes/s of a hot campaign on one partition key (limit 1,000)',
      busiestKeyWritesPerSecond: 10_000,
    },
    goals: {
      busiestKeyUnder1000: {
        goal: 1_000,
        aggregated: hot.busiestKeyWritesPerSecond,
        unaggregated: unaggregated.busiestKeyWritesPerSecond,
        met: hot.busiestKeyWritesPerSecond < 1_000 && unaggregated.busiestKeyWritesPerSecond < 1_000,
      },
    },
  };
  if (!opts.json) print(result, scenarios, calibration, served);
  return result;
}

function print(
  result: { shards: number },
  scenarios: Scenario[],
  calibration: { events: number; writes: number; consumedWriteUnits: number; retries: number },
  served: { servedPerSecond: number; microsecondsPerCall: number },
) {
  const shapes = Object.entries(SHAPES)
    .map(
      ([name, s]) =>
        `${name}: ${s.keywords} keywords, ${s.partners} partners, ${s.locales} locales, ${s.regions} regions`,
    )
    .join('; ');
  console.log(`counter writes for one hot campaign (${shapes}; ${result.shards} shards)`);
  printTable([
    [
      'traffic',
      'served/s per process',
      'flush',
      'events',
      'write units',
      'units per 1,000',
      'busiest key writes/s',
      'baseline units/1,000',
    ],
    ...scenarios.map((s) => [
      s.shape,
      fmt.int(s.servedPerSecond),
      s.aggregation ? `every ${s.flushSeconds} s` : 'every event',
      fmt.int(s.events),
      fmt.int(s.writeUnits),
      s.unitsPer1000.toFixed(1),
      fmt.int(s.busiestKeyWritesPerSecond),
      '1,000 (10,000/s on one key)',
    ]),
  ]);
  console.log(
    `dynalite check: ${fmt.int(calibration.writes)} counter writes for ${fmt.int(calibration.events)} events consumed ${fmt.int(calibration.consumedWriteUnits)} write units (${calibration.retries} retries)`,
  );
  console.log(
    'impressions and actions: +1 write unit per event for its dedup mark, plus counter writes as above',
  );
  console.log(
    `match path: served() signs a token and counts in memory: ${fmt.int(served.servedPerSecond)}/s, ${served.microsecondsPerCall.toFixed(2)} µs a call`,
  );
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const result = await run({ json, quick: args.includes('--quick') });
  if (json) console.log(JSON.stringify(result, null, 2));
}
