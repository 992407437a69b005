/**
 * The stats table: hourly counters (sharded, see keys.ts) and event dedup marks.
 *
 * Exactly once without transactions (dynalite has none, and they would double the write cost):
 * every counter write is an `UpdateItem` that ADDs the delta and sets the writer's own mark attribute
 * `w_<writer>` to the flush's sequence number, on condition that the mark is still below it:
 *
 *   SET w_<writer> = :seq ADD served :n, ...   IF attribute_not_exists(w_<writer>) OR w_<writer> < :seq
 *
 * A writer is one process (a Lambda instance, the local server) and flushes one at a time, each with the next
 * sequence number, so a retry of a write that did land (the answer was lost to a timeout) fails its condition
 * and is known to be done: never counted twice. Throttling (`ProvisionedThroughputExceededException`,
 * `ThrottlingException`, ...) means not applied, and is retried with capped exponential backoff and full jitter
 * until the flush's deadline. A write still in doubt at the deadline is handed back `in_doubt` with its writer,
 * sequence number and key, and the writer takes a fresh id: its old mark on that item then never moves again,
 * so `w_<old writer> >= seq` tells a recount whether that write landed.
 * Each item carries one mark per writer that ever wrote it; items stay well under 1 KB (one write unit).
 */
import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { COUNTER_FIELDS, Counters, type CountersOptions, CountingImpressions } from '../../core/counters.js';
import { EventRecorder } from '../../core/events.js';
import { ImpressionTokens, type TokenKeyring } from '../../core/impression-token.js';
import type {
  Clock,
  CounterDelta,
  CounterKey,
  CounterReader,
  CounterStore,
  Counts,
  EventMarks,
  Logger,
  MarkClaim,
  MarkKind,
  Metrics,
  UnwrittenDelta,
} from '../../core/ports.js';
import type { TableNames } from './client.js';
import { isConditionFailed } from './errors.js';
import { counterRanges, STAT_SHARDS, statsKeys } from './keys.js';

/** Errors that say the request was refused before it did anything, and may succeed later. */
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ThrottlingError',
  'TooManyRequestsException',
]);
/** Errors that say the request was refused and always will be. */
const REFUSED = new Set([
  'ValidationException',
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'SerializationException',
  'ItemCollectionSizeLimitExceededException',
]);

type Outcome = 'done' | 'throttled' | 'refused' | 'unknown';

function classify(error: unknown): Outcome {
  if (isConditionFailed(error)) return 'done';
  const name = error instanceof Error ? error.name : '';
  if (THROTTLED.has(name)) return 'throttled';
  if (REFUSED.has(name)) return 'refused';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) return 'refused';
  // Timeouts, aborted sockets, 5xx: the write may or may not have landed.
  return 'unknown';
}

export interface RetryOptions {
  /** First backoff ceiling; each retry doubles it up to maxDelayMs. Full jitter: the sleep is uniform below it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Tries per item, the first included. */
  maxAttempts?: number;
  /** One try's limit; it is abandoned (in doubt) after this. */
  attemptTimeoutMs?: number;
  /** Items written at once. */
  concurrency?: number;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaults = {
  baseDelayMs: 25,
  maxDelayMs: 1_000,
  maxAttempts: 10,
  attemptTimeoutMs: 1_000,
  concurrency: 32,
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Attempting {
  /** Any try so far that may have landed. */
  inDoubt: boolean;
  /** How the last try ended. */
  last: Outcome;
}

/**
 * Runs `send` until it is done (a success, or a condition failure meaning an earlier try landed), refused, out
 * of tries, or out of time. `send` must be idempotent across tries: the callers here make it so.
 */
async function withRetries(
  send: (signal: AbortSignal) => Promise<unknown>,
  deadline: number,
  o: Required<RetryOptions>,
  onRetry: () => void,
): Promise<Attempting> {
  const state: Attempting = { inDoubt: false, last: 'unknown' };
  for (let attempt = 0; attempt < o.maxAttempts; attempt++) {
    if (attempt > 0) {
      const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
      const pause = o.random() * ceiling;
      if (o.now() + pause >= deadline) break;
      onRetry();
      await o.sleep(pause);
    }
    const left = deadline - o.now();
    if (left <= 0) break;
    state.last = await attemptOnce(send, Math.min(o.attemptTimeoutMs, left));
    if (state.last === 'done' || state.last === 'refused') return state;
    if (state.last === 'unknown') state.inDoubt = true;
  }
  return state;
}

async function attemptOnce(
  send: (signal: AbortSignal) => Promise<unknown>,
  timeoutMs: number,
): Promise<Outcome> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The SDK honours the signal; the race also bounds a client (or a test double) that does not.
  const late = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('unknown');
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      send(controller.signal).then(
        () => 'done' as const,
        (error: unknown) => classify(error),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function pool<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  });
  await Promise.all(workers);
}

