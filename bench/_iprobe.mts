import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { LAMBDA_BUNDLE } from '../infra/constructs/bundling.ts';
const probes: Record<string, string> = {
  zod: "import { z } from 'zod'; export const s = z.object({ a: z.string() });",
  zodOpenapi: "import { OpenAPIHono, z } from '@hono/zod-openapi'; export const a = new OpenAPIHono(); export const s = z.object({ a: z.string() });",
  tracer: "import { Tracer } from '@aws-lambda-powertools/tracer'; export const t = new Tracer();",
  loggerMetrics: "import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics'; export const l = new Logger(); export const m = new Metrics();",
  dynamo: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'; export const d = DynamoDBDocumentClient.from(new DynamoDBClient({})); export const g = GetCommand;",
  ssm: "import { getParameter } from '@aws-lambda-powertools/parameters/ssm'; export const g = getParameter;",
  core: "import { compileRuleset } from './functions/core/matcher.ts'; export const c = compileRuleset;",
  httpApp: "import { createPartnerApp } from './functions/http/app.ts'; export const c = createPartnerApp;",
};
for (const [name, code] of Object.entries(probes)) {
  mkdirSync(`/tmp/iprobe/${name}`, { recursive: true });
  const out = `/tmp/iprobe/${name}/index.mjs`;
  await build({ stdin: { contents: code, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, outfile: out, format: 'esm', platform: 'node', target: 'node22', mainFields: ['module','main'], minify: true, banner: { js: LAMBDA_BUNDLE.banner }, logLevel: 'error' });
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const t=performance.now();await import('${out}');process.stdout.write(String(performance.now()-t))`], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' } });
    times.push(Number(r.stdout));
  }
  times.sort((a, b) => a - b);
  const size = (await import('node:fs')).statSync(out).size;
  console.log(name.padEnd(14), (size / 1024).toFixed(0).padStart(5), 'KB', times[3]!.toFixed(1).padStart(7), 'ms');
}
