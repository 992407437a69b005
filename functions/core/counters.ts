/**
 * Counting served messages, impressions and actions without holding up a match.
 *
 * `Counters` buffers increments in memory, aggregated by counter key: a thousand matches of one keyword for one
 * partner in the same hour become one write of +1000. A timer flushes the buffer (every second by default);
 * each flush has a time budget, and whatever the store could not add by then goes to the fallback sink: one
 * structured log line per delta (`"fallback":"counter"`, the counter's key and counts, nothing about who
 * searched), with the metric `CounterFallback` counting the events in it. `recountFallback` reads those lines
 * back into deltas, so a recount loses nothing and, for writes left in doubt, can check before adding.
 *
 * `CountingImpressions` is the `Impressions` port: sign a token and count `served`, synchronously, without I/O.
 */
import type { ImpressionTokens, TokenClaims } from './impression-token.js';
import type {
  CounterDelta,
  CounterField,
  CounterKey,
  CounterStore,
  Counts,
  EventAction,
  Impressions,
  Logger,
  Metrics,
  ServedEvent,
  UnwrittenDelta,
} from './ports.js';

export const EVENT_ACTIONS = [
  'call',
  'text',
  'link',
  'dismiss',
  'exit',
] as const satisfies readonly EventAction[];
export const COUNTER_FIELDS = [
  'served',
  'impressions',
  ...EVENT_ACTIONS,
] as const satisfies readonly CounterField[];

export const HOUR_MS = 3_600_000;
/** `2026-11-01T05`: the hour a counter is for, as written in keys and fallback lines. */
export const hourLabel = (hour: number) => new Date(hour * HOUR_MS).toISOString().slice(0, 13);

export function parseHourLabel(label: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(label)) return null;
  const ms = Date.parse(`${label}:00:00Z`);
  return Number.isNaN(ms) ? null : ms / HOUR_MS;
}

export const counterKeyOf = (claims: TokenClaims): CounterKey => ({
  hour: claims.hour,
  campaignId: claims.campaignId,
  keywordId: claims.keywordId,
  partnerId: claims.partnerId,
  locale: claims.locale,
  region: claims.region,
});

/** One string per counter key, for the in-memory aggregation map. */
const bufferKey = (k: CounterKey) =>
  `${k.hour}\u0000${k.campaignId}\u0000${k.keywordId ?? '\u0001'}\u0000${k.partnerId}\u0000${k.locale}\u0000${k.region}`;

export const eventsIn = (counts: Counts) =>
  COUNTER_FIELDS.reduce((sum, field) => sum + (counts[field] ?? 0), 0);

export interface CountersOptions {
  logger: Logger;
  metrics: Metrics;
  /** How often the buffer is written out; 0 leaves flushing to the caller. Default 1,000 ms. */
  flushIntervalMs?: number;
  /**
   * How long one flush may take, retries included, before the rest goes to the fallback sink. Default 3,000 ms:
   * flushes run beside requests, never in their way, so this bounds staleness and shutdown, not latency.
   */
  budgetMs?: number;
  /** Distinct counters held before a flush starts early. Default 20,000. */
  maxKeys?: number;
  now?: () => number;
}

export interface FlushReport {
  /** Deltas handed to the store, and events in them. */
  deltas: number;
  events: number;
  /** Events that went to the fallback sink instead. */
  fallbackEvents: number;
}

export class Counters {
  private buffer = new Map<string, CounterDelta>();
  private flushing: Promise<FlushReport> | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private oldest = Number.POSITIVE_INFINITY;
  private readonly now: () => number;
  private readonly budgetMs: number;
  private readonly maxKeys: number;
  private readonly intervalMs: number;

  constructor(
    private readonly store: CounterStore,
    private readonly options: CountersOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.budgetMs = options.budgetMs ?? 3_000;
    this.maxKeys = options.maxKeys ?? 20_000;
    this.intervalMs = options.flushIntervalMs ?? 1_000;
    if (this.intervalMs > 0) {
      // A tick during a slow flush does nothing: the next tick takes what piled up, so no flushes queue up.
      this.timer = setInterval(() => {
        if (!this.flushing) void this.flush();
      }, this.intervalMs);
      // A pending flush never keeps the process alive on its own; shutdown calls close().
      this.timer.unref?.();
    }
  }

  /** Counts `n` for one field of one counter. Synchronous and never throws: this runs on the match path. */
  add(key: CounterKey, field: CounterField, n = 1): void {
    try {
      const id = bufferKey(key);
      const entry = this.buffer.get(id);
      if (entry) {
        entry.counts[field] = (entry.counts[field] ?? 0) + n;
        return;
      }
      if (this.buffer.size >= this.maxKeys) {
        if (!this.flushing) void this.flush();
        else if (this.buffer.size >= this.maxKeys * 2) {
          // The store is far behind: keep memory bounded and let the fallback sink have it.
          this.fallback([{ delta: { key, counts: { [field]: n } }, state: 'not_applied' }], 'overflow');
          return;
        }
      }
      if (this.buffer.size === 0) this.oldest = this.now();
      this.buffer.set(id, { key: { ...key }, counts: { [field]: n } });
    } catch {
      this.options.metrics.count('CounterDropped', n);
    }
  }