/** The retry settings in force: the defaults, with whatever the caller set (undefined means unset). */
function retryOptions(options: RetryOptions): Required<RetryOptions> {
  return {
    ...defaults,
    random: Math.random,
    now: Date.now,
    sleep: realSleep,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as Required<RetryOptions>;
}

/** 32-bit FNV-1a: a cheap, stable spread of counter keys over shards. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const newWriterId = () => randomBytes(8).toString('base64url');

export interface CounterStoreOptions extends RetryOptions {
  shards?: number;
  metrics?: Metrics;
  logger?: Logger;
}

export class DynamoCounterStore implements CounterStore {
  private writer = newWriterId();
  private salt = randomBytes(4).readUInt32BE(0);
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly o: Required<RetryOptions>;
  private readonly shards: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: CounterStoreOptions = {},
  ) {
    this.o = retryOptions(options);
    this.shards = options.shards ?? STAT_SHARDS;
  }

  /** The shard and key a delta of this flush goes to (exposed for the partition-distribution test and bench). */
  keyFor(key: CounterKey, seq: number) {
    const dims = `${key.campaignId}#${key.keywordId ?? ''}#${key.partnerId}#${key.locale}#${key.region}`;
    const shard = (hash(dims) + this.salt + seq) % this.shards;
    return statsKeys.counter(key.hour, shard, key);
  }

  add(deltas: CounterDelta[], deadline: number): Promise<UnwrittenDelta[]> {
    // One flush at a time per writer: the sequence-number condition relies on it.
    const run = this.chain.then(() => this.addNow(deltas, deadline));
    this.chain = run.catch(() => undefined);
    return run.catch(() => deltas.map((delta) => ({ delta, state: 'in_doubt' as const })));
  }

  private async addNow(deltas: CounterDelta[], deadline: number): Promise<UnwrittenDelta[]> {
    const seq = ++this.seq;
    const writer = this.writer;
    const unwritten: UnwrittenDelta[] = [];
    let units = 0;
    await pool(deltas, this.o.concurrency, async (delta) => {
      const fields = COUNTER_FIELDS.filter((f) => (delta.counts[f] ?? 0) > 0);
      if (fields.length === 0) return;
      const key = this.keyFor(delta.key, seq);
      const values: Record<string, unknown> = {
        ':seq': seq,
        ':entity': 'counter',
        ':h': delta.key.hour,
        ':c': delta.key.campaignId,
        ':k': delta.key.keywordId ?? '',
        ':p': delta.key.partnerId,
        ':l': delta.key.locale,
        ':r': delta.key.region,
      };
      const names: Record<string, string> = { '#w': `w_${writer}` };
      const adds = fields.map((field, i) => {
        names[`#f${i}`] = field;
        values[`:f${i}`] = delta.counts[field];
        return `#f${i} :f${i}`;
      });
      const command = new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: `SET #w = :seq, entity = :entity, h = :h, c = :c, k = :k, p = :p, l = :l, r = :r ADD ${adds.join(', ')}`,
        ConditionExpression: 'attribute_not_exists(#w) OR #w < :seq',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      });
      const result = await withRetries(
        async (abortSignal) => {
          const out = await this.doc.send(command, { abortSignal });
          units += out?.ConsumedCapacity?.CapacityUnits ?? 0;
        },
        deadline,
        this.o,
        () => this.options.metrics?.count('CounterWriteRetries'),
      );
      if (result.last === 'done') return;
      if (result.inDoubt)
        unwritten.push({ delta, state: 'in_doubt', ref: { writer, seq, pk: key.pk, sk: key.sk } });
      else unwritten.push({ delta, state: 'not_applied' });
    });
    if (units) this.options.metrics?.count('CounterWriteUnits', units);
    if (unwritten.some((u) => u.state === 'in_doubt')) {
      // Never write again under a mark that a recount has to trust: see the top of this file.
      this.writer = newWriterId();
      this.seq = 0;
      this.options.logger?.warn('counter writer renewed after writes left in doubt', { writer, seq });
    }
    return unwritten;
  }
}

/**
 * Dedup marks, one item per token: `SET <kind> = if_not_exists(<kind>, :nonce)`, answering the new values. A kind
 * whose value is this request's nonce was counted by this request; any other value means an earlier one did.
 * Repeating the write with the same nonce answers the same, so retries after timeouts are safe.
 */
