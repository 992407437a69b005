/**
 * Claims: the partner function's bundle is under 350 KB minified with the AWS SDK inside, and imports in at
 * most 60 ms more than a bare hello-world Hono handler bundled the same way; admin and widget code are not in
 * it. Baselines beside it, measured in the same run: `node -e 0` and that hello-world handler.
 *
 * Each entry is bundled with the very settings the CDK construct uses (infra/constructs/bundling.ts), then
 * imported in a fresh Node process 20 times (median), with NODE_OPTIONS=--enable-source-maps as on Lambda.
 * The partner entry reads its token secret from SSM at import: a loopback stand-in answers, so its cold init
 * is measured whole (one SSM round trip included) without AWS.
 *
 *   npx tsx bench/bundles.ts [--json] [--quick]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { buildAdminPage } from '../admin-ui/build.js';
import { LAMBDA_BUNDLE } from '../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../infra/constructs/signpost-function.js';
import { buildWidget } from '../widget/build.js';

const GOALS = { partnerMinifiedBytes: 350 * 1024, partnerImportOverHelloMs: 60 };

const HELLO = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
const app = new Hono();
app.get('/', (c) => c.text('hello'));
export const handler = handle(app);
`;

const ENTRIES = {
  hello: null,
  partner: 'functions/lambda/partner.ts',
  admin: 'functions/lambda/admin.ts',
  'admin-sign-up-guard': 'functions/lambda/admin-sign-up-guard.ts',
} as const;
type BundleName = keyof typeof ENTRIES;

export interface BundleFigures {
  minifiedBytes: number;
  gzipBytes: number;
  /** Median milliseconds of `await import(bundle)` inside a fresh process. */
  importMs: number;
  /** Median wall time of the whole process (start, import, exit). */
  processMs: number;
  /** The largest contributors, by package or source folder. */
  top: { from: string; bytes: number }[];
}

export interface BundlesResult {
  runs: number;
  nodeEmptyProcessMs: number;
  bundles: Record<BundleName, BundleFigures>;
  partner: {
    overHelloImportMs: number;
    goalMinifiedBytes: number;
    goalOverHelloImportMs: number;
    meetsSizeGoal: boolean;
    meetsImportGoal: boolean;
    containsAdminCode: boolean;
    containsWidgetSource: boolean;
  };
}

/** The esbuild options NodejsFunction derives from the construct's bundling settings. */
function esbuildOptions(outfile: string): BuildOptions {
  return {
    bundle: true,
    outfile,
    format: LAMBDA_BUNDLE.format,
    platform: LAMBDA_BUNDLE.platform,
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    charset: LAMBDA_BUNDLE.charset,
    banner: { js: LAMBDA_BUNDLE.banner },
    external: [...LAMBDA_BUNDLE.external],
    alias: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE.alias).map(([module, replacement]) => [
        module,
        join(PROJECT_ROOT, replacement),
      ]),
    ),
    metafile: true,
    logLevel: 'error',
  };
}

