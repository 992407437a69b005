import { describe, expect, it, vi } from 'vitest';
import { Counters, CountingImpressions, hourLabel, recountFallback } from '../../functions/core/counters.js';
import { ImpressionTokens } from '../../functions/core/impression-token.js';
import type {
  CounterDelta,
  CounterKey,
  CounterStore,
  Logger,
  UnwrittenDelta,
} from '../../functions/core/ports.js';
import { MemoryMetrics } from '../../functions/local/logger.js';
import { MemoryStats } from '../fakes/memory.js';

const HOUR = 493_085; // 2026-04-01T05
const key = (over: Partial<CounterKey> = {}): CounterKey => ({
  hour: HOUR,
  campaignId: 'cmp_a',
  keywordId: 'kw_a',
  partnerId: 'ptn_a',
  locale: 'en',
  region: 'US',
  ...over,
});

function capture() {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (message, fields) => lines.push(JSON.stringify({ message, ...fields })),
    error: (message, fields) => lines.push(JSON.stringify({ message, ...fields })),
  };
  return { lines, logger, metrics: new MemoryMetrics() };
}

class RecordingStore implements CounterStore {
  readonly calls: CounterDelta[][] = [];
  answer: (deltas: CounterDelta[]) => Promise<UnwrittenDelta[]> = async () => [];
  add(deltas: CounterDelta[]) {
    this.calls.push(structuredClone(deltas));
    return this.answer(deltas);
  }
}

const sum = (deltas: CounterDelta[], field: 'served' | 'impressions' = 'served') =>
  deltas.reduce((n, d) => n + (d.counts[field] ?? 0), 0);