export class DynamoEventMarks implements EventMarks {
  private readonly o: Required<RetryOptions>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    options: RetryOptions = {},
  ) {
    this.o = retryOptions(options);
  }

  async claim(claims: MarkClaim[], nonce: string, deadline: number): Promise<(Set<MarkKind> | null)[]> {
    const results: (Set<MarkKind> | null)[] = claims.map(() => null);
    await pool(claims, this.o.concurrency, async (claim, index) => {
      const names: Record<string, string> = {};
      const sets = claim.kinds.map((kind, i) => {
        names[`#k${i}`] = kind;
        return `#k${i} = if_not_exists(#k${i}, :nonce)`;
      });
      let attributes: Record<string, unknown> | undefined;
      const result = await withRetries(
        async (abortSignal) => {
          const out = await this.doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: statsKeys.eventMark(claim.tokenId),
              UpdateExpression: `SET entity = :entity, expiresAt = if_not_exists(expiresAt, :exp), ${sets.join(', ')}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':entity': 'mark', ':exp': claim.expiresAt, ':nonce': nonce },
              ReturnValues: 'UPDATED_NEW',
            }),
            { abortSignal },
          );
          attributes = out?.Attributes;
        },
        deadline,
        this.o,
        () => {},
      );
      if (result.last !== 'done' || !attributes) return;
      results[index] = new Set(claim.kinds.filter((kind) => attributes?.[kind] === nonce));
    });
    return results;
  }
}

/** Reads counters month partition by month partition, every shard, a few partitions at a time. */
export class DynamoCounterReader implements CounterReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: { shards?: number; concurrency?: number; now?: () => number } = {},
  ) {}

  async *read(fromHour: number, toHour: number): AsyncIterable<CounterDelta[]> {
    const ranges = counterRanges(fromHour, toHour, this.options.shards ?? STAT_SHARDS);
    const concurrency = this.options.concurrency ?? 8;
    for (let i = 0; i < ranges.length; i += concurrency) {
      const pages = await Promise.all(ranges.slice(i, i + concurrency).map((range) => this.readRange(range)));
      for (const page of pages) if (page.length) yield page;
    }
  }

  private async readRange(range: { pk: string; from: string; to: string }): Promise<CounterDelta[]> {
    const out: CounterDelta[] = [];
    const nowSeconds = (this.options.now ?? Date.now)() / 1000;
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': range.pk, ':from': range.from, ':to': range.to },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        // dynalite never deletes items past their TTL: leave them out here, as DynamoDB eventually would.
        if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds) continue;
        const delta = counterFromItem(item);
        if (delta) out.push(delta);
      }
    }
    return out;
  }
}

const str = (value: unknown): value is string => typeof value === 'string';

function counterFromItem(item: Record<string, unknown>): CounterDelta | null {
  if (item.entity !== 'counter' || typeof item.h !== 'number') return null;
  if (!str(item.c) || !str(item.k) || !str(item.p) || !str(item.l) || !str(item.r)) return null;
  const counts: Counts = {};
  for (const field of COUNTER_FIELDS) {
    const n = item[field];
    if (typeof n === 'number' && n > 0) counts[field] = n;
  }
  return {
    key: {
      hour: item.h,
      campaignId: item.c,
      keywordId: item.k || null,
      partnerId: item.p,
      locale: item.l,
      region: item.r,
    },
    counts,
  };
}

export interface CountingOptions {
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  keyring: TokenKeyring;
  counters?: Omit<CountersOptions, 'logger' | 'metrics'>;
  store?: CounterStoreOptions;
  marks?: RetryOptions;
  /** How long `POST /v1/events` waits on its dedup marks. */
  eventBudgetMs?: number;
}

/**
 * Counting on DynamoDB, composed: the `Impressions` port for match, the `EventIntake` for events, the
 * `CounterReader` for reports, and `flush`/`close` for shutdown and the end of a Lambda invocation.
 */
export function dynamoCounting(
  doc: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'stats'>,
  options: CountingOptions,
) {
  return {
    ...dynamoCountingWrites(doc, tables, options),
    reports: new DynamoCounterReader(doc, tables.stats),
  };
}

export type DynamoCounting = ReturnType<typeof dynamoCounting>;

/**
 * dynamoCounting without the `CounterReader`: the partner function counts but never reads reports, and
 * importing only this keeps the reader out of its bundle.
 */
export function dynamoCountingWrites(
  doc: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'stats'>,
  options: CountingOptions,
) {
  const { logger, metrics, clock } = options;
  const tokens = new ImpressionTokens(options.keyring);
  const store = new DynamoCounterStore(doc, tables.stats, { logger, metrics, ...options.store });
  const counters = new Counters(store, { logger, metrics, ...options.counters });
  const impressions = new CountingImpressions(tokens, counters, metrics);
  const marks = new DynamoEventMarks(doc, tables.stats, options.marks);
  const events = new EventRecorder(tokens, marks, counters, {
    clock,
    logger,
    metrics,
    budgetMs: options.eventBudgetMs,
  });
  return {
    impressions,
    events,
    counters,
    store,
    tokens,
    flush: () => counters.flush(),
    flushIfDue: () => counters.flushIfDue(),
    close: () => counters.close(),
  };
}
