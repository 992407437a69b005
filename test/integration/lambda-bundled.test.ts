/**
 * The partner and admin handlers as they deploy: bundled by esbuild with the Lambda settings
 * (infra/constructs/bundling.ts: ESM, minified, the credential and event-stream shims), then run in a fresh
 * Node process each, like a Lambda container, against a real dynalite and a stand-in for the Parameters and
 * Secrets extension. Proves that what the shims leave out is not needed by the DynamoDB calls the functions
 * make (GetItem, Query, UpdateItem, PutItem), which the tests from source cannot show.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAdminPage } from '../../admin-ui/build.js';
import { dynamoRepositories, type TableNames } from '../../functions/adapters/dynamodb/index.js';
import { gte } from '../../functions/lambda/shims/semver-gte.js';
import { lambdaEsbuildOptions } from '../../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/signpost-function.js';
import { buildWidget } from '../../widget/build.js';
import { type FakeExtension, startFakeExtension } from '../fixtures/params-secrets-extension.js';
import { aCampaign } from '../helpers/campaigns.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { cognitoAccessToken, seedMatchablePartner } from '../helpers/lambda.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const TOKEN_PARAMETER = '/signpost/bundled/token-secret';
const ORIGIN_SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:OriginVerify-Bundled';
const ORIGIN_SECRET = 'b'.repeat(48);
const SESSION_TOKEN = 'bundled-test-session-token';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bundled';
const CLIENT_ID = 'bundled-admin-client';

/**
 * Runs in the child: imports the bundle, invokes its handler with each event in turn (one container, warm after
 * the first), writes the results to a file (stdout belongs to the function's logs). Cognito's JWKS endpoint is
 * the one thing stubbed in the child, through fetch, from TEST_JWKS.
 */
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
const [bundle, eventsFile, resultsFile] = process.argv.slice(1);
if (process.env.TEST_JWKS) {
  const jwks = process.env.TEST_JWKS;
  globalThis.fetch = async () => new Response(jwks, { headers: { 'content-type': 'application/json' } });
}
const { handler } = await import(bundle);
const results = [];
let n = 0;
for (const event of JSON.parse(readFileSync(eventsFile, 'utf8'))) {
  n += 1;
  const context = {
    awsRequestId: 'bundled-' + n, functionName: 'bundled', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bundled', memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/bundled', logStreamName: 's', callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 10000,
  };
  results.push(await handler(event, context));
}
writeFileSync(resultsFile, JSON.stringify(results));
process.exit(0);
`;

let dynamo: TestDynamo;
let tables: TableNames;
let extension: FakeExtension;
let dir: string;
let secretKey: string;
const poolKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

const metafiles: Partial<Record<'partner' | 'admin', Metafile>> = {};

async function bundle(name: 'partner' | 'admin'): Promise<string> {
  const outfile = join(dir, name, 'index.mjs');
  const result = await build({
    ...lambdaEsbuildOptions(PROJECT_ROOT, outfile),
    entryPoints: [join(PROJECT_ROOT, 'functions', 'lambda', `${name}.ts`)],
    metafile: true,
    logLevel: 'error',
  });
  metafiles[name] = result.metafile;
  return outfile;
}

/**
 * Each stand-in of LAMBDA_BUNDLE.alias is right only for the importers it was written for: the credential
 * reader for the DynamoDB client, the event-stream stub for the SDK's lazy import, the semver stand-in for the
 * X-Ray SDK's v2 patcher. A new importer (a new client, a dependency that uses semver for real) must be looked
 * at before it ships.
 */
const SHIM_IMPORTERS: Record<string, string[]> = {
  'functions/lambda/shims/lambda-credentials.ts': ['@aws-sdk/client-dynamodb/dist-es/runtimeConfig.js'],
  'functions/lambda/shims/no-event-streams.ts': ['@smithy/core/dist-es/submodules/protocols/HttpProtocol.js'],
  'functions/lambda/shims/semver-gte.ts': ['aws-xray-sdk-core/dist/lib/patchers/aws_p.js'],
};

function shimImporters(meta: Metafile): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [file, input] of Object.entries(meta.inputs)) {
    for (const imported of input.imports) {
      const shim = Object.keys(SHIM_IMPORTERS).find((s) => imported.path.endsWith(s));
      if (shim) found[shim] = [...(found[shim] ?? []), file.replace(/^.*node_modules\//, '')];
    }
  }
  return found;
}

function fixture(name: string, patch: (event: APIGatewayProxyEventV2) => void = () => {}) {
  const event = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as APIGatewayProxyEventV2;
  if (event.headers['x-api-key']) event.headers['x-api-key'] = secretKey;
  event.headers['x-origin-verify'] = ORIGIN_SECRET;
  patch(event);
  return event;
}

/** One cold container: a fresh Node process importing the bundle, invoked with `events` in turn. */
async function runContainer(
  bundleFile: string,
  events: APIGatewayProxyEventV2[],
  extraEnv: Record<string, string> = {},
): Promise<(APIGatewayProxyStructuredResultV2 & { json(): Record<string, unknown> })[]> {
  const eventsFile = join(dir, `events-${Date.now()}-${Math.random()}.json`);
  const resultsFile = `${eventsFile}.out`;
  writeFileSync(eventsFile, JSON.stringify(events));
  const env = {
    PATH: process.env.PATH,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    CONFIG_TABLE_NAME: tables.config,
    STATS_TABLE_NAME: tables.stats,
    ORIGIN_VERIFY_SECRET_ID: ORIGIN_SECRET_ID,
    POWERTOOLS_SERVICE_NAME: 'signpost-bundled',
    POWERTOOLS_METRICS_NAMESPACE: 'Signpost/bundled',
    LOG_LEVEL: 'WARN',
    ...extension.env,
    ...extraEnv,
  };
  // Asynchronous: dynalite and the extension stand-in live in this process and must keep answering.
  const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', RUNNER, pathToFileURL(bundleFile).href, eventsFile, resultsFile],
        { env },
      );
      let err = '';
      child.stderr.on('data', (chunk) => {
        err += chunk;
      });
      child.stdout.resume();
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stderr: err }));
    },
  );
  expect(status, stderr.slice(0, 2_000)).toBe(0);
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as APIGatewayProxyStructuredResultV2[];
  return results.map((result) => ({ ...result, json: () => JSON.parse(result.body ?? 'null') }));
}

beforeAll(async () => {
  dynamo = await startDynalite();
  tables = await dynamo.newTables();
  extension = await startFakeExtension({
    token: SESSION_TOKEN,
    parameters: { [TOKEN_PARAMETER]: 'z'.repeat(48) },
    secrets: { [ORIGIN_SECRET_ID]: ORIGIN_SECRET },
  });
  const repos = dynamoRepositories(dynamo.doc, tables);
  ({ secretKey } = await seedMatchablePartner(repos, 'ptn_bundled'));

  dir = mkdtempSync(join(tmpdir(), 'signpost-bundled-'));
  // What the infra copies next to each handler.
  mkdirSync(join(dir, 'partner', 'widget'), { recursive: true });
  writeFileSync(join(dir, 'partner', 'widget', 'v1.js'), (await buildWidget()).js);
  await writeAdminPage(join(dir, 'admin', 'admin'));
});

afterAll(async () => {
  await extension?.close();
  await dynamo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bundled partner handler', () => {
  it('leaves the event-stream codecs out, for the stub that fails by name', async () => {
    const code = readFileSync(await bundle('partner'), 'utf8');

    expect(code).toContain('Event streams are not bundled');
    expect(code).not.toContain('@smithy/core/event-streams');
  });

  it('matches, counts in DynamoDB, and accepts the events of its token in a later container', async () => {
    const file = await bundle('partner');
    const match = fixture('apigw-partner-match.json', (event) => {
      event.body = JSON.stringify({ query: 'they took my passport', locale: 'en-US', region: 'US-CA' });
    });

    const [matched, health, refused] = await runContainer(
      file,
      [
        match,
        fixture('apigw-partner-healthz.json'),
        fixture('apigw-partner-healthz.json', (event) => {
          delete event.headers['x-origin-verify'];
        }),
      ],
      { TOKEN_SECRET_PARAMETER: TOKEN_PARAMETER },
    );

    expect(matched?.statusCode).toBe(200);
    const token = (matched?.json().match as { impressionToken?: string } | undefined)?.impressionToken;
    expect(token).toEqual(expect.any(String));
    expect(health?.json()).toEqual({ status: 'ok', rulesetVersion: 1 });
    expect(refused?.statusCode).toBe(403);
    // Version 1 and the partner's own id (not the bundled default ruleset, nor the unverified-partner
    // fallback): GetItem and Query read both from the table. UpdateItem wrote the counter at the end.
    expect(matched?.json().match).toMatchObject({ keywordId: 'kw_passport', rulesetVersion: 1 });
    const { Items = [] } = await dynamo.doc.send(new ScanCommand({ TableName: tables.stats }));
    const counters = Items.filter((item) => item.entity === 'counter' && Number(item.served) >= 1);
    expect(counters.length).toBeGreaterThan(0);
    expect(JSON.stringify(counters)).toContain('ptn_bundled');

    const [events] = await runContainer(
      file,
      [
        fixture('apigw-partner-events.json', (event) => {
          event.body = JSON.stringify({ events: [{ token, type: 'impression' }] });
          event.headers['content-length'] = String(Buffer.byteLength(event.body));
        }),
      ],
      { TOKEN_SECRET_PARAMETER: TOKEN_PARAMETER },
    );
    expect(events?.statusCode).toBe(202);
    expect(events?.json()).toEqual({ accepted: 1, rejected: 0 });
  });
});

describe('the Lambda bundles’ stand-ins', () => {
  it.each(['partner', 'admin'] as const)(
    'are imported in the %s bundle only where they were meant for',
    async (name) => {
      await bundle(name);

      expect(shimImporters(metafiles[name] as Metafile)).toEqual(SHIM_IMPORTERS);
    },
  );
});

describe('the partner bundle', () => {
  it('holds the reads it serves from, not the admin writes: no publishing, no partner or campaign writes, no audit log', async () => {
    const partner = readFileSync(await bundle('partner'), 'utf8');
    const admin = readFileSync(await bundle('admin'), 'utf8');
    // Files with code in the bundle (the metafile's inputs also list files whose code was all shaken out).
    const inBundle = (name: 'partner' | 'admin') =>
      Object.entries(
        Object.values((metafiles[name] as Metafile).outputs).find((o) => o.entryPoint)?.inputs ?? {},
      )
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([file]) => file);
    for (const adminOnly of [
      'functions/adapters/dynamodb/audit.ts',
      'functions/adapters/dynamodb/campaigns.ts',
    ]) {
      expect(inBundle('partner')).not.toContain(adminOnly);
      expect(inBundle('admin')).toContain(adminOnly);
    }
    // Code only the write paths hold: the audit action of a partner update, the header a publish writes.
    for (const writeOnly of [/partner\.update/, /entity:["']ruleset["']/]) {
      expect(admin).toMatch(writeOnly);
      expect(partner).not.toMatch(writeOnly);
    }
  });
});

describe('the semver stand-in', () => {
  it.each([
    ['2.7.15', '2.7.15', true],
    ['2.1692.0', '2.7.15', true],
    ['2.7.9', '2.7.15', false],
    ['v3.0.0', '2.7.15', true],
    ['1.99.99', '2.7.15', false],
    ['2.7.15-beta.1', '2.7.15', true],
  ])('says %s >= %s is %s, as the X-Ray SDK asks it', (a, b, expected) => {
    expect(gte(a, b)).toBe(expected);
  });
});

describe('bundled admin handler', () => {
  it('creates a campaign (PutItem, with its audit entry) and lists it back (Query)', async () => {
    const file = await bundle('admin');
    const kid = 'bundled-kid';
    const token = cognitoAccessToken({ issuer: ISSUER, clientId: CLIENT_ID, key: poolKey.privateKey, kid });
    const jwks = {
      keys: [{ ...poolKey.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
    };
    const { id: _id, ...input } = aCampaign({ id: 'cmp_bundled' });
    const call = (method: string, body?: unknown) =>
      fixture('apigw-admin-campaigns.json', (event) => {
        event.requestContext.http.method = method;
        event.routeKey = `${method} /admin/v1/{proxy+}`;
        event.headers.authorization = `Bearer ${token}`;
        if (body !== undefined) {
          event.body = JSON.stringify(body);
          event.headers['content-type'] = 'application/json';
          event.headers['content-length'] = String(Buffer.byteLength(event.body));
        }
      });

    const [created, listed] = await runContainer(file, [call('POST', input), call('GET')], {
      ADMIN_JWT_ISSUER: ISSUER,
      ADMIN_JWT_AUDIENCE: CLIENT_ID,
      ADMIN_JWT_SCOPE: 'signpost/admin',
      ADMIN_AUTH_URL: 'https://signpost-bundled.auth.us-east-1.amazoncognito.com',
      PUBLIC_BASE_URL: 'https://help.example.org',
      TEST_JWKS: JSON.stringify(jwks),
    });

    expect(created?.statusCode).toBe(201);
    expect(listed?.statusCode).toBe(200);
    expect(JSON.stringify(listed?.json())).toContain(String(created?.json().id));
  });
});