  /** Events waiting in memory. */
  pending(): number {
    let n = 0;
    for (const delta of this.buffer.values()) n += eventsIn(delta.counts);
    return n;
  }

  /**
   * Writes out the buffer: one flush at a time; a call made while one runs waits for it, then flushes what came
   * in meanwhile. Never throws.
   */
  async flush(): Promise<FlushReport> {
    while (this.flushing) await this.flushing;
    if (this.buffer.size === 0) return { deltas: 0, events: 0, fallbackEvents: 0 };
    const batch = [...this.buffer.values()];
    this.buffer = new Map();
    this.oldest = Number.POSITIVE_INFINITY;
    this.flushing = this.write(batch).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Flushes when the oldest buffered event has waited a flush interval (for callers without a timer). */
  async flushIfDue(): Promise<void> {
    if (this.buffer.size > 0 && this.now() - this.oldest >= Math.max(this.intervalMs, 1)) await this.flush();
  }

  /** Stops the timer and writes out everything left. */
  async close(): Promise<FlushReport> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.flush();
  }

  private async write(batch: CounterDelta[]): Promise<FlushReport> {
    const events = batch.reduce((sum, delta) => sum + eventsIn(delta.counts), 0);
    let unwritten: UnwrittenDelta[];
    try {
      unwritten = await this.store.add(batch, this.now() + this.budgetMs);
    } catch {
      // The store promises not to throw; if it does anyway, nothing it was given is known to be written.
      unwritten = batch.map((delta) => ({ delta, state: 'in_doubt' as const }));
    }
    const fallbackEvents = this.fallback(unwritten, 'store');
    return { deltas: batch.length, events, fallbackEvents };
  }

  private fallback(unwritten: UnwrittenDelta[], cause: 'store' | 'overflow'): number {
    let events = 0;
    for (const { delta, state, ref } of unwritten) {
      events += eventsIn(delta.counts);
      this.options.logger.warn('counter fallback', {
        fallback: 'counter',
        cause,
        state,
        hour: hourLabel(delta.key.hour),
        campaignId: delta.key.campaignId,
        keywordId: delta.key.keywordId,
        partnerId: delta.key.partnerId,
        locale: delta.key.locale,
        region: delta.key.region,
        counts: delta.counts,
        ...(ref && { ref }),
      });
    }
    if (events > 0) this.options.metrics.count('CounterFallback', events);
    return events;
  }
}

/** The `Impressions` port: a signed token and one `served` counted, with no I/O on the match path. */
export class CountingImpressions implements Impressions {
  constructor(
    private readonly tokens: ImpressionTokens,
    private readonly counters: Counters,
    private readonly metrics: Metrics,
  ) {}

  served(event: ServedEvent): string {
    try {
      const { token, claims } = this.tokens.issue(event);
      this.counters.add(counterKeyOf(claims), 'served');
      return token;
    } catch {
      // Help is never withheld by a counter: the match goes out without a token.
      this.metrics.count('ImpressionTokenFailed');
      return '';
    }
  }

  async flush(): Promise<void> {
    await this.counters.flush();
  }
}

/** One recountable entry of the fallback sink. */
export interface FallbackEntry {
  delta: CounterDelta;
  state: 'not_applied' | 'in_doubt';
  /** For `in_doubt`: where the write may have landed (see the store's documentation for how to check). */
  ref?: Record<string, string | number>;
}

/**
 * Reads the fallback sink back: every `"fallback":"counter"` and `"fallback":"event"` line among `lines` (JSON
 * log lines, other lines ignored) as the delta it stands for. `not_applied` deltas are added as they are;
 * `in_doubt` ones only after checking `ref` against the store: for a counter write, whether the item's writer
 * mark `w_<writer>` reached `seq`; for an event, whether its token's mark for `kind` is absent or holds `nonce`.
 */
export function recountFallback(lines: Iterable<string>): FallbackEntry[] {
  const entries: FallbackEntry[] = [];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    const v = value as Record<string, unknown>;
    if (v.fallback !== 'counter' && v.fallback !== 'event') continue;
    const hour = typeof v.hour === 'string' ? parseHourLabel(v.hour) : null;
    if (hour === null || typeof v.campaignId !== 'string' || typeof v.partnerId !== 'string') continue;
    if (typeof v.locale !== 'string' || typeof v.region !== 'string') continue;
    if (v.keywordId !== null && typeof v.keywordId !== 'string') continue;
    const counts: Counts = {};
    const raw = (v.counts ?? {}) as Record<string, unknown>;
    for (const field of COUNTER_FIELDS) {
      const n = raw[field];
      if (Number.isSafeInteger(n) && (n as number) > 0) counts[field] = n as number;
    }
    entries.push({
      delta: {
        key: {
          hour,
          campaignId: v.campaignId,
          keywordId: v.keywordId,
          partnerId: v.partnerId,
          locale: v.locale,
          region: v.region,
        },
        counts,
      },
      state: v.state === 'in_doubt' ? 'in_doubt' : 'not_applied',
      ...(v.ref && typeof v.ref === 'object' ? { ref: v.ref as Record<string, string | number> } : {}),
    });
  }
  return entries;
}