function contributors(meta: Metafile): { from: string; bytes: number }[] {
  const output = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined);
  const totals = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
    const from = pkg ?? file.split('/').slice(0, 2).join('/');
    totals.set(from, (totals.get(from) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([from, bytes]) => ({ from, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** A loopback stand-in for SSM GetParameter (AWS JSON 1.1), so the partner entry's init can run offline. */
async function fakeSsm(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(
        JSON.stringify({
          Parameter: { Name: '/bench/token', Type: 'SecureString', Value: 'b'.repeat(48), Version: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const IMPORT_SCRIPT =
  'const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));process.exit(0)';

/** Runs a child asynchronously: the SSM stand-in lives in this process and must keep answering meanwhile. */
function runChild(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function timeImport(
  file: string,
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<{ importMs: number; processMs: number }> {
  const imports: number[] = [];
  const processes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = await runChild(['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href], env);
    processes.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr.slice(0, 2000)}`);
    imports.push(Number(child.stdout));
  }
  return { importMs: median(imports), processMs: median(processes) };
}

async function timeEmptyProcess(runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await runChild(['-e', '0'], {});
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function measureBundles(runs = 20): Promise<BundlesResult> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-bundles-'));
  const ssm = await fakeSsm();
  try {
    const bundles = {} as Record<BundleName, BundleFigures>;
    const files = {} as Record<BundleName, string>;
    const metas = {} as Record<BundleName, Metafile>;
    for (const [name, entry] of Object.entries(ENTRIES) as [BundleName, string | null][]) {
      const outdir = join(dir, name);
      mkdirSync(outdir);
      const outfile = join(outdir, 'index.mjs');
      const options = esbuildOptions(outfile);
      const result = await build(
        entry === null
          ? {
              ...options,
              stdin: { contents: HELLO, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'hello.ts' },
            }
          : { ...options, entryPoints: [join(PROJECT_ROOT, entry)] },
      );
      files[name] = outfile;
      metas[name] = result.metafile as Metafile;
    }
    // What the infra copies next to the handlers.
    mkdirSync(join(dir, 'partner', 'widget'));
    writeFileSync(join(dir, 'partner', 'widget', 'v1.js'), (await buildWidget()).js);
    const page = await buildAdminPage();
    mkdirSync(join(dir, 'admin', 'admin'));
    for (const file of page.files) writeFileSync(join(dir, 'admin', 'admin', file.name), file.body);
    writeFileSync(
      join(dir, 'admin', 'admin', 'manifest.json'),
      JSON.stringify({
        script: page.script,
        style: page.style,
        files: page.files.map((f) => f.name),
        firstLoadGzipBytes: 0,
      }),
    );

    // The environment the functions get on AWS, pointed at nothing that answers except the SSM stand-in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_OPTIONS: '--enable-source-maps',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      CONFIG_TABLE_NAME: 'bench-config',
      STATS_TABLE_NAME: 'bench-stats',
      TOKEN_SECRET_PARAMETER: '/bench/token',
      ADMIN_JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench',
      ADMIN_JWT_AUDIENCE: 'bench-client',
      ADMIN_JWT_SCOPE: 'signpost/admin',
      ADMIN_AUTH_URL: 'https://bench.auth.us-east-1.amazoncognito.com',
      PUBLIC_BASE_URL: 'https://bench.example.org',
      POWERTOOLS_SERVICE_NAME: 'bench',
      POWERTOOLS_METRICS_NAMESPACE: 'Bench',
      LOG_LEVEL: 'ERROR',
    };

    const nodeEmptyProcessMs = await timeEmptyProcess(runs);
    for (const name of Object.keys(ENTRIES) as BundleName[]) {
      const code = readFileSync(files[name]);
      bundles[name] = {
        minifiedBytes: code.length,
        gzipBytes: gzipSync(code, { level: 9 }).length,
        ...(await timeImport(files[name], env, runs)),
        top: contributors(metas[name]).slice(0, 12),
      };
    }

    const partnerInputs = Object.keys(
      Object.values(metas.partner.outputs).find((o) => o.entryPoint)?.inputs ?? {},
    );
    const overHelloImportMs = bundles.partner.importMs - bundles.hello.importMs;
    return {
      runs,
      nodeEmptyProcessMs,
      bundles,
      partner: {
        overHelloImportMs,
        goalMinifiedBytes: GOALS.partnerMinifiedBytes,
        goalOverHelloImportMs: GOALS.partnerImportOverHelloMs,
        meetsSizeGoal: bundles.partner.minifiedBytes < GOALS.partnerMinifiedBytes,
        meetsImportGoal: overHelloImportMs <= GOALS.partnerImportOverHelloMs,
        containsAdminCode: partnerInputs.some(
          (f) => f.startsWith('functions/http/admin') || f.startsWith('admin-ui/'),
        ),
        containsWidgetSource: partnerInputs.some((f) => f.startsWith('widget/')),
      },
    };
  } finally {
    await ssm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { json: boolean; quick?: boolean }): Promise<BundlesResult> {
  const result = await measureBundles(opts.quick ? 5 : 20);
  // In JSON mode the caller prints (bench/run.ts gathers every benchmark into one object).
  if (opts.json) return result;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
  const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(9);
  console.log(
    `Lambda bundles (esbuild as the CDK construct sets it; import median of ${result.runs} fresh processes)`,
  );
  console.log(
    `  ${'bundle'.padEnd(20)} ${'minified'.padStart(9)} ${'gzip'.padStart(9)} ${'import'.padStart(9)} ${'process'.padStart(9)}`,
  );
  for (const [name, b] of Object.entries(result.bundles)) {
    console.log(
      `  ${name.padEnd(20)} ${kb(b.minifiedBytes)} ${kb(b.gzipBytes)} ${ms(b.importMs)} ${ms(b.processMs)}`,
    );
  }
  console.log(
    `  ${'node -e 0'.padEnd(20)} ${''.padStart(9)} ${''.padStart(9)} ${''.padStart(9)} ${ms(result.nodeEmptyProcessMs)}`,
  );
  const p = result.partner;
  console.log(
    `  partner: ${kb(result.bundles.partner.minifiedBytes).trim()} (goal < ${kb(p.goalMinifiedBytes).trim()}: ${p.meetsSizeGoal ? 'met' : 'NOT met'}), ` +
      `import ${p.overHelloImportMs.toFixed(1)} ms over hello-world (goal <= ${p.goalOverHelloImportMs} ms: ${p.meetsImportGoal ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  partner bundle holds admin code: ${p.containsAdminCode ? 'YES' : 'no'}; widget source: ${p.containsWidgetSource ? 'YES' : 'no'}`,
  );
  console.log(
    `  largest in partner: ${result.bundles.partner.top
      .slice(0, 8)
      .map((t) => `${t.from} ${kb(t.bytes).trim()}`)
      .join(', ')}`,
  );
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run({ json: process.argv.includes('--json'), quick: process.argv.includes('--quick') }).catch(
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
