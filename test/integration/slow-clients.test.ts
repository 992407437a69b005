/**
 * Slow and hostile clients against the real node server (npm start's): sockets that trickle their headers or
 * their body are cut off by explicit timeouts without slowing anyone else; bodies over the limit are refused
 * before they are read, not buffered; a key that sends too much gets 429 with Retry-After.
 * Every socket here is on 127.0.0.1 and every loop is bounded in count and time.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../functions/http/rate-limit.js';
import { type LocalService, startLocalService } from '../../functions/local/service.js';
import { send } from '../helpers/http.js';

const TIMEOUTS = { headersMs: 1_000, requestMs: 2_000, keepAliveMs: 1_000, checkIntervalMs: 100 };
// Node checks every checkIntervalMs; allow that and a loaded 2-core machine on top of each limit.
const SLACK_MS = 700;
const SITE_LIMIT = { perSecond: 2, burst: 5 };

let service: LocalService;
let port: number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  service = await startLocalService({
    port: 0,
    dataDir: null,
    logLevel: 'silent',
    timeouts: TIMEOUTS,
    rateLimits: { secretKey: { perSecond: 100_000, burst: 100_000 }, siteKey: SITE_LIMIT },
  });
  port = Number(new URL(service.url).port);
});
afterAll(async () => {
  await service?.close();
});

/** A raw socket to the service that records what came back and when it was closed. */
function raw() {
  const socket: Socket = connect(port, '127.0.0.1');
  const state = { openedAt: performance.now(), closedAt: 0, received: '', firstByteAt: 0, written: 0 };
  socket.on('data', (chunk) => {
    state.firstByteAt ||= performance.now();
    state.received += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      state.closedAt = performance.now();
      resolve();
    }),
  );
  const write = (text: string | Buffer) =>
    new Promise<void>((resolve) => {
      if (socket.destroyed) return resolve();
      state.written += text.length;
      socket.write(text, () => resolve());
    });
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state, closed, write, connected };
}

