/**
 * The matcher benchmark (issue 2, "How fast"): the compiled matcher, normalization included, against a naive
 * loop over every keyword, at 1,000, 10,000 and 100,000 keywords, in one run on this machine; both are checked
 * against each other. Also: index build time (warm), heap kept by the index, and the cold load of a stored
 * 100,000-keyword ruleset (the body the DynamoDB adapter stores, read, unzipped, parsed, decoded and compiled in a
 * fresh process until the first match), beside the same ruleset in the encoding older versions are stored in.
 *
 *   npx tsx bench/matcher.ts [--json] [--quick]
 * Goals at 100,000 keywords: >= 500,000 matches/s, >= 2,000x naive, build < 200 ms, cold ready < 300 ms, heap < 40 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeRuleset } from '../functions/adapters/dynamodb/ruleset-encoding.js';
import { type CompiledRuleset, compileRuleset, type MatchContext } from '../functions/core/matcher.js';
import type { Ruleset } from '../functions/core/model.js';
import { type GeneratedQuery, generateCorpus, generateQueries } from './lib/corpus.js';
import { fmt, isMain, medianMs, opsPerSecond, printTable, retainedBytes } from './lib/measure.js';
import { NaiveMatcher } from './lib/naive.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const GOALS = { qps: 500_000, ratio: 2_000, buildMs: 200, coldReadyMs: 300, heapMB: 40 };
const NOW = new Date('2026-06-01T12:00:00Z');

interface SizeResult {
  keywords: number;
  campaigns: number;
  queries: number;
  hitRate: number;
  compiledQps: number;
  naiveQps: number;
  ratio: number;
  checked: number;
  disagreements: number;
  disagreementExamples: string[];
  buildMs: number;
  buildMinMs: number;
  heapMB: number;
  arrayBuffersMB: number;
  indexMB: number;
  /** The parsed ruleset itself (campaign and keyword objects), which the index keeps alive beside its own data. */
  rulesetMB: number;
  heapExact: boolean;
}

const ctxOf = (q: GeneratedQuery): MatchContext => ({ locale: q.locale, region: q.region, now: NOW });
const keyOf = (r: { campaign: { id: string }; keyword: { id: string } } | null): string =>
  r ? `${r.campaign.id}/${r.keyword.id}` : '-';

function measureSize(size: number, quick: boolean): SizeResult {
  const corpus = generateCorpus(size);
  const ruleset = { version: 1, campaigns: corpus.campaigns };
  const queries = generateQueries(corpus, 20_000);
  const contexts = queries.map(ctxOf);
  const pairs = queries.map((q, i) => [q.text, contexts[i] as MatchContext] as const);

  // Build: one cold compile to warm the code, then the median of several.
  compileRuleset(ruleset);
  const build = medianMs(quick ? 3 : size >= 100_000 ? 7 : 15, () => compileRuleset(ruleset));
  const mem = retainedBytes(() => compileRuleset(ruleset));
  const compiled: CompiledRuleset = mem.value;
  const json = JSON.stringify(ruleset);
  const parsed = retainedBytes(() => JSON.parse(json) as unknown);

  const ms = quick ? 300 : 1000;
  // Warm up first (the optimizing compiler), so the first size measured is not penalized.
  opsPerSecond(pairs, ([text, ctx]) => compiled.match(text, ctx), ms / 4);
  const fast = opsPerSecond(pairs, ([text, ctx]) => compiled.match(text, ctx), ms);
  const hitRate = pairs.filter(([text, ctx]) => compiled.match(text, ctx) !== null).length / pairs.length;

  const naive = new NaiveMatcher(corpus.campaigns);
  const naiveRun = opsPerSecond(pairs.slice(0, 2000), ([text, ctx]) => naive.match(text, ctx), ms);

  // Cross-check: every query at 1,000; a sample (with its hits) above.
  const sample = size <= 1_000 ? pairs : pairs.slice(0, quick ? 300 : size <= 10_000 ? 5_000 : 1_500);
  let disagreements = 0;
  const examples: string[] = [];
  for (const [text, ctx] of sample) {
    const a = keyOf(compiled.match(text, ctx));
    const b = keyOf(naive.match(text, ctx));
    if (a !== b) {
      disagreements++;
      if (examples.length < 5)
        examples.push(`${JSON.stringify(text)} ${ctx.locale}/${ctx.region}: compiled ${a}, naive ${b}`);
    }
  }
  return {
    keywords: compiled.keywordCount,
    campaigns: corpus.campaigns.length,
    queries: pairs.length,
    hitRate: Math.round(hitRate * 1000) / 1000,
    compiledQps: Math.round(fast.opsPerSec),
    naiveQps: Math.round(naiveRun.opsPerSec),
    ratio: Math.round(fast.opsPerSec / naiveRun.opsPerSec),
    checked: sample.length,
    disagreements,
    disagreementExamples: examples,
    buildMs: round1(build.medianMs),
    buildMinMs: round1(build.minMs),
    // Below a few hundred KB the heap delta is GC noise and can come out negative: floored at 0.
    heapMB: mb(mem.heapBytes),
    arrayBuffersMB: mb(mem.arrayBufferBytes),
    indexMB: mb(mem.heapBytes) + mb(mem.arrayBufferBytes),
    rulesetMB: mb(parsed.heapBytes),
    heapExact: mem.exact,
  };
}

