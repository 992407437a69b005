/**
 * Help is never withheld by a fault: the real partner entry point, started while the Parameters and Secrets
 * extension cannot give it either secret, still answers searches (and says so in its logs and metrics).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoRepositories, type TableNames } from '../../functions/adapters/dynamodb/index.js';
import { type FakeExtension, startFakeExtension } from '../fixtures/params-secrets-extension.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import {
  type ApiGatewayHandler,
  apiGatewayEvent,
  captureOutput,
  lambdaEnvironment,
  lambdaInvoker,
  seedMatchablePartner,
} from '../helpers/lambda.js';

let dynamo: TestDynamo;
let tables: TableNames;
let handler: ApiGatewayHandler;
let extension: FakeExtension;
let secretKey: string;
let assetsDir: string;
let output: ReturnType<typeof captureOutput> | undefined;
let restoreEnv: (() => void) | undefined;

const invoke = lambdaInvoker(() => handler, 'Signpost-test-PartnerApi', '1769');

beforeAll(async () => {
  // An extension that knows neither the parameter nor the secret: every read is refused.
  extension = await startFakeExtension({ token: 'session-token' });
  dynamo = await startDynalite();
  tables = await dynamo.newTables();
  const repos = dynamoRepositories(dynamo.doc, tables);
  ({ secretKey } = await seedMatchablePartner(repos, 'ptn_degraded'));
  assetsDir = mkdtempSync(join(tmpdir(), 'signpost-degraded-'));
  mkdirSync(join(assetsDir, 'widget'));
  writeFileSync(join(assetsDir, 'widget', 'v1.js'), '/* widget */');
  restoreEnv = lambdaEnvironment({
    CONFIG_TABLE_NAME: tables.config,
    STATS_TABLE_NAME: tables.stats,
    TOKEN_SECRET_PARAMETER: '/signpost/test/missing-token-secret',
    ORIGIN_VERIFY_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:Missing-AbCdEf',
    ...extension.env,
    SIGNPOST_ASSETS_DIR: assetsDir,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'signpost-partner',
    POWERTOOLS_METRICS_NAMESPACE: 'Signpost/test',
  });
  // Powertools writes logs and EMF metrics to stdout, errors to stderr: both are kept.
  output = captureOutput();
  ({ handler } = (await import('../../functions/lambda/partner.js')) as unknown as {
    handler: ApiGatewayHandler;
  });
}, 30_000);

afterAll(async () => {
  output?.restore();
  await extension?.close();
  await dynamo?.close();
  if (assetsDir) rmSync(assetsDir, { recursive: true, force: true });
  restoreEnv?.();
});

describe('partner Lambda entry point without its secrets', () => {
  it('still answers a search with the message and a token, and says why in an error line and two metrics', async () => {
    const res = await invoke(
      apiGatewayEvent('apigw-partner-match.json', (event) => {
        event.headers['x-api-key'] = secretKey;
        // No X-Origin-Verify: without the secret, the origin check cannot be made and lets the request in.
        delete event.headers['x-origin-verify'];
        event.body = JSON.stringify({ query: 'they took my passport', region: 'US' });
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().match.campaignId).toBeTruthy();
    expect(res.json().match.impressionToken).toMatch(/^t1\./);

    const lines = (output?.lines ?? [])
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'));
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: expect.stringMatching(/impression-token key could not be read/),
        error: expect.stringContaining('/signpost/test/missing-token-secret'),
      }),
    );
    const metrics = parsed
      .filter((line) => line._aws)
      .flatMap((line) => line._aws.CloudWatchMetrics[0].Metrics);
    expect(metrics.map((m: { Name: string }) => m.Name)).toEqual(
      expect.arrayContaining(['TokenSecretUnavailable', 'OriginSecretUnavailable']),
    );
  });
});
