import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statsKeys } from '../../functions/adapters/dynamodb/keys.js';
import { dynamoTokenKeySource } from '../../functions/adapters/dynamodb/secrets.js';
import {
  DynamoCounterReader,
  DynamoCounterStore,
  DynamoEventMarks,
} from '../../functions/adapters/dynamodb/stats.js';
import type { CounterDelta, CounterKey } from '../../functions/core/ports.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.close();
});

const hourOf = (iso: string) => Date.parse(iso) / 3_600_000;
const key = (iso: string, over: Partial<CounterKey> = {}): CounterKey => ({
  hour: hourOf(iso),
  campaignId: 'cmp_a',
  keywordId: 'kw_a',
  partnerId: 'ptn_a',
  locale: 'en',
  region: 'US-CA',
  ...over,
});
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

async function readAll(reader: DynamoCounterReader, from: number, to: number) {
  const out: CounterDelta[] = [];
  for await (const page of reader.read(from, to)) out.push(...page);
  return out;
}

function totals(deltas: CounterDelta[]) {
  const sums = new Map<string, Record<string, number>>();
  for (const { key, counts } of deltas) {
    const id = JSON.stringify(key);
    const into = sums.get(id) ?? {};
    for (const [field, n] of Object.entries(counts)) into[field] = (into[field] ?? 0) + (n ?? 0);
    sums.set(id, into);
  }
  return sums;
}

/** A document client whose first `times` answers are lost after the request was handled: timeouts after the fact. */
function losingAnswers(times: number) {
  let left = times;
  return new Proxy(dynamo.doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: Parameters<typeof target.send>[0], options?: unknown) => {
        const out = await target.send(command, options as never).catch((error: unknown) => error);
        if (left-- > 0) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        if (out instanceof Error) throw out;
        return out;
      };
    },
  });
}

