/**
 * `npm run bench`: every measured claim, each beside the baseline it is judged against, measured in this run.
 *   npm run bench                      all benchmarks, as tables
 *   npm run bench -- --json            the same figures as one JSON object
 *   npm run bench -- --only matcher,http   a subset
 *   npm run bench -- --quick           shorter runs (rough figures, for a smoke check)
 */
export {};

const BENCHES = ['matcher', 'http', 'counting', 'bundles', 'widget-size', 'soak'] as const;

interface BenchModule {
  run(opts: { json: boolean; quick?: boolean }): Promise<Record<string, unknown>>;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? '').split(',').filter(Boolean) : [...BENCHES];
const unknown = only.filter((name) => !(BENCHES as readonly string[]).includes(name));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}.`);
  process.exit(2);
}

const results: Record<string, unknown> = {
  machine: {
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    at: new Date().toISOString(),
  },
};
for (const name of only) {
  const bench = (await import(`./${name}.ts`)) as BenchModule;
  if (!json) console.log(`\n== ${name} ==`);
  results[name] = await bench.run({ json, quick });
}
if (json) console.log(JSON.stringify(results, null, 2));