interface ColdResult {
  storedBytes: number;
  jsonBytes: number;
  readMs: number;
  gunzipMs: number;
  parseMs: number;
  decodeMs: number;
  compileMs: number;
  firstMatchMs: number;
  readyMs: number;
  matcherImportMs: number;
  sinceProcessStartMs: number;
  matched: boolean;
  keywords: number;
}

type ColdRun = ColdResult & { runs: number; readyMsAll: number[] };

type ColdRuns = { current: ColdRun; encoding2: ColdRun; encoding1: ColdRun };

/**
 * Stores a ruleset as the DynamoDB adapter does (ruleset-encoding.ts), in the current encoding and, for baselines,
 * in encodings 2 and 1 (as versions published before stay); loads each in `runs` fresh processes, alternating;
 * answers per encoding the run with the median ready time, and the spread.
 */
async function measureCold(size: number, runs: number): Promise<ColdRuns> {
  const corpus = generateCorpus(size);
  const ruleset: Ruleset = {
    version: 1,
    publishedAt: NOW.toISOString(),
    publishedBy: 'bench',
    campaigns: corpus.campaigns,
  };
  const letters = { exact: 'e', phrase: 'p', broad: 'b' } as const;
  const bodies = {
    current: await encodeRuleset(ruleset),
    // As encoding 2 stored keywords: one array per column.
    encoding2: gzipSync(
      Buffer.from(
        JSON.stringify({
          encoding: 2,
          ...ruleset,
          campaigns: ruleset.campaigns.map((c) => ({
            ...c,
            keywords: {
              id: c.keywords.map((k) => k.id),
              text: c.keywords.map((k) => k.text),
              match: c.keywords.map((k) => letters[k.match]).join(''),
            },
          })),
        }),
        'utf8',
      ),
    ),
    // As blob.ts wrote every body before: UTF-8 JSON of the Ruleset itself, gzipped.
    encoding1: gzipSync(Buffer.from(JSON.stringify(ruleset), 'utf8')),
  };
  const dir = mkdtempSync(join(tmpdir(), 'signpost-bench-'));
  try {
    const child = fileURLToPath(new URL('./lib/cold-load-child.ts', import.meta.url));
    const probe = corpus.keywordTexts[0] ?? 'help';
    const results = {
      current: [] as ColdResult[],
      encoding2: [] as ColdResult[],
      encoding1: [] as ColdResult[],
    };
    for (const [name, body] of Object.entries(bodies)) writeFileSync(join(dir, name), body);
    for (let i = 0; i < runs; i++) {
      for (const name of ['current', 'encoding2', 'encoding1'] as const) {
        const out = spawnSync(process.execPath, ['--import', 'tsx', child, join(dir, name), probe], {
          encoding: 'utf8',
        });
        if (out.status !== 0) throw new Error(`cold load child failed: ${out.stderr}`);
        const lastLine = out.stdout.trim().split('\n').pop() ?? '{}';
        results[name].push({
          storedBytes: bodies[name].length,
          jsonBytes: gunzipSync(bodies[name]).length,
          ...(JSON.parse(lastLine) as object),
        } as ColdResult);
      }
    }
    const median = (all: ColdResult[]): ColdRun => {
      all.sort((a, b) => a.readyMs - b.readyMs);
      const m = all[Math.floor(all.length / 2)] as ColdResult;
      return { ...m, runs, readyMsAll: all.map((r) => round1(r.readyMs)) };
    };
    return {
      current: median(results.current),
      encoding2: median(results.encoding2),
      encoding1: median(results.encoding1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { json: boolean; quick?: boolean }): Promise<Record<string, unknown>> {
  const quick = opts.quick === true;
  const loadBefore = loadavg()[0] ?? 0;
  const sizes: Record<string, SizeResult> = {};
  for (const size of SIZES) {
    sizes[String(size)] = measureSize(size, quick);
  }
  const cold = await measureCold(100_000, quick ? 1 : 5);
  const top = sizes['100000'] as SizeResult;
  const goals = {
    qps: { goal: GOALS.qps, value: Math.round(top.compiledQps), met: top.compiledQps >= GOALS.qps },
    ratio: { goal: GOALS.ratio, value: Math.round(top.ratio), met: top.ratio >= GOALS.ratio },
    buildMs: { goal: GOALS.buildMs, value: round1(top.buildMs), met: top.buildMs < GOALS.buildMs },
    coldReadyMs: {
      goal: GOALS.coldReadyMs,
      value: round1(cold.current.readyMs),
      met: cold.current.readyMs < GOALS.coldReadyMs,
    },
    heapMB: { goal: GOALS.heapMB, value: round1(top.indexMB), met: top.indexMB < GOALS.heapMB },
    agreement: { goal: 0, value: Object.values(sizes).reduce((n, s) => n + s.disagreements, 0), met: false },
  };
  goals.agreement.met = goals.agreement.value === 0;
  // Figures from a busy machine say little: the load average is reported beside them.
  const load = { before: round1(loadBefore), after: round1(loadavg()[0] ?? 0) };
  const result = { sizes, cold, goals, loadAverage1m: load, node: process.version };
  if (!opts.json) print(sizes, cold, goals, load);
  return result;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const mb = (bytes: number): number => Math.max(0, Math.round((bytes / 1048576) * 100) / 100);

function print(
  sizes: Record<string, SizeResult>,
  cold: ColdRuns,
  goals: Record<string, { goal: number; value: number; met: boolean }>,
  load: { before: number; after: number },
): void {
  const s = Object.values(sizes);
  console.log('Matcher: compiled index vs naive includes loop (one thread, normalization included)\n');
  printTable([
    ['keywords', ...s.map((r) => fmt.int(r.keywords))],
    ['campaigns', ...s.map((r) => fmt.int(r.campaigns))],
    ['queries that hit', ...s.map((r) => `${(r.hitRate * 100).toFixed(1)}%`)],
    ['compiled matches/s', ...s.map((r) => fmt.int(r.compiledQps))],
    ['naive matches/s', ...s.map((r) => fmt.int(r.naiveQps))],
    ['ratio', ...s.map((r) => fmt.x(r.ratio))],
    ['checked against naive', ...s.map((r) => fmt.int(r.checked))],
    ['disagreements', ...s.map((r) => String(r.disagreements))],
    ['build, warm (median)', ...s.map((r) => fmt.ms(r.buildMs))],
    ['index JS heap', ...s.map((r) => fmt.mb(r.heapMB * 1048576))],
    ['index array buffers', ...s.map((r) => fmt.mb(r.arrayBuffersMB * 1048576))],
    ['(parsed ruleset itself)', ...s.map((r) => fmt.mb(r.rulesetMB * 1048576))],
  ]);
  for (const r of s)
    for (const e of r.disagreementExamples) console.log(`  disagreement at ${r.keywords}: ${e}`);
  console.log(
    `\nCold load of the stored 100,000-keyword ruleset in a fresh process, until the first match (median of ${cold.current.runs}):`,
  );
  for (const [label, c] of [
    ['stored now (encoding 3)', cold.current],
    ['versions stored before (encoding 2)', cold.encoding2],
    ['versions stored before (encoding 1)', cold.encoding1],
  ] as const) {
    console.log(
      `  ${label}: ${fmt.mb(c.storedBytes)} gzip, ${fmt.mb(c.jsonBytes)} JSON; runs ${c.readyMsAll.join(', ')} ms`,
    );
    console.log(
      `    read ${fmt.ms(c.readMs)} + gunzip ${fmt.ms(c.gunzipMs)} + JSON.parse ${fmt.ms(c.parseMs)} + decode ${fmt.ms(c.decodeMs)} + compile ${fmt.ms(c.compileMs)} + first match ${fmt.ms(c.firstMatchMs)} = ready in ${fmt.ms(c.readyMs)}`,
    );
  }
  console.log(
    `  (importing the matcher took ${fmt.ms(cold.current.matcherImportMs)} before that; ${fmt.ms(cold.current.sinceProcessStartMs)} since process start, tsx loader included)`,
  );
  console.log('\nGoals at 100,000 keywords:');
  printTable([
    ['goal', 'target', 'measured', 'met'],
    ['matches/s', `>= ${fmt.int(GOALS.qps)}`, fmt.int(goals.qps?.value ?? 0), yes(goals.qps)],
    ['times naive', `>= ${fmt.int(GOALS.ratio)}`, fmt.x(goals.ratio?.value ?? 0), yes(goals.ratio)],
    ['build, warm', `< ${GOALS.buildMs} ms`, fmt.ms(goals.buildMs?.value ?? 0), yes(goals.buildMs)],
    [
      'cold ready',
      `< ${GOALS.coldReadyMs} ms`,
      fmt.ms(goals.coldReadyMs?.value ?? 0),
      yes(goals.coldReadyMs),
    ],
    ['index memory', `< ${GOALS.heapMB} MB`, `${goals.heapMB?.value ?? 0} MB`, yes(goals.heapMB)],
    ['disagreements', '0', String(goals.agreement?.value ?? 0), yes(goals.agreement)],
  ]);
  const busy = Math.max(load.before, load.after) > 1.5;
  console.log(
    `\n1-minute load average ${load.before} before, ${load.after} after${busy ? ': the machine was busy, so these figures are pessimistic' : ''}.`,
  );
}

const yes = (g: { met: boolean } | undefined): string => (g?.met ? 'yes' : 'NO');

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const result = await run({ json, quick: args.includes('--quick') });
  if (json) console.log(JSON.stringify(result, null, 2));
}
