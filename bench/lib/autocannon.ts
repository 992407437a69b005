/**
 * Shared by bench/http.ts and bench/soak.ts: servers in child processes (so autocannon's own CPU does not share
 * the server's event loop: two cores here, one each), and bounded autocannon runs on 127.0.0.1 only.
 *
 * This file is also the child's entry: run with SIGNPOST_BENCH_CHILD=signpost|bare it starts that server,
 * tells its parent the URL over IPC, and answers 'stats' (memory, event-loop delay, open file descriptors, CPU time)
 * and, for Signpost, 'work' (the help endpoint's own cost, called in a loop without HTTP).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
// @ts-expect-error autocannon ships no types; the few fields used are typed below.
import autocannon from 'autocannon';

export type ServerKind = 'signpost' | 'bare';

export interface ChildOptions {
  /** Signpost only: count served messages (issue 4), default true. */
  counting?: boolean;
  /** Bare only: the answer's size in bytes, the same as Signpost's. */
  answerBytes?: number;
}

export interface ProcessStats {
  rssBytes: number;
  heapUsedBytes: number;
  /** Event-loop delay since the last reset, in ms. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  openFds: number;
  /** CPU time the process has used (user and system, all threads), in microseconds. */
  cpuMicros: number;
}

export interface BenchServer {
  kind: ServerKind;
  url: string;
  /** The secret key to send as X-Api-Key (Signpost's demo partner). */
  secretKey: string;
  stats(options?: { gc?: boolean; resetDelay?: boolean }): Promise<ProcessStats>;
  /**
   * Signpost only: CPU microseconds per call of the help endpoint (HelpEndpoint.handle, the very function behind
   * POST /v1/match) called `calls` times in a loop in the server's process, with no HTTP: the match work alone.
   */
  work(bodies: string[], calls: number): Promise<number>;
  close(): Promise<void>;
}

const HERE = fileURLToPath(import.meta.url);