/** Waits for `promise` at most `ms`; true when it settled in time. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  const result = await Promise.race([promise.then(() => true), late]);
  clearTimeout(timer);
  return result;
}

async function latencies(n: number): Promise<number[]> {
  const headers = { 'x-api-key': service.demoPartner.secretKey ?? '' };
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await send(service.url, 'POST', '/v1/match', {
      body: { query: 'forced to work no pay' },
      headers,
    });
    times.push(performance.now() - started);
    expect(res.status).toBe(200);
  }
  return times.sort((a, b) => a - b);
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

describe('slow clients', () => {
  it('closes 50 sockets that trickle their headers in time, without slowing other requests', async () => {
    const baseline = await latencies(60);
    const sockets = Array.from({ length: 50 }, () => raw());
    await Promise.all(sockets.map((s) => s.connected));
    await Promise.all(sockets.map((s) => s.write('POST /v1/match HTTP/1.1\r\nHost: 127.0.0.1\r\n')));
    let sent = 0;
    // One header line every 100 ms on every socket, never the blank line that ends the head; at most 60 rounds.
    const trickle = setInterval(() => {
      sent += 1;
      for (const s of sockets)
        if (!s.socket.destroyed) s.socket.write(`X-Slow-${sent}: ${'a'.repeat(10)}\r\n`);
      if (sent >= 60) clearInterval(trickle);
    }, 100);
    try {
      const during = await latencies(60);
      expect(pct(during, 0.5)).toBeLessThan(Math.max(3 * pct(baseline, 0.5), 10));
      expect(pct(during, 0.95)).toBeLessThan(Math.max(3 * pct(baseline, 0.95), 50));

      const allClosed = await within(
        Promise.all(sockets.map((s) => s.closed)),
        TIMEOUTS.headersMs + SLACK_MS + 1_000,
      );
      expect(allClosed, 'every trickling socket was closed').toBe(true);
    } finally {
      clearInterval(trickle);
      for (const s of sockets) s.socket.destroy();
    }
    for (const s of sockets) {
      expect(s.state.closedAt - s.state.openedAt).toBeLessThan(TIMEOUTS.headersMs + SLACK_MS + 1_000);
      // Node answers 408 before it hangs up (or just hangs up); never a request handled.
      expect(s.state.received === '' || s.state.received.startsWith('HTTP/1.1 408')).toBe(true);
    }
    // Still serving.
    expect((await latencies(5)).length).toBe(5);
  });

  it('closes a socket that trickles its body past the request timeout', async () => {
    const s = raw();
    await s.connected;
    await s.write(
      `POST /v1/match HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Api-Key: ${service.demoPartner.secretKey}\r\nContent-Length: 400\r\n\r\n{"query":"`,
    );
    const drip = setInterval(() => {
      if (!s.socket.destroyed) s.socket.write('a');
    }, 100);
    try {
      expect(await within(s.closed, TIMEOUTS.requestMs + SLACK_MS + 1_000)).toBe(true);
    } finally {
      clearInterval(drip);
      s.socket.destroy();
    }
    expect(s.state.closedAt - s.state.openedAt).toBeGreaterThanOrEqual(TIMEOUTS.headersMs);
  });

  it('closes an idle keep-alive socket after the keep-alive timeout', async () => {
    const s = raw();
    await s.connected;
    await s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    expect(await within(s.closed, TIMEOUTS.keepAliveMs + SLACK_MS + 1_000)).toBe(true);
    expect(s.state.received).toMatch(/^HTTP\/1.1 200/);
    s.socket.destroy();
  });
});

describe('bodies over the limit', () => {
  const head = (extra: string) =>
    `POST /v1/match HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Api-Key: ${service.demoPartner.secretKey}\r\n${extra}\r\n`;

  it('refuses a declared 50 MB body with 413 before reading it, and hangs up', async () => {
    const s = raw();
    await s.connected;
    await s.write(head(`Content-Length: ${50 * 1024 * 1024}\r\n`));
    await s.write(Buffer.alloc(32 * 1024, 0x61));
    // The answer comes without the rest of the body, and the socket does not wait for 50 MB that never come.
    expect(await within(s.closed, 2_500)).toBe(true);
    s.socket.destroy();
    expect(s.state.received).toMatch(/^HTTP\/1.1 413/);
    expect(s.state.received).toContain('"payload_too_large"');
    expect(s.state.written).toBeLessThan(64 * 1024);
  });

  it('cuts off a chunked body with no length as soon as it passes the limit', async () => {
    const s = raw();
    await s.connected;
    await s.write(head('Transfer-Encoding: chunked\r\n'));
    const chunk = Buffer.alloc(4 * 1024, 0x61);
    const frame = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]);
    // Keep sending (at most 4 MB, paced) until the answer comes: it must come after a few KB, not at the end.
    for (let i = 0; i < 1_024 && !s.state.firstByteAt && !s.socket.destroyed; i++) {
      await s.write(frame);
      if (i % 4 === 3) await sleep(2);
    }
    expect(s.state.received).toMatch(/^HTTP\/1.1 413/);
    expect(s.state.written).toBeLessThan(512 * 1024);
    // Whatever keeps coming is discarded for a short while, then the socket is closed.
    const flood = setInterval(() => {
      if (!s.socket.destroyed) s.socket.write(frame);
    }, 5);
    try {
      expect(await within(s.closed, 3_000)).toBe(true);
    } finally {
      clearInterval(flood);
      s.socket.destroy();
    }
  });

  it.each([
    ['with the admin token', true, 413],
    ['without it', false, 401],
  ])('refuses a declared 50 MB admin body %s before reading it', async (_name, withToken, status) => {
    const s = raw();
    await s.connected;
    const auth = withToken ? `Authorization: Bearer ${service.adminToken}\r\n` : '';
    await s.write(
      `POST /admin/v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${auth}Content-Length: ${50 * 1024 * 1024}\r\n\r\n`,
    );
    await s.write(Buffer.alloc(32 * 1024, 0x61));
    expect(await within(s.closed, 2_500)).toBe(true);
    s.socket.destroy();
    expect(s.state.received).toMatch(new RegExp(`^HTTP/1.1 ${status}`));
  });

  it('answers 413 payload_too_large for a 17 KB JSON body, and keeps serving', async () => {
    const res = await send(service.url, 'POST', '/v1/match', {
      body: { query: 'a'.repeat(17 * 1024) },
      headers: { 'x-api-key': service.demoPartner.secretKey ?? '' },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect((await latencies(3)).length).toBe(3);
  });
});

describe('per-key rate limits', () => {
  it('answers 429 rate_limited with Retry-After once a key has used its burst, for that key only', async () => {
    const origin = service.url;
    const siteHeaders = { 'x-site-key': service.demoPartner.siteKey, origin };
    const answers = [];
    for (let i = 0; i < SITE_LIMIT.burst + 3; i++) {
      answers.push(
        await send(service.url, 'POST', '/v1/match', {
          body: { query: 'human trafficking' },
          headers: siteHeaders,
        }),
      );
    }
    expect(answers.slice(0, SITE_LIMIT.burst).map((a) => a.status)).toEqual(
      Array(SITE_LIMIT.burst).fill(200),
    );
    const limited = answers.at(-1);
    expect(limited?.status).toBe(429);
    expect(limited?.body.error.code).toBe('rate_limited');
    expect(limited?.body.error.message).toMatch(/wait 1 second/);
    expect(limited?.headers.get('retry-after')).toBe('1');
    // The browser can read the 429, and another key is not held back.
    expect(limited?.headers.get('access-control-allow-origin')).toBe(origin);
    const other = await send(service.url, 'POST', '/v1/match', {
      body: { query: 'human trafficking' },
      headers: { 'x-api-key': service.demoPartner.secretKey ?? '' },
    });
    expect(other.status).toBe(200);
    expect(service.metrics.counts.get('RateLimited')).toBeGreaterThanOrEqual(3);
    // After Retry-After, the bucket has refilled enough for the next request.
    await sleep(1_000);
    expect(
      (await send(service.url, 'POST', '/v1/match', { body: { query: 'x' }, headers: siteHeaders })).status,
    ).toBe(200);
  });

  it('refills token buckets at the sustained rate up to the burst', () => {
    let now = 0;
    const buckets = new TokenBuckets(() => now);
    const limit = { perSecond: 10, burst: 3 };
    expect([1, 2, 3, 4].map(() => buckets.take('k', limit))).toEqual([0, 0, 0, 1]);
    now = 100; // one token back
    expect(buckets.take('k', limit)).toBe(0);
    expect(buckets.take('k', limit)).toBe(1);
    expect(buckets.take('other', limit)).toBe(0);
    now = 60_000; // a long rest fills the bucket to its burst, no more
    expect([1, 2, 3, 4].map(() => buckets.take('k', limit))).toEqual([0, 0, 0, 1]);
    // Slow sustained rates say how long to wait in whole seconds.
    expect([0, 1].map(() => buckets.take('slow', { perSecond: 0.1, burst: 1 }))).toEqual([0, 10]);
  });
});
