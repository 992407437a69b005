/**
 * POST /v1/match over HTTP on the local server (npm start's, embedded dynalite in memory, counting on) against
 * a bare node:http server that parses the same JSON body and answers a same-sized JSON document, in the same
 * run. Goals: at least 85% of the bare server's requests a second, p99 under 2 ms at two connections; zero
 * errors, timeouts and non-2xx answers. Also counting on against counting off (issue 4: at most 10% fewer).
 *
 * Each server runs in its own child process and autocannon in this one (two cores: one each), on 127.0.0.1,
 * for a fixed duration per run. The servers take turns (bare, Signpost, Signpost without counting), twice,
 * and each figure is the better of its two runs, so a burst of noise on the machine does not decide a ratio.
 *
 * Where the time goes: each run also records the server's CPU time per request, and before the runs the help
 * endpoint itself (HelpEndpoint.handle: key check, validation, match, signed token, answer) is timed in a loop in
 * Signpost's process, without HTTP. From these, a ceiling: the ratio Signpost would reach if serving HTTP cost it
 * no more than the bare server and the match work no more than in that loop, `1 / (1 + bare req/s x work)`
 * at load, where the bare server is CPU-bound.
 *
 *   npx tsx bench/http.ts [--json] [--quick]
 */

import { type BenchServer, failuresOf, type LoadResult, load, startServer } from './lib/autocannon.js';
import { isMain, printTable } from './lib/measure.js';

/** Searches that hit the national hotline (every answer carries a message and a signed token). */
const QUERIES = [
  'they took my passport',
  'human trafficking hotline',
  'forced to work no pay',
  'trata de personas ayuda',
  'my boss keeps my passport and i cannot leave',
  'víctima de trata',
];
const bodies = QUERIES.map((query, i) =>
  JSON.stringify({ query, locale: i % 2 ? 'es-US' : 'en-US', region: 'US-CA' }),
);

interface Scenario {
  name: string;
  connections: number;
}

async function answerSize(server: BenchServer): Promise<number> {
  const res = await fetch(`${server.url}/v1/match`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.secretKey },
    body: bodies[0],
  });
  const text = await res.text();
  if (res.status !== 200 || !JSON.parse(text).match)
    throw new Error(`The bench query did not match: ${res.status} ${text}`);
  return Buffer.byteLength(text);
}

const best = <T extends LoadResult>(a: T | undefined, b: T) =>
  !a || b.requestsPerSecond > a.requestsPerSecond ? b : a;

