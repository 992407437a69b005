/**
 * The real admin Lambda entry point (functions/lambda/admin.ts) invoked with API Gateway v2 event fixtures
 * against a real dynalite, with Cognito-shaped access tokens signed by a key made here. The pool's JWKS
 * endpoint and the Parameters and Secrets extension (a loopback server holding the origin-verify secret) are
 * the stubs: there is no Cognito or Secrets Manager here.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeAdminPage } from '../../admin-ui/build.js';
import type { TableNames } from '../../functions/adapters/dynamodb/index.js';
import { type FakeExtension, startFakeExtension } from '../fixtures/params-secrets-extension.js';
import { aCampaign } from '../helpers/campaigns.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { cognitoAccessToken, lambdaEnvironment, lambdaInvoker } from '../helpers/lambda.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool';
const CLIENT_ID = 'test-admin-client';
const AUTH_URL = 'https://signpost-test.auth.us-east-1.amazoncognito.com';
const ORIGIN_SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:OriginVerify-AbCdEf';
const ORIGIN_SECRET = 'v'.repeat(44);
const SESSION_TOKEN = 'admin-test-session-token';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

let dynamo: TestDynamo;
let tables: TableNames;
let handler: Handler;
let assetsDir: string;
const poolKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = 'test-kid-1';
const jwksFetches: string[] = [];
let extension: FakeExtension;
let restoreEnv: (() => void) | undefined;

function accessToken(
  claims: Record<string, unknown> = {},
  key: KeyObject = poolKey.privateKey,
  kid = KID,
): string {
  return cognitoAccessToken({ issuer: ISSUER, clientId: CLIENT_ID, key, kid, claims });
}

function fixture(
  name: string,
  patch: (event: APIGatewayProxyEventV2) => void = () => {},
): APIGatewayProxyEventV2 {
  const event = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as APIGatewayProxyEventV2;
  // What CloudFront adds to every request it forwards to the API origin.
  event.headers['x-origin-verify'] = ORIGIN_SECRET;
  patch(event);
  return event;
}

const adminCall = (
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  fixture('apigw-admin-campaigns.json', (event) => {
    event.rawPath = path;
    event.requestContext.http.method = method;
    event.requestContext.http.path = path;
    event.routeKey = `${method} /admin/v1/{proxy+}`;
    event.requestContext.routeKey = event.routeKey;
    event.pathParameters = { proxy: path.replace(/^\/admin\/v1\//, '') };
    if (token === null) delete event.headers.authorization;
    else event.headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      event.body = JSON.stringify(body);
      event.headers['content-type'] = 'application/json';
      event.headers['content-length'] = String(Buffer.byteLength(event.body));
    }
    Object.assign(event.headers, headers);
  });

const invoke = lambdaInvoker(() => handler, 'Signpost-test-AdminApi', '1024');

beforeAll(async () => {
  extension = await startFakeExtension({
    token: SESSION_TOKEN,
    secrets: { [ORIGIN_SECRET_ID]: ORIGIN_SECRET },
  });
  dynamo = await startDynalite();
  tables = await dynamo.newTables();

  assetsDir = mkdtempSync(join(tmpdir(), 'signpost-admin-lambda-'));
  await writeAdminPage(join(assetsDir, 'admin'));

  const jwk = { ...poolKey.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
  vi.stubGlobal('fetch', async (url: string | URL) => {
    jwksFetches.push(String(url));
    if (String(url) !== `${ISSUER}/.well-known/jwks.json`) return new Response('not found', { status: 404 });
    return new Response(JSON.stringify({ keys: [jwk] }), { headers: { 'content-type': 'application/json' } });
  });

  restoreEnv = lambdaEnvironment({
    CONFIG_TABLE_NAME: tables.config,
    STATS_TABLE_NAME: tables.stats,
    ADMIN_JWT_ISSUER: ISSUER,
    ADMIN_JWT_AUDIENCE: CLIENT_ID,
    ADMIN_JWT_SCOPE: 'signpost/admin',
    ADMIN_AUTH_URL: AUTH_URL,
    PUBLIC_BASE_URL: 'https://help.example.org',
    ORIGIN_VERIFY_SECRET_ID: ORIGIN_SECRET_ID,
    ...extension.env,
    SIGNPOST_ASSETS_DIR: assetsDir,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'signpost-admin',
    POWERTOOLS_METRICS_NAMESPACE: 'Signpost/test',
    LOG_LEVEL: 'WARN',
  });
  ({ handler } = (await import('../../functions/lambda/admin.js')) as unknown as { handler: Handler });
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await extension?.close();
  await dynamo?.close();
  if (assetsDir) rmSync(assetsDir, { recursive: true, force: true });
  restoreEnv?.();
});

describe('admin Lambda entry point', () => {
  it('lets a Cognito admin create a campaign and read it back, recorded under their name', async () => {
    const token = accessToken();
    const campaign = aCampaign({ id: `cmp_lambda_${Date.now().toString(36)}` });
    const { id: _id, ...input } = campaign;

    const created = await invoke(adminCall('POST', '/admin/v1/campaigns', token, input));
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const listed = await invoke(adminCall('GET', '/admin/v1/campaigns', token));
    const audit = await invoke(adminCall('GET', '/admin/v1/audit', token));

    expect(listed.statusCode).toBe(200);
    expect(JSON.stringify(listed.json())).toContain(id);
    expect(audit.statusCode).toBe(200);
    expect(JSON.stringify(audit.json())).toContain('ana@example.org');
  });

  it('answers 401 without a bearer token', async () => {
    const response = await invoke(adminCall('GET', '/admin/v1/campaigns', null));

    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
  });

  it.each([
    ['expired', () => accessToken({ exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['issued for another client', () => accessToken({ client_id: 'someone-else' })],
    [
      'from another pool',
      () => accessToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
    ],
    ['an id token', () => accessToken({ token_use: 'id' })],
    ['signed by another key', () => accessToken({}, strangerKey.privateKey)],
    [
      'with a tampered payload',
      () => {
        const [h, , s] = accessToken().split('.');
        const forged = Buffer.from(
          JSON.stringify({
            iss: ISSUER,
            client_id: CLIENT_ID,
            token_use: 'access',
            scope: 'signpost/admin',
            exp: 9e9,
            username: 'mallory',
          }),
        ).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
    ],
  ])('answers 401 to a token %s', async (_case, token) => {
    const response = await invoke(adminCall('GET', '/admin/v1/campaigns', token()));

    expect(response.statusCode).toBe(401);
  });

  it('answers 403 to a valid token without the admin scope', async () => {
    const response = await invoke(
      adminCall('GET', '/admin/v1/campaigns', accessToken({ scope: 'openid email' })),
    );

    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('forbidden');
  });

  it('read the origin-verify secret through the extension once for the container', () => {
    expect(extension.requests).toEqual([
      { url: `/secretsmanager/get?secretId=${encodeURIComponent(ORIGIN_SECRET_ID)}`, token: SESSION_TOKEN },
    ]);
  });

  it.each([
    ['without the origin header', undefined],
    ['with a wrong origin header', 'w'.repeat(44)],
  ])('refuses an admin call %s (around CloudFront) with 403, valid token or not', async (_case, value) => {
    const event = adminCall('GET', '/admin/v1/campaigns', accessToken());
    if (value === undefined) delete event.headers['x-origin-verify'];
    else event.headers['x-origin-verify'] = value;

    const response = await invoke(event);

    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });

  it('refuses the admin page around CloudFront too', async () => {
    const response = await invoke(
      fixture('apigw-admin-page.json', (event) => {
        delete event.headers['x-origin-verify'];
      }),
    );

    expect(response.statusCode).toBe(403);
  });

  it('fetched the pool keys once, from the issuer', () => {
    expect(new Set(jwksFetches)).toEqual(new Set([`${ISSUER}/.well-known/jwks.json`]));
    expect(jwksFetches.length).toBeLessThanOrEqual(2);
  });

  it('serves the admin page signing in through the Cognito hosted UI at the public address', async () => {
    const page = await invoke(fixture('apigw-admin-page.json'));
    const config = await invoke(
      fixture('apigw-admin-page.json', (event) => {
        event.rawPath = '/admin/config.json';
        event.requestContext.http.path = '/admin/config.json';
        event.routeKey = 'GET /admin/{proxy+}';
      }),
    );

    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toMatch(/text\/html/);
    expect(page.headers?.['content-security-policy']).toContain(AUTH_URL);
    expect(config.json()).toMatchObject({
      mode: 'cognito',
      authority: ISSUER,
      clientId: CLIENT_ID,
      domain: AUTH_URL,
      redirectUri: 'https://help.example.org/admin',
      scope: 'openid email signpost/admin',
    });
  });

  it('serves the OpenAPI document of every route, partner ones included', async () => {
    const response = await invoke(
      fixture('apigw-admin-page.json', (event) => {
        event.rawPath = '/openapi.json';
        event.requestContext.http.path = '/openapi.json';
        event.routeKey = 'GET /openapi.json';
      }),
    );

    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/v1/match', '/v1/events', '/admin/v1/campaigns', '/widget/v1.js']),
    );
  });
});
