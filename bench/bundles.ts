/**
 * Claims: the partner function's bundle is under 350 KB minified with the AWS SDK inside, and imports in at
 * most 60 ms more than a bare hello-world Hono handler bundled the same way; admin and widget code are not in
 * it. Baselines beside it, measured in the same run: `node -e 0` and that hello-world handler.
 *
 * Each entry is bundled with the very settings the CDK construct uses (infra/constructs/bundling.ts), then
 * imported in a fresh Node process 20 times (median), with the environment the functions get on Lambda (no
 * NODE_OPTIONS: the construct leaves --enable-source-maps off, which costs about 60 ms of import here).
 * The partner and admin entries read their secrets at import through the AWS Parameters and Secrets extension
 * (an HTTP server on localhost on Lambda): a loopback stand-in answers in its place, so their cold init is
 * measured whole (the round trips to the extension included) without AWS.
 *
 * One more row, `partner-no-tracer`, is the partner entry with the Powertools Tracer (and so aws-xray-sdk-core)
 * replaced by a no-op at bundle time: the difference from `partner` is what tracing costs. It is measured, not
 * deployed. Likewise `partner-source-maps`: the same bundle imported with NODE_OPTIONS=--enable-source-maps.
 *
 * `library-floor` holds only the libraries the partner entry uses (Hono, middy, Powertools, the DynamoDB document
 * client, zod/mini), used as it uses them, and no Signpost code: how much of the goals those libraries alone take.
 * `library-floor-no-tracer` is the same with the NO_TRACER stand-in below.
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
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { writeAdminPage } from '../admin-ui/build.js';
import { lambdaEsbuildOptions } from '../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../infra/constructs/signpost-function.js';
import { buildWidget } from '../widget/build.js';

const GOALS = { partnerMinifiedBytes: 350 * 1024, partnerImportOverHelloMs: 60 };

const HELLO = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
const app = new Hono();
app.get('/', (c) => c.text('hello'));
export const handler = handle(app);
`;

/** The partner's libraries as functions/lambda/runtime.ts, adapters/dynamodb and the partner routes use them. */
const LIBRARY_FLOOR = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
z.config(en());
const Query = z.object({ query: z.string().check(z.maxLength(500)) });
const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const doc = tracer.captureAWSv3Client(DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 })));
const app = new Hono();
app.post('/', bodyLimit({ maxSize: 4096 }), compress(), async (c) => {
  const { query } = Query.parse(await c.req.json());
  const TableName = 'floor';
  const Key = { pk: query, sk: 'floor' };
  await doc.send(new GetCommand({ TableName, Key }));
  const ExpressionAttributeValues = { ':pk': query };
  await doc.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues }));
  await doc.send(new UpdateCommand({ TableName, Key, UpdateExpression: 'SET q = :pk', ExpressionAttributeValues }));
  await doc.send(new PutCommand({ TableName, Item: Key }));
  return c.json({ query });
});
export const handler = middy(handle(app))
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
`;

/** A path to bundle, or inline source text. */
const ENTRIES = {
  hello: { source: HELLO },
  partner: 'functions/lambda/partner.ts',
  'partner-no-tracer': 'functions/lambda/partner.ts',
  'partner-source-maps': 'functions/lambda/partner.ts',
  'library-floor': { source: LIBRARY_FLOOR },
  'library-floor-no-tracer': { source: LIBRARY_FLOOR },
  admin: 'functions/lambda/admin.ts',
  'admin-sign-up-guard': 'functions/lambda/admin-sign-up-guard.ts',
} as const;
type BundleName = keyof typeof ENTRIES;

/**
 * The Tracer API the entries use (new Tracer(), captureAWSv3Client, the captureLambdaHandler middleware) as
 * no-ops: what the partner bundle would be without X-Ray tracing, to put a number on its cost.
 */
const NO_TRACER: Plugin = {
  name: 'no-tracer',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/tracer(\/middleware)?$/ }, (args) => ({
      path: args.path,
      namespace: 'no-tracer',
    }));
    b.onLoad({ filter: /.*/, namespace: 'no-tracer' }, (args) => ({
      contents: args.path.endsWith('/middleware')
        ? 'export const captureLambdaHandler = () => ({ before() {} });'
        : 'export class Tracer { captureAWSv3Client(client) { return client; } }',
      loader: 'js',
    }));
  },
};
const PLUGINS: Partial<Record<BundleName, Plugin[]>> = {
  'partner-no-tracer': [NO_TRACER],
  'library-floor-no-tracer': [NO_TRACER],
};
/** The partner bundle again, imported with the source-map support the construct leaves off, to show its cost. */
const ENV_OVERRIDES: Partial<Record<BundleName, NodeJS.ProcessEnv>> = {
  'partner-source-maps': { NODE_OPTIONS: '--enable-source-maps' },
};

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

export interface FloorFigures {
  minifiedBytes: number;
  gzipBytes: number;
  importMs: number;
  /** Median of the paired per-round differences from `hello`, as for the partner. */
  overHelloImportMs: number;
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
  /** What the Powertools Tracer (aws-xray-sdk-core and its dependencies) adds to the partner bundle. */
  tracer: { minifiedBytes: number; gzipBytes: number; importMs: number };
  /** The partner's libraries alone, no Signpost code: the part of the goals that Signpost code cannot remove. */
  libraryFloor: FloorFigures;
  libraryFloorNoTracer: FloorFigures;
}

/** The esbuild options NodejsFunction derives from the construct's bundling settings, plus a metafile. */
function esbuildOptions(outfile: string): BuildOptions {
  return { ...lambdaEsbuildOptions(PROJECT_ROOT, outfile), metafile: true, logLevel: 'error' };
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

const EXTENSION_TOKEN = 'bench-session-token';
const ORIGIN_SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-origin-AbCdEf';

/**
 * A loopback stand-in for the Parameters and Secrets extension (its GetParameter and GetSecretValue JSON), so
 * the entries' init can run offline. It checks the token header as the extension does.
 */
async function fakeExtension(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers['x-aws-parameters-secrets-token'] !== EXTENSION_TOKEN) {
      res.statusCode = 401;
      res.end('missing or wrong token');
    } else if (url.pathname === '/systemsmanager/parameters/get') {
      const name = url.searchParams.get('name');
      res.end(JSON.stringify({ Parameter: { Name: name, Type: 'SecureString', Value: 'b'.repeat(48) } }));
    } else if (url.pathname === '/secretsmanager/get') {
      res.end(JSON.stringify({ ARN: url.searchParams.get('secretId'), SecretString: 'o'.repeat(48) }));
    } else {
      res.statusCode = 400;
      res.end('an unexpected error occurred while executing request');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return {
    port: (server.address() as AddressInfo).port,
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

/** Runs a child asynchronously: the extension stand-in lives in this process and must keep answering meanwhile. */
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

/** One fresh process importing `file`: the import's own time, and the whole process's. */
async function importOnce(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ importMs: number; processMs: number }> {
  const started = performance.now();
  const child = await runChild(['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href], env);
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr.slice(0, 2000)}`);
  return { importMs: Number(child.stdout), processMs };
}

