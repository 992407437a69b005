/**
 * The real partner Lambda entry point (functions/lambda/partner.ts: middy, Powertools, hono/aws-lambda),
 * invoked with API Gateway v2 event fixtures against a real dynalite. The one fake is the AWS Parameters and
 * Secrets extension, a loopback HTTP server answering as the layer does: there is no Parameter Store or
 * Secrets Manager here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dynamoRepositories,
  ensureTables,
  type TableNames,
} from '../../functions/adapters/dynamodb/index.js';
import { ImpressionTokens, parseTokenSecret } from '../../functions/core/impression-token.js';
import { buildWidget } from '../../widget/build.js';
import { type FakeExtension, startFakeExtension } from '../fixtures/params-secrets-extension.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { captureOutput, lambdaEnvironment, lambdaInvoker, seedMatchablePartner } from '../helpers/lambda.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const TOKEN_PARAMETER = '/signpost/test/token-secret';
/** Two keys, as during a rotation: the first signs. */
const TOKEN_SECRET = `${'k'.repeat(48)},${'p'.repeat(40)}`;
const ORIGIN_SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:OriginVerify-AbCdEf';
const ORIGIN_SECRET = 'o'.repeat(40);
const SESSION_TOKEN = 'test-session-token';
/** Text that must never appear in any log line, however the request goes. */
const CANARY_QUERY = 'they took my passport zq-canary-7731';
const CLIENT_IP = '198.51.100.23';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

let dynamo: TestDynamo;
let tables: TableNames;
let handler: Handler;
let secretKey: string;
let assetsDir: string;
let widgetJs: string;
let extension: FakeExtension;
let output: ReturnType<typeof captureOutput>;
let restoreEnv: (() => void) | undefined;

function fixture(
  name: string,
  patch: (event: APIGatewayProxyEventV2) => void = () => {},
): APIGatewayProxyEventV2 {
  const event = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as APIGatewayProxyEventV2;
  if (event.headers['x-api-key']) event.headers['x-api-key'] = secretKey;
  // What CloudFront adds to every request it forwards to the API origin.
  event.headers['x-origin-verify'] = ORIGIN_SECRET;
  patch(event);
  return event;
}

const invoke = lambdaInvoker(() => handler, 'Signpost-test-PartnerApi', '1769');

const matchEvent = (query = CANARY_QUERY) =>
  fixture('apigw-partner-match.json', (event) => {
    event.body = JSON.stringify({ query, locale: 'en-US', region: 'US-CA' });
  });

async function counterItems() {
  const { Items = [] } = await dynamo.doc.send(new ScanCommand({ TableName: tables.stats }));
  return Items.filter((item) => item.entity === 'counter');
}

beforeAll(async () => {
  extension = await startFakeExtension({
    token: SESSION_TOKEN,
    parameters: { [TOKEN_PARAMETER]: TOKEN_SECRET },
    secrets: { [ORIGIN_SECRET_ID]: ORIGIN_SECRET },
  });
  dynamo = await startDynalite();
  tables = await dynamo.newTables();
  const repos = dynamoRepositories(dynamo.doc, tables);
  ({ secretKey } = await seedMatchablePartner(repos, 'ptn_lambda_test'));

  assetsDir = mkdtempSync(join(tmpdir(), 'signpost-lambda-'));
  mkdirSync(join(assetsDir, 'widget'));
  widgetJs = (await buildWidget()).js;
  writeFileSync(join(assetsDir, 'widget', 'v1.js'), widgetJs);

  restoreEnv = lambdaEnvironment({
    CONFIG_TABLE_NAME: tables.config,
    STATS_TABLE_NAME: tables.stats,
    TOKEN_SECRET_PARAMETER: TOKEN_PARAMETER,
    ORIGIN_VERIFY_SECRET_ID: ORIGIN_SECRET_ID,
    ...extension.env,
    SIGNPOST_ASSETS_DIR: assetsDir,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'signpost-partner',
    POWERTOOLS_METRICS_NAMESPACE: 'Signpost/test',
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    LOG_LEVEL: 'DEBUG',
  });
  // Every line Powertools writes (logs, EMF metrics) is kept for the privacy assertions.
  output = captureOutput();

  ({ handler } = (await import('../../functions/lambda/partner.js')) as unknown as { handler: Handler });
});

afterAll(async () => {
  output?.restore();
  await extension?.close();
  await dynamo?.close();
  if (assetsDir) rmSync(assetsDir, { recursive: true, force: true });
  restoreEnv?.();
});

