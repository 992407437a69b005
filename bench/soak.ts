/**
 * Soak: three consecutive one-minute load runs of POST /v1/match against the local server (counting on, its
 * embedded dynalite in memory), in a child process. After each run (and a forced GC) it reads the server's
 * resident memory, heap, event-loop delay during the run (perf_hooks.monitorEventLoopDelay) and open file
 * descriptors (/proc/self/fd). Goals: resident memory grows under 5% from the 2nd run to the 3rd (the 1st
 * warms caches and JIT), and the descriptor count does not keep growing. Zero errors and non-2xx.
 *
 *   npx tsx bench/soak.ts [--json] [--quick]      (--quick: three 10-second runs)
 */
import { failuresOf, type LoadResult, load, type ProcessStats, startServer } from './lib/autocannon.js';
import { fmt, isMain, printTable } from './lib/measure.js';

const bodies = [
  'they took my passport',
  'forced to work no pay',
  'trata de personas',
  'weather tomorrow',
  'cheap flights to madrid',
  'human trafficking hotline',
].map((query) => JSON.stringify({ query, locale: 'en-US', region: 'US' }));

const CONNECTIONS = 16;

export async function run(opts: { json: boolean; quick?: boolean }): Promise<Record<string, unknown>> {
  const durationS = opts.quick ? 10 : 60;
  const server = await startServer('signpost', { counting: true });
  const runs: (LoadResult & ProcessStats)[] = [];
  const failures: string[] = [];
  let before: ProcessStats;
  try {
    before = await server.stats({ gc: true, resetDelay: true });
    for (let i = 0; i < 3; i++) {
      const r = await load({
        url: server.url,
        path: '/v1/match',
        headers: { 'x-api-key': server.secretKey },
        bodies,
        connections: CONNECTIONS,
        durationS,
      });
      failures.push(...failuresOf(`run ${i + 1}`, r));
      // Let keep-alive sockets close and the counters flush before counting memory and descriptors.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      runs.push({ ...r, ...(await server.stats({ gc: true, resetDelay: true })) });
    }
  } finally {
    await server.close();
  }
  const [, second, third] = runs;
  const rssGrowth = second && third ? (third.rssBytes - second.rssBytes) / second.rssBytes : Number.NaN;
  const fdGrowth = second && third ? third.openFds - second.openFds : Number.NaN;
  const goals = {
    'RSS growth 2nd -> 3rd run < 5%': rssGrowth < 0.05,
    'open file descriptors not growing (2nd -> 3rd)': fdGrowth <= 0,
    'zero errors, timeouts, non-2xx': failures.length === 0,
  };
  if (failures.length) process.exitCode = 1;

  if (!opts.json) {
    console.log(
      `${runs.length} runs of ${durationS} s, ${CONNECTIONS} connections, POST /v1/match, counting on`,
    );
    printTable([
      ['run', 'req/s', 'p99', 'RSS', 'heap used', 'event-loop p99', 'event-loop max', 'open fds', 'non-2xx'],
      [
        'before',
        '',
        '',
        fmt.mb(before.rssBytes),
        fmt.mb(before.heapUsedBytes),
        '',
        '',
        String(before.openFds),
        '',
      ],
      ...runs.map((r, i) => [
        String(i + 1),
        fmt.int(r.requestsPerSecond),
        `${r.latencyP99Ms} ms`,
        fmt.mb(r.rssBytes),
        fmt.mb(r.heapUsedBytes),
        fmt.ms(r.eventLoopDelayP99Ms),
        fmt.ms(r.eventLoopDelayMaxMs),
        String(r.openFds),
        String(r.non2xx + r.errors + r.timeouts),
      ]),
    ]);
    console.log(
      `RSS growth from run 2 to run 3: ${(rssGrowth * 100).toFixed(1)}%; open fds: ${fdGrowth >= 0 ? '+' : ''}${fdGrowth}`,
    );
    for (const [goal, met] of Object.entries(goals)) console.log(`${met ? 'met    ' : 'NOT MET'}  ${goal}`);
    for (const failure of failures) console.log(`FAILED  ${failure}`);
  }
  return { durationS, connections: CONNECTIONS, before, runs, rssGrowth, fdGrowth, goals, failures };
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const figures = await run({ json: args.includes('--json'), quick: args.includes('--quick') });
  if (args.includes('--json')) console.log(JSON.stringify(figures, null, 2));
}