describe('DynamoCounterStore on dynalite', () => {
  it('adds deltas with ADD, sums across flushes and shards, and reads back exactly', async () => {
    const tables = await dynamo.newTables();
    const store = new DynamoCounterStore(dynamo.doc, tables.stats, fast);
    const reader = new DynamoCounterReader(dynamo.doc, tables.stats);
    const a = key('2026-11-01T05:00:00Z');
    const banner = key('2026-11-01T05:00:00Z', { keywordId: null, locale: '', region: '' });
    for (let flush = 0; flush < 20; flush++) {
      expect(
        await store.add(
          [
            { key: a, counts: { served: 3, impressions: 1 } },
            { key: banner, counts: { served: 1, call: 1 } },
          ],
          Date.now() + 5_000,
        ),
      ).toEqual([]);
    }
    const read = await readAll(reader, hourOf('2026-11-01T00:00:00Z'), hourOf('2026-11-01T23:00:00Z'));
    // Consecutive flushes move a hot counter across shards: twenty flushes, sixteen shards.
    expect(new Set(read.map((d) => JSON.stringify(d.key))).size).toBe(2);
    expect(read.length).toBeGreaterThan(2);
    const sums = totals(read);
    expect(sums.get(JSON.stringify(a))).toEqual({ served: 60, impressions: 20 });
    expect(sums.get(JSON.stringify(banner))).toEqual({ served: 20, call: 20 });
  });

  it('reads exactly the hours asked for, across a month boundary', async () => {
    const tables = await dynamo.newTables();
    const store = new DynamoCounterStore(dynamo.doc, tables.stats, fast);
    const hours = [
      '2026-10-31T22:00:00Z',
      '2026-10-31T23:00:00Z',
      '2026-11-01T00:00:00Z',
      '2026-11-01T01:00:00Z',
    ];
    await store.add(
      hours.map((iso) => ({ key: key(iso, { campaignId: 'cmp_#odd/name' }), counts: { served: 1 } })),
      Date.now() + 5_000,
    );
    const reader = new DynamoCounterReader(dynamo.doc, tables.stats);
    const read = await readAll(reader, hourOf(hours[1] ?? ''), hourOf(hours[2] ?? ''));
    expect(read.map((d) => d.key.hour).sort()).toEqual([hourOf(hours[1] ?? ''), hourOf(hours[2] ?? '')]);
    expect(read[0]?.key.campaignId).toBe('cmp_#odd/name');
  });

  it('never double counts a write whose answer was lost: the retry finds its own mark', async () => {
    const tables = await dynamo.newTables();
    const store = new DynamoCounterStore(losingAnswers(1), tables.stats, fast);
    const k = key('2026-11-01T05:00:00Z');
    expect(await store.add([{ key: k, counts: { served: 7 } }], Date.now() + 5_000)).toEqual([]);
    const read = await readAll(new DynamoCounterReader(dynamo.doc, tables.stats), k.hour, k.hour);
    expect(read).toEqual([{ key: k, counts: { served: 7 } }]);
  });

  it('hands back a write still in doubt at the deadline with a ref a recount can check, then writes as a new writer', async () => {
    const tables = await dynamo.newTables();
    const store = new DynamoCounterStore(losingAnswers(1_000), tables.stats, { ...fast, maxAttempts: 3 });
    const k = key('2026-11-01T05:00:00Z');
    const [lost] = await store.add([{ key: k, counts: { served: 2 } }], Date.now() + 5_000);
    expect(lost?.state).toBe('in_doubt');
    const ref = lost?.ref as { writer: string; seq: number; pk: string; sk: string };
    expect(ref.pk).toMatch(/^CNT#2026-11#\d\d$/);
    const { Item } = await dynamo.doc.send(
      new GetCommand({ TableName: tables.stats, Key: { pk: ref.pk, sk: ref.sk } }),
    );
    // The write did land, once: the recount sees the mark at the sequence number and skips this delta.
    expect(Item?.[`w_${ref.writer}`]).toBeGreaterThanOrEqual(ref.seq);
    expect(Item?.served).toBe(2);
    const [again] = await store.add([{ key: k, counts: { served: 1 } }], Date.now() + 5_000);
    expect(again?.ref?.writer).toBeDefined();
    expect(again?.ref?.writer).not.toBe(ref.writer);
  });

  it('reports a write refused outright as not applied, at once', async () => {
    const store = new DynamoCounterStore(dynamo.doc, 'no-such-table', fast);
    const started = Date.now();
    const [refused] = await store.add(
      [{ key: key('2026-11-01T05:00:00Z'), counts: { served: 1 } }],
      Date.now() + 5_000,
    );
    expect(refused?.state).toBe('not_applied');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('keeps items small: one write unit each, with the counter and the writer mark', async () => {
    const tables = await dynamo.newTables();
    const store = new DynamoCounterStore(dynamo.doc, tables.stats, fast);
    await store.add(
      [
        {
          key: key('2026-11-01T05:00:00Z'),
          counts: { served: 1, impressions: 1, call: 1, text: 1, link: 1, dismiss: 1, exit: 1 },
        },
      ],
      Date.now() + 5_000,
    );
    const { Items } = await dynamo.doc.send(new ScanCommand({ TableName: tables.stats }));
    expect(Items).toHaveLength(1);
    expect(Buffer.byteLength(JSON.stringify(Items?.[0]))).toBeLessThan(512);
  });
});

describe('DynamoEventMarks on dynalite', () => {
  it('lets one nonce hold each kind of a token, answers the same on a retry, and sets a TTL', async () => {
    const tables = await dynamo.newTables();
    const marks = new DynamoEventMarks(dynamo.doc, tables.stats, fast);
    const claim = {
      tokenId: 'AAAAAAAAAAAAAAAA',
      kinds: ['impression', 'call'] as const,
      expiresAt: 2_000_000_000,
    };
    const first = await marks.claim([{ ...claim, kinds: [...claim.kinds] }], 'nonce-1', Date.now() + 5_000);
    expect([...(first[0] ?? [])]).toEqual(['impression', 'call']);
    const retry = await marks.claim([{ ...claim, kinds: [...claim.kinds] }], 'nonce-1', Date.now() + 5_000);
    expect([...(retry[0] ?? [])]).toEqual(['impression', 'call']);
    const replay = await marks.claim(
      [{ ...claim, kinds: ['impression', 'text'] }],
      'nonce-2',
      Date.now() + 5_000,
    );
    expect([...(replay[0] ?? [])]).toEqual(['text']);
    const { Item } = await dynamo.doc.send(
      new GetCommand({ TableName: tables.stats, Key: statsKeys.eventMark(claim.tokenId) }),
    );
    expect(Item).toMatchObject({
      entity: 'mark',
      expiresAt: 2_000_000_000,
      impression: 'nonce-1',
      call: 'nonce-1',
      text: 'nonce-2',
    });
  });

  it('is right when an answer was lost: the retry with the same nonce still wins', async () => {
    const tables = await dynamo.newTables();
    const marks = new DynamoEventMarks(losingAnswers(1), tables.stats, fast);
    const [won] = await marks.claim(
      [{ tokenId: 'BBBBBBBBBBBBBBBB', kinds: ['impression'], expiresAt: 2_000_000_000 }],
      'n',
      Date.now() + 5_000,
    );
    expect([...(won ?? [])]).toEqual(['impression']);
  });

  it('answers null for claims the store could not settle in time', async () => {
    const marks = new DynamoEventMarks(dynamo.doc, 'no-such-table', fast);
    expect(
      await marks.claim(
        [{ tokenId: 'CCCCCCCCCCCCCCCC', kinds: ['impression'], expiresAt: 1 }],
        'n',
        Date.now() + 1_000,
      ),
    ).toEqual([null]);
  });
});

describe('the token key in the data store', () => {
  it('is made once, even by racing processes, and read back on the next start', async () => {
    const tables = await dynamo.newTables();
    const rings = await Promise.all(
      Array.from({ length: 5 }, () => dynamoTokenKeySource(dynamo.doc, tables.config)()),
    );
    const first = Buffer.from(rings[0]?.current ?? []).toString();
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(rings.every((r) => Buffer.from(r.current).toString() === first)).toBe(true);
    const later = await dynamoTokenKeySource(dynamo.doc, tables.config)();
    expect(Buffer.from(later.current).toString()).toBe(first);
    const { Item } = await dynamo.doc.send(
      new GetCommand({ TableName: tables.config, Key: statsKeys.tokenKey }),
    );
    expect(Item?.entity).toBe('secret');
  });
});