export async function run(opts: { json: boolean; quick?: boolean }): Promise<Record<string, unknown>> {
  const durationS = opts.quick ? 3 : 10;
  const rounds = opts.quick ? 1 : 2;
  const scenarios: Scenario[] = [
    { name: 'two connections', connections: 2 },
    { name: 'load (32 connections)', connections: 32 },
  ];
  const signpost = await startServer('signpost', { counting: true });
  const uncounted = await startServer('signpost', { counting: false });
  const bytes = await answerSize(signpost);
  const bare = await startServer('bare', { answerBytes: bytes });
  const servers = [bare, signpost, uncounted];
  const names = ['bare node:http', 'Signpost', 'Signpost, counting off'];
  const results = new Map<string, LoadResult & { cpuMicrosPerRequest: number }>();
  const failures: string[] = [];
  let workMicros = 0;
  try {
    // Warm up: JIT, connection pools, the ruleset and partner caches.
    for (const server of servers) {
      await load({
        url: server.url,
        path: '/v1/match',
        headers: { 'x-api-key': server.secretKey },
        bodies,
        connections: 8,
        durationS: opts.quick ? 1 : 3,
      });
    }
    // The match work alone, in Signpost's process, while nothing else runs.
    workMicros = await signpost.work(bodies, opts.quick ? 5_000 : 20_000);
    for (let round = 0; round < rounds; round++) {
      for (const scenario of scenarios) {
        for (const [i, server] of servers.entries()) {
          const cpuBefore = (await server.stats()).cpuMicros;
          const r = await load({
            url: server.url,
            path: '/v1/match',
            headers: { 'x-api-key': server.secretKey },
            bodies,
            connections: scenario.connections,
            durationS,
          });
          const cpuMicrosPerRequest =
            ((await server.stats()).cpuMicros - cpuBefore) / Math.max(1, r.requests);
          const key = `${names[i]}|${scenario.name}`;
          failures.push(...failuresOf(`${names[i]}, ${scenario.name}, round ${round + 1}`, r));
          results.set(key, best(results.get(key), { ...r, cpuMicrosPerRequest }));
        }
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }

  const figures: Record<string, unknown> = {
    answerBytes: bytes,
    durationS,
    rounds,
    failures,
    helpEndpointCpuMicros: workMicros,
  };
  const rows = [
    [
      'scenario',
      'server',
      'req/s',
      'ratio to bare',
      'CPU/request',
      'p50',
      'p99',
      'max',
      'errors',
      'timeouts',
      'non-2xx',
    ],
  ];
  for (const scenario of scenarios) {
    const baseline = results.get(`${names[0]}|${scenario.name}`);
    const perServer: Record<string, unknown> = {};
    for (const name of names) {
      const r = results.get(`${name}|${scenario.name}`);
      if (!r || !baseline) continue;
      const ratio = r.requestsPerSecond / baseline.requestsPerSecond;
      perServer[name] = { ...r, ratioToBare: ratio };
      rows.push([
        scenario.name,
        name,
        Math.round(r.requestsPerSecond).toLocaleString('en-US'),
        ratio.toFixed(2),
        `${r.cpuMicrosPerRequest.toFixed(0)} µs`,
        `${r.latencyP50Ms} ms`,
        `${r.latencyP99Ms} ms`,
        `${r.latencyMaxMs} ms`,
        String(r.errors),
        String(r.timeouts),
        String(r.non2xx),
      ]);
    }
    const on = results.get(`Signpost|${scenario.name}`);
    const off = results.get(`Signpost, counting off|${scenario.name}`);
    figures[scenario.name] = {
      ...perServer,
      countingOnToOff: on && off ? on.requestsPerSecond / off.requestsPerSecond : null,
      ceilingRatio: baseline ? 1 / (1 + (baseline.requestsPerSecond * workMicros) / 1e6) : null,
    };
  }
  const twoConn = figures['two connections'] as Record<string, { ratioToBare: number; latencyP99Ms: number }>;
  const load32 = figures['load (32 connections)'] as Record<string, { ratioToBare: number } | number | null>;
  const goals = {
    'ratio to bare >= 0.85 (two connections)': (twoConn.Signpost?.ratioToBare ?? 0) >= 0.85,
    'ratio to bare >= 0.85 (load)':
      ((load32.Signpost as { ratioToBare: number } | undefined)?.ratioToBare ?? 0) >= 0.85,
    'p99 < 2 ms at two connections': (twoConn.Signpost?.latencyP99Ms ?? Number.POSITIVE_INFINITY) < 2,
    'counting costs at most 10% (load)': ((load32.countingOnToOff as number | null) ?? 0) >= 0.9,
    'zero errors, timeouts, non-2xx': failures.length === 0,
  };
  figures.goals = goals;
  if (failures.length) process.exitCode = 1;

  if (!opts.json) {
    console.log(
      `POST /v1/match, ${durationS} s per run, best of ${rounds}; answers ${bytes} bytes; autocannon and each server on their own core`,
    );
    printTable(rows);
    for (const scenario of scenarios) {
      const ratio = (figures[scenario.name] as { countingOnToOff: number | null }).countingOnToOff;
      console.log(`counting on / off, ${scenario.name}: ${ratio === null ? 'n/a' : ratio.toFixed(2)}`);
    }
    const ceiling = (figures['load (32 connections)'] as { ceilingRatio: number | null }).ceilingRatio;
    console.log(
      `the help endpoint alone (key, validation, match, signed token, answer; in a loop, no HTTP): ${workMicros.toFixed(1)} µs CPU a call;` +
        ` with HTTP at the bare server's cost, the ratio at load could reach at most ${ceiling?.toFixed(2) ?? 'n/a'}`,
    );
    for (const [goal, met] of Object.entries(goals)) console.log(`${met ? 'met    ' : 'NOT MET'}  ${goal}`);
    for (const failure of failures) console.log(`FAILED  ${failure}`);
  }
  return figures;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const figures = await run({ json: args.includes('--json'), quick: args.includes('--quick') });
  if (args.includes('--json')) console.log(JSON.stringify(figures, null, 2));
}