async function emptyProcessOnce(): Promise<number> {
  const started = performance.now();
  await runChild(['-e', '0'], {});
  return performance.now() - started;
}

export async function measureBundles(runs = 20): Promise<BundlesResult> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-bundles-'));
  const extension = await fakeExtension();
  try {
    const bundles = {} as Record<BundleName, BundleFigures>;
    const files = {} as Record<BundleName, string>;
    const metas = {} as Record<BundleName, Metafile>;
    for (const [name, entry] of Object.entries(ENTRIES) as [BundleName, string | { source: string }][]) {
      const outdir = join(dir, name);
      mkdirSync(outdir);
      const outfile = join(outdir, 'index.mjs');
      const options = { ...esbuildOptions(outfile), plugins: PLUGINS[name] ?? [] };
      const result = await build(
        typeof entry === 'string'
          ? { ...options, entryPoints: [join(PROJECT_ROOT, entry)] }
          : {
              ...options,
              stdin: {
                contents: entry.source,
                resolveDir: PROJECT_ROOT,
                loader: 'ts',
                sourcefile: `${name}.ts`,
              },
            },
      );
      files[name] = outfile;
      metas[name] = result.metafile as Metafile;
    }
    // What the infra copies next to the handlers.
    const widget = (await buildWidget()).js;
    for (const name of ['partner', 'partner-no-tracer', 'partner-source-maps']) {
      mkdirSync(join(dir, name, 'widget'));
      writeFileSync(join(dir, name, 'widget', 'v1.js'), widget);
    }
    await writeAdminPage(join(dir, 'admin', 'admin'));

    // The environment the functions get on AWS, pointed at nothing that answers except the extension stand-in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SESSION_TOKEN: EXTENSION_TOKEN,
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
      ORIGIN_VERIFY_SECRET_ID: ORIGIN_SECRET_ID,
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

    // Round-robin, one process per bundle per round: a slow spell on the machine touches every row alike
    // instead of whichever bundle happened to be measuring then.
    const names = Object.keys(ENTRIES) as BundleName[];
    const empties: number[] = [];
    const samples = {} as Record<BundleName, { imports: number[]; processes: number[] }>;
    for (const name of names) samples[name] = { imports: [], processes: [] };
    for (let i = 0; i < runs; i++) {
      empties.push(await emptyProcessOnce());
      for (const name of names) {
        const { importMs, processMs } = await importOnce(files[name], { ...env, ...ENV_OVERRIDES[name] });
        samples[name].imports.push(importMs);
        samples[name].processes.push(processMs);
      }
    }
    const nodeEmptyProcessMs = median(empties);
    for (const name of names) {
      const code = readFileSync(files[name]);
      bundles[name] = {
        minifiedBytes: code.length,
        gzipBytes: gzipSync(code, { level: 9 }).length,
        importMs: median(samples[name].imports),
        processMs: median(samples[name].processes),
        top: contributors(metas[name]).slice(0, 12),
      };
    }
    // Paired per round: the median of the runs' differences, steadier than a difference of medians when the
    // machine's speed drifts during the run.
    const pairedMs = (a: BundleName, b: BundleName) =>
      median(samples[a].imports.map((ms, i) => ms - (samples[b].imports[i] as number)));
    const tracerImportMs = pairedMs('partner', 'partner-no-tracer');

    const partnerInputs = Object.keys(
      Object.values(metas.partner.outputs).find((o) => o.entryPoint)?.inputs ?? {},
    );
    const overHelloImportMs = pairedMs('partner', 'hello');
    const floor = (name: BundleName): FloorFigures => ({
      minifiedBytes: bundles[name].minifiedBytes,
      gzipBytes: bundles[name].gzipBytes,
      importMs: bundles[name].importMs,
      overHelloImportMs: pairedMs(name, 'hello'),
    });
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
      tracer: {
        minifiedBytes: bundles.partner.minifiedBytes - bundles['partner-no-tracer'].minifiedBytes,
        gzipBytes: bundles.partner.gzipBytes - bundles['partner-no-tracer'].gzipBytes,
        importMs: tracerImportMs,
      },
      libraryFloor: floor('library-floor'),
      libraryFloorNoTracer: floor('library-floor-no-tracer'),
    };
  } finally {
    await extension.close();
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
    `  ${'bundle'.padEnd(24)} ${'minified'.padStart(9)} ${'gzip'.padStart(9)} ${'import'.padStart(9)} ${'process'.padStart(9)}`,
  );
  for (const [name, b] of Object.entries(result.bundles)) {
    console.log(
      `  ${name.padEnd(24)} ${kb(b.minifiedBytes)} ${kb(b.gzipBytes)} ${ms(b.importMs)} ${ms(b.processMs)}`,
    );
  }
  console.log(
    `  ${'node -e 0'.padEnd(24)} ${''.padStart(9)} ${''.padStart(9)} ${''.padStart(9)} ${ms(result.nodeEmptyProcessMs)}`,
  );
  const p = result.partner;
  console.log(
    `  partner: ${kb(result.bundles.partner.minifiedBytes).trim()} (goal < ${kb(p.goalMinifiedBytes).trim()}: ${p.meetsSizeGoal ? 'met' : 'NOT met'}), ` +
      `import ${p.overHelloImportMs.toFixed(1)} ms over hello-world, paired (goal <= ${p.goalOverHelloImportMs} ms: ${p.meetsImportGoal ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  partner bundle holds admin code: ${p.containsAdminCode ? 'YES' : 'no'}; widget source: ${p.containsWidgetSource ? 'YES' : 'no'}`,
  );
  console.log(
    `  X-Ray tracer in partner: ${kb(result.tracer.minifiedBytes).trim()} minified, ${kb(result.tracer.gzipBytes).trim()} gzip, ` +
      `${result.tracer.importMs.toFixed(1)} ms import (median of ${result.runs} paired runs, partner minus partner-no-tracer)`,
  );
  const share = (f: FloorFigures) =>
    `${kb(f.minifiedBytes).trim()} (${Math.round((100 * f.minifiedBytes) / p.goalMinifiedBytes)}% of the size goal), ` +
    `${f.overHelloImportMs.toFixed(1)} ms over hello-world (${Math.round((100 * f.overHelloImportMs) / p.goalOverHelloImportMs)}% of the import goal)`;
  console.log(
    `  library floor (no Signpost code): ${share(result.libraryFloor)}; without tracer: ${share(result.libraryFloorNoTracer)}`,
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