/** Starts a server in a child process (node with tsx, --expose-gc) and waits for its URL. */
export async function startServer(kind: ServerKind, options: ChildOptions = {}): Promise<BenchServer> {
  const child: ChildProcess = fork(HERE, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: {
      ...process.env,
      SIGNPOST_BENCH_CHILD: kind,
      SIGNPOST_BENCH_OPTIONS: JSON.stringify(options),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ask = <T>(message: Record<string, unknown>, answer: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string; value: T }) => {
        if (m.type !== answer) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m.value);
      };
      const onExit = (code: number | null) => reject(new Error(`The ${kind} bench server exited (${code}).`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (message.type) child.send(message);
    });
  const ready = await ask<{ url: string; secretKey: string }>({}, 'ready');
  return {
    kind,
    url: ready.url,
    secretKey: ready.secretKey,
    stats: (o = {}) => ask<ProcessStats>({ type: 'stats', ...o }, 'stats'),
    work: (bodies, calls) => ask<number>({ type: 'work', bodies, calls }, 'work'),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LoadOptions {
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Bodies sent in turn, one per request. */
  bodies: string[];
  connections: number;
  /** Seconds; every run is bounded (at most 60 s here). */
  durationS: number;
}

export interface LoadResult {
  connections: number;
  durationS: number;
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

/** One bounded autocannon run against 127.0.0.1: fixed duration, fixed connections, no pipelining. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.path, options.url);
  if (url.hostname !== '127.0.0.1') throw new Error('Load runs target 127.0.0.1 only.');
  const durationS = Math.min(options.durationS, 60);
  let next = 0;
  const result: AutocannonResult = await autocannon({
    url: url.href,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    connections: options.connections,
    pipelining: 1,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => {
          const body = options.bodies[next++ % options.bodies.length];
          return { ...request, body };
        },
      },
    ],
  });
  return {
    connections: options.connections,
    durationS: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** The problems with a run: any error, timeout or non-2xx answer. */
export function failuresOf(name: string, r: LoadResult): string[] {
  const out: string[] = [];
  if (r.errors) out.push(`${name}: ${r.errors} connection errors`);
  if (r.timeouts) out.push(`${name}: ${r.timeouts} timeouts`);
  if (r.non2xx) out.push(`${name}: ${r.non2xx} non-2xx answers`);
  if (!r.requests) out.push(`${name}: no request answered`);
  return out;
}

/** A JSON answer of exactly `bytes` bytes, shaped like a match answer: what the bare server sends. */
export function paddedAnswer(bytes: number): Record<string, unknown> {
  const shell = { match: { message: { title: '', body: '' }, impressionToken: '' }, rulesetVersion: 1 };
  const pad = Math.max(0, bytes - Buffer.byteLength(JSON.stringify(shell)));
  return { ...shell, match: { ...shell.match, message: { title: '', body: 'x'.repeat(pad) } } };
}

// ---------------------------------------------------------------------------------------------------------
// The child.

async function child(kind: ServerKind, options: ChildOptions) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let url: string;
  let secretKey = '';
  let close: () => Promise<void>;
  let work: ((bodies: string[], calls: number) => Promise<number>) | null = null;

  if (kind === 'signpost') {
    const { startLocalService } = await import('../../functions/local/service.js');
    const service = await startLocalService({
      port: 0,
      dataDir: null,
      logLevel: 'silent',
      // The limiter runs as it does in service, with a limit no bench reaches (its cost is measured, not its 429s).
      rateLimits: { secretKey: { perSecond: 1e9, burst: 1e9 }, siteKey: { perSecond: 1e9, burst: 1e9 } },
      counting: options.counting !== false,
    });
    url = service.url;
    secretKey = service.demoPartner.secretKey ?? '';
    close = () => service.close();
    const { partnerSurface } = await import('../../functions/http/partner-app.js');
    const { help } = partnerSurface(service.deps);
    work = async (bodies, calls) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': secretKey };
      const call = (i: number) =>
        help.handle('match', {
          method: 'POST',
          header: (name) => headers[name],
          text: async () => bodies[i % bodies.length] as string,
        });
      for (let i = 0; i < calls; i++) await call(i); // warm-up
      const before = process.cpuUsage();
      for (let i = 0; i < calls; i++) await call(i);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / calls;
    };
  } else {
    // A bare node:http server: reads the body, parses the same JSON, answers a same-sized JSON document.
    const answer = paddedAnswer(options.answerBytes ?? 600);
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let status = 200;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: unknown };
          if (typeof body.query !== 'string') status = 400;
        } catch {
          status = 400;
        }
        const text = JSON.stringify(status === 200 ? answer : { error: { code: 'invalid_request' } });
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  }

  process.on(
    'message',
    async (m: { type: string; gc?: boolean; resetDelay?: boolean; bodies?: string[]; calls?: number }) => {
      if (m.type === 'stats') {
        if (m.gc) (globalThis as { gc?: () => void }).gc?.();
        const memory = process.memoryUsage();
        const cpu = process.cpuUsage();
        const stats: ProcessStats = {
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
          eventLoopDelayMaxMs: delay.max / 1e6,
          openFds: readdirSync('/proc/self/fd').length,
          cpuMicros: cpu.user + cpu.system,
        };
        if (m.resetDelay) delay.reset();
        process.send?.({ type: 'stats', value: stats });
      } else if (m.type === 'work' && work) {
        process.send?.({ type: 'work', value: await work(m.bodies ?? [], m.calls ?? 0) });
      } else if (m.type === 'close') {
        await close();
        process.exit(0);
      }
    },
  );
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', value: { url, secretKey } });
}

const childKind = process.env.SIGNPOST_BENCH_CHILD;
if (childKind === 'signpost' || childKind === 'bare') {
  await child(childKind, JSON.parse(process.env.SIGNPOST_BENCH_OPTIONS ?? '{}') as ChildOptions);
}