describe('partner Lambda entry point', () => {
  it('answers a matching search with the message and a token, and has counted it when the invocation ends', async () => {
    const before = await counterItems();
    const response = await invoke(matchEvent());

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.match).toMatchObject({ keywordId: 'kw_passport', message: { title: 'Help is available' } });
    expect(body.match.impressionToken).toEqual(expect.any(String));
    const after = await counterItems();
    const served = (items: Record<string, unknown>[]) =>
      items.reduce((sum, item) => sum + (Number(item.served) || 0), 0);
    expect(served(after) - served(before)).toBe(1);
  });

  it('counts a displayed message and its action once, and rejects the replay', async () => {
    const token = (await invoke(matchEvent())).json().match.impressionToken as string;
    const events = () =>
      fixture('apigw-partner-events.json', (event) => {
        event.body = JSON.stringify({
          events: [
            { token, type: 'impression' },
            { token, type: 'action', action: 'call' },
          ],
        });
      });

    const first = await invoke(events());
    const replay = await invoke(events());

    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ accepted: 2, rejected: 0 });
    expect(replay.json()).toEqual({ accepted: 0, rejected: 2 });
  });

  it('refuses a search without a partner key with the contract error shape', async () => {
    const response = await invoke(
      fixture('apigw-partner-match.json', (event) => {
        delete event.headers['x-api-key'];
      }),
    );

    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('serves /healthz with the live ruleset version', async () => {
    const response = await invoke(fixture('apigw-partner-healthz.json'));

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', rulesetVersion: 1 });
  });

  it('serves the widget script bundled next to the handler', async () => {
    const response = await invoke(fixture('apigw-partner-widget.json'));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/javascript/);
    expect(response.text).toBe(widgetJs);
  });

  it('answers an unknown path with the contract 404, not API Gateway’s', async () => {
    const response = await invoke(fixture('apigw-partner-unknown.json'));

    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it('still answers a search when the stats table is gone, sending the count to the fallback sink', async () => {
    await dynamo.client.send(new DeleteTableCommand({ TableName: tables.stats }));
    const mark = output.lines.length;
    try {
      const response = await invoke(matchEvent());

      expect(response.statusCode).toBe(200);
      expect(response.json().match).not.toBeNull();
      const emf = output.lines
        .slice(mark)
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line));
      expect(emf.some((blob) => Number(blob.CounterFallback) >= 1)).toBe(true);
    } finally {
      await ensureTables(dynamo.client, tables);
    }
  });

  it('read the token secret and the origin secret through the extension once for the container', () => {
    expect(extension.requests).toHaveLength(2);
    expect(extension.requests).toEqual(
      expect.arrayContaining([
        {
          url: `/systemsmanager/parameters/get?name=${encodeURIComponent(TOKEN_PARAMETER)}&withDecryption=true`,
          token: SESSION_TOKEN,
        },
        { url: `/secretsmanager/get?secretId=${encodeURIComponent(ORIGIN_SECRET_ID)}`, token: SESSION_TOKEN },
      ]),
    );
  });

  it('signs impression tokens with the first key of the secret the extension gave', async () => {
    const token = (await invoke(matchEvent())).json().match.impressionToken as string;

    expect(new ImpressionTokens(parseTokenSecret(TOKEN_SECRET)).verify(token, new Date()).ok).toBe(true);
    // Signed with the current key, not the one being rotated out, nor anything else.
    const [current, previous] = TOKEN_SECRET.split(',') as [string, string];
    expect(new ImpressionTokens(parseTokenSecret(current)).verify(token, new Date()).ok).toBe(true);
    expect(new ImpressionTokens(parseTokenSecret(previous)).verify(token, new Date())).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it.each([
    ['without the origin header', undefined],
    ['with a wrong origin header', 'x'.repeat(40)],
    ['with an origin header one character short', ORIGIN_SECRET.slice(1)],
  ])('refuses a request %s (straight to execute-api, around CloudFront) with 403', async (_case, value) => {
    const before = await counterItems();
    const response = await invoke(
      fixture('apigw-partner-match.json', (event) => {
        if (value === undefined) delete event.headers['x-origin-verify'];
        else event.headers['x-origin-verify'] = value;
        event.body = JSON.stringify({ query: CANARY_QUERY, locale: 'en-US', region: 'US-CA' });
      }),
    );

    expect(response.statusCode).toBe(403);
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    // Refused before the app: nothing matched, nothing counted.
    expect(await counterItems()).toEqual(before);
  });

  it('refuses /healthz around CloudFront too, and answers it with the origin header', async () => {
    const refused = await invoke(
      fixture('apigw-partner-healthz.json', (event) => {
        delete event.headers['x-origin-verify'];
      }),
    );
    const allowed = await invoke(fixture('apigw-partner-healthz.json'));

    expect(refused.statusCode).toBe(403);
    expect(allowed.statusCode).toBe(200);
  });

  it('writes structured logs and EMF metrics that never hold the query, the client IP, the key or the event', async () => {
    await invoke(matchEvent());
    const lines = output.lines.flatMap((chunk) => chunk.split('\n')).filter((line) => line.trim() !== '');

    expect(lines.some((line) => line.includes('"_aws"') && line.includes('Signpost/test'))).toBe(true);
    expect(lines.some((line) => line.includes('"function_request_id"'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain('zq-canary-7731');
      expect(line).not.toContain('took my passport');
      expect(line).not.toContain(CLIENT_IP);
      expect(line).not.toContain(secretKey);
      expect(line).not.toContain(ORIGIN_SECRET);
      expect(line).not.toContain('kkkkkkkkkkkkkkkk');
      expect(line).not.toContain('"rawPath"');
    }
  });
});
