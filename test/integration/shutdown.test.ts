/**
 * Graceful shutdown of `npm start` (functions/local/main.ts, in a child process, on a dynalite this test runs):
 * SIGTERM during load lets in-flight requests finish (one is held mid-body across the signal), then flushes
 * the counters still buffered in memory, and exits 0. Every event answered 202 is in the stats table
 * afterwards (or in the fallback log lines it can be recounted from): none is lost.
 * All traffic is on 127.0.0.1; every loop is bounded in count and time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCounterReader } from '../../functions/adapters/dynamodb/stats.js';
import { COUNTER_FIELDS, HOUR_MS, recountFallback } from '../../functions/core/counters.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';

const MAIN = fileURLToPath(new URL('../../functions/local/main.ts', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dynamo: TestDynamo;
let child: ChildProcess | undefined;
const stdout: string[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await dynamo?.close();
});

/** Starts `npm start`'s entry point on a free port against the test's dynalite; resolves once it is serving. */
async function startMain(): Promise<{ url: string; secretKey: string; exited: Promise<number | null> }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    ADMIN_TOKEN: 'adm_shutdown_test',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.AWS_ACCESS_KEY_ID;
  child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  let buffer = '';
  const ready = new Promise<{ url: string; secretKey: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${buffer}`)), 30_000);
    child?.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      stdout.push(...lines);
      const all = stdout.join('\n');
      const url = /Signpost is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(all)?.[1];
      const secretKey = /Demo secret\s+(sk_[A-Za-z0-9_-]+)/.exec(all)?.[1];
      if (url && secretKey) {
        clearTimeout(timer);
        resolve({ url, secretKey });
      }
    });
    void exited.then((code) =>
      reject(new Error(`npm start exited (${code}) before it was ready:\n${stdout.join('\n')}`)),
    );
  });
  return { ...(await ready), exited };
}

interface Tally {
  served: number;
  impressions: number;
  call: number;
  /** Events requests whose outcome the client never learnt (the connection went away): counted or not. */
  unknown: number;
}

/** One worker: search, then report what was shown and tapped; stops at the first refused connection. */
async function worker(url: string, secretKey: string, tally: Tally, stop: { now: boolean }, id: number) {
  const headers = { 'content-type': 'application/json', 'x-api-key': secretKey };
  for (let i = 0; i < 5_000 && !stop.now; i++) {
    let token: string;
    try {
      const res = await fetch(`${url}/v1/match`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: `they took my passport ${id} ${i}`, region: 'US' }),
      });
      const body = (await res.json()) as { match: { impressionToken: string } | null };
      if (res.status !== 200 || !body.match) throw new Error(`match answered ${res.status}`);
      tally.served += 1;
      token = body.match.impressionToken;
    } catch {
      return; // the server is going away: nothing was accepted on this request
    }
    try {
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          events: [
            { token, type: 'impression' },
            { token, type: 'action', action: 'call' },
          ],
        }),
      });
      const body = (await res.json()) as { accepted: number; rejected: number };
      expect(res.status).toBe(202);
      expect(body).toEqual({ accepted: 2, rejected: 0 });
      tally.impressions += 1;
      tally.call += 1;
    } catch (error) {
      if ((error as Error).name === 'AssertionError') throw error;
      tally.unknown += 1;
      return;
    }
  }
}

describe('SIGTERM during load', () => {
  it('finishes in-flight requests, flushes the counters, exits 0, and loses no accepted event', async () => {
    const { url, secretKey, exited } = await startMain();
    const port = Number(new URL(url).port);

    // A token for the request that will be in flight when the signal comes.
    const first = await fetch(`${url}/v1/match`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': secretKey },
      body: JSON.stringify({ query: 'human trafficking', region: 'US' }),
    });
    const held = ((await first.json()) as { match: { impressionToken: string } }).match.impressionToken;
    const tally: Tally = { served: 1, impressions: 0, call: 0, unknown: 0 };

    const stop = { now: false };
    const workers = Array.from({ length: 6 }, (_, id) => worker(url, secretKey, tally, stop, id));
    await sleep(1_500);

    // An events request whose head and half its body are in before the signal, the rest after it.
    const body = JSON.stringify({
      events: [
        { token: held, type: 'impression' },
        { token: held, type: 'action', action: 'text' },
      ],
    });
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', () => {});
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Api-Key: ${secretKey}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
    );
    await sleep(100);
    expect(tally.served).toBeGreaterThan(10);
    const servedAtSignal = tally.served;

    child?.kill('SIGTERM');
    await sleep(300);
    socket.write(body.slice(20));
    const code = await Promise.race([exited, sleep(20_000).then(() => 'still running')]);
    stop.now = true;
    await Promise.all(workers);
    await Promise.race([socketClosed, sleep(2_000)]);
    socket.destroy();

    expect(code, 'npm start exits 0 after SIGTERM').toBe(0);
    // The request held across the signal was finished, and told its client to hang up.
    expect(answer).toMatch(/^HTTP\/1.1 202/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"accepted":2');
    expect(tally.served).toBeGreaterThanOrEqual(servedAtSignal);

    // What the stats table holds now, plus whatever went to the fallback sink (log lines) instead.
    const counted: Record<string, number> = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0]));
    const hour = Math.floor(Date.now() / HOUR_MS);
    const reader = new DynamoCounterReader(dynamo.doc, 'signpost-stats');
    for await (const page of reader.read(hour - 1, hour + 1)) {
      for (const delta of page)
        for (const [field, n] of Object.entries(delta.counts)) counted[field] = (counted[field] ?? 0) + n;
    }
    const fallback = recountFallback(stdout);
    expect(fallback.filter((e) => e.state === 'in_doubt')).toEqual([]);
    for (const entry of fallback) {
      for (const [field, n] of Object.entries(entry.delta.counts)) counted[field] = (counted[field] ?? 0) + n;
    }

    // Every 202 is counted; at most the requests whose answer never reached us are counted on top.
    expect(counted.impressions).toBeGreaterThanOrEqual(tally.impressions + 1);
    expect(counted.impressions).toBeLessThanOrEqual(tally.impressions + 1 + tally.unknown);
    expect(counted.call).toBeGreaterThanOrEqual(tally.call);
    expect(counted.call).toBeLessThanOrEqual(tally.call + tally.unknown);
    expect(counted.text).toBe(1);
    // Every match answered was counted as served (a few may have been answered to a client that left).
    expect(counted.served).toBeGreaterThanOrEqual(tally.served);
    expect(tally.impressions).toBeGreaterThan(10);
  }, 60_000);
});