describe('Counters', () => {
  it('aggregates identical counters within a flush into one delta', async () => {
    const { logger, metrics } = capture();
    const store = new RecordingStore();
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 0 });
    for (let i = 0; i < 1_000; i++) counters.add(key(), 'served');
    for (let i = 0; i < 10; i++) counters.add(key({ region: 'US-CA' }), 'served');
    counters.add(key(), 'impressions');
    counters.add(key({ keywordId: null }), 'served');
    expect(counters.pending()).toBe(1_012);
    const report = await counters.flush();
    expect(report).toEqual({ deltas: 3, events: 1_012, fallbackEvents: 0 });
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]).toEqual([
      { key: key(), counts: { served: 1_000, impressions: 1 } },
      { key: key({ region: 'US-CA' }), counts: { served: 10 } },
      { key: key({ keywordId: null }), counts: { served: 1 } },
    ]);
    expect(counters.pending()).toBe(0);
    expect(await counters.flush()).toEqual({ deltas: 0, events: 0, fallbackEvents: 0 });
  });

  it('sends what the store could not add to the fallback sink, recountably, with a metric', async () => {
    const { lines, logger, metrics } = capture();
    const store = new RecordingStore();
    store.answer = async (deltas) =>
      deltas.map((delta, i) => ({
        delta,
        state: i === 0 ? ('in_doubt' as const) : ('not_applied' as const),
        ...(i === 0 && { ref: { writer: 'w1', seq: 3, pk: 'CNT#x', sk: 'y' } }),
      }));
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 0 });
    for (let i = 0; i < 7; i++) counters.add(key(), 'served');
    counters.add(key({ locale: '', region: '' }), 'call', 2);
    const report = await counters.flush();
    expect(report.fallbackEvents).toBe(9);
    expect(metrics.counts.get('CounterFallback')).toBe(9);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({
      message: 'counter fallback',
      fallback: 'counter',
      state: 'not_applied',
      hour: hourLabel(HOUR),
      counts: { call: 2 },
    });
    const recount = recountFallback(['not json', '{"message":"request"}', ...lines]);
    expect(recount).toEqual([
      {
        delta: { key: key(), counts: { served: 7 } },
        state: 'in_doubt',
        ref: { writer: 'w1', seq: 3, pk: 'CNT#x', sk: 'y' },
      },
      { delta: { key: key({ locale: '', region: '' }), counts: { call: 2 } }, state: 'not_applied' },
    ]);
  });

  it('treats a store that throws as having written nothing it can vouch for', async () => {
    const { lines, logger, metrics } = capture();
    const store = new RecordingStore();
    store.answer = async () => {
      throw new Error('boom');
    };
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 0 });
    counters.add(key(), 'served', 5);
    expect((await counters.flush()).fallbackEvents).toBe(5);
    expect(recountFallback(lines)[0]?.state).toBe('in_doubt');
  });

  it('flushes one batch at a time, and a flush asked for meanwhile takes what came in after', async () => {
    const { logger, metrics } = capture();
    const store = new RecordingStore();
    let release: () => void = () => {};
    store.answer = () => new Promise((resolve) => (release = () => resolve([])));
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 0 });
    counters.add(key(), 'served');
    const first = counters.flush();
    counters.add(key(), 'served');
    counters.add(key(), 'served');
    const second = counters.flush();
    await Promise.resolve();
    expect(store.calls).toHaveLength(1);
    release();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await second;
    expect(store.calls.map((c) => sum(c))).toEqual([1, 2]);
  });

  it('keeps memory bounded when the store falls far behind: the overflow goes to the fallback sink', async () => {
    const { lines, logger, metrics } = capture();
    const store = new RecordingStore();
    store.answer = () => new Promise(() => {});
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 0, maxKeys: 10 });
    for (let i = 0; i < 100; i++) counters.add(key({ keywordId: `kw_${i}` }), 'served');
    // 10 went to the (stuck) store when the buffer first filled, 20 wait in memory, the rest overflowed.
    expect(sum(store.calls.flat())).toBe(10);
    expect(counters.pending()).toBe(20);
    expect(lines).toHaveLength(70);
    expect(recountFallback(lines).every((e) => e.state === 'not_applied')).toBe(true);
    expect(metrics.counts.get('CounterFallback')).toBe(70);
  });

  it('flushes on its timer, and close writes out what is left', async () => {
    const { logger, metrics } = capture();
    const stats = new MemoryStats();
    const counters = new Counters(stats, { logger, metrics, flushIntervalMs: 20 });
    counters.add(key(), 'served');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(stats.counters.size).toBe(1);
    counters.add(key(), 'served');
    await counters.close();
    expect([...stats.counters.values()][0]?.counts.served).toBe(2);
  });

  it('lets timer ticks during a slow flush pass, so flushes never queue up behind a slow store', async () => {
    const { logger, metrics } = capture();
    const store = new RecordingStore();
    const releases: (() => void)[] = [];
    store.answer = () =>
      new Promise((resolve) => {
        releases.push(() => resolve([]));
      });
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 10 });
    const flushes = vi.spyOn(counters, 'flush');
    counters.add(key(), 'served');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = flushes.mock.calls.length;
    for (let i = 0; i < 5; i++) counters.add(key({ keywordId: `kw_${i}` }), 'served');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.calls).toHaveLength(1);
    // About ten ticks went by: none of them started (or queued) a flush.
    expect(flushes.mock.calls.length).toBe(started);
    releases.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 60));
    // The next tick took everything that piled up, in one flush.
    expect(store.calls).toHaveLength(2);
    expect(sum(store.calls[1] ?? [])).toBe(5);
    releases.shift()?.();
    await counters.close();
  });

  it('flushIfDue waits until the oldest event is a flush interval old', async () => {
    const { logger, metrics } = capture();
    let now = 1_000;
    const store = new RecordingStore();
    // The timer is far off: only flushIfDue can flush here.
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 60_000, now: () => now });
    counters.add(key(), 'served');
    now += 59_999;
    await counters.flushIfDue();
    expect(store.calls).toHaveLength(0);
    now += 1;
    await counters.flushIfDue();
    expect(store.calls).toHaveLength(1);
    await counters.close();
  });
});

describe('CountingImpressions', () => {
  const event = {
    campaignId: 'cmp_a',
    keywordId: 'kw_a',
    partnerId: 'ptn_a',
    locale: 'en',
    region: 'US',
    rulesetVersion: 3,
  };

  it('answers a token and counts served at once, without touching storage', () => {
    const { logger, metrics } = capture();
    const store = new RecordingStore();
    const counters = new Counters(store, { logger, metrics, flushIntervalMs: 0 });
    const impressions = new CountingImpressions(
      new ImpressionTokens({ current: Buffer.alloc(32, 3), previous: [] }),
      counters,
      metrics,
    );
    const token = impressions.served({ ...event, at: new Date(HOUR * 3_600_000 + 5) });
    expect(token).toMatch(/^t1\./);
    expect(store.calls).toHaveLength(0);
    expect(counters.pending()).toBe(1);
  });

  it('never throws: a token it cannot make is empty, and the match goes out anyway', () => {
    const { logger, metrics } = capture();
    const counters = new Counters(new RecordingStore(), { logger, metrics, flushIntervalMs: 0 });
    const broken = {
      issue: () => {
        throw new Error('no key');
      },
    } as unknown as ImpressionTokens;
    const impressions = new CountingImpressions(broken, counters, metrics);
    expect(impressions.served({ ...event, at: new Date() })).toBe('');
    expect(metrics.counts.get('ImpressionTokenFailed')).toBe(1);
  });
});
