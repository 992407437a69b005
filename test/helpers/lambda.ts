/** Invoking a real Lambda entry point in tests: a Lambda context, and an API Gateway v2 result read back as text. */
import { type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { dynamoRepositories } from '../../functions/adapters/dynamodb/index.js';
import { newPartnerKey, newSecretKey, newSiteKey } from '../../functions/core/partner-keys.js';
import { aCampaign } from './campaigns.js';

export type ApiGatewayHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** An API Gateway v2 event from test/fixtures, changed by `patch`. */
export function apiGatewayEvent(
  name: string,
  patch: (event: APIGatewayProxyEventV2) => void = () => {},
): APIGatewayProxyEventV2 {
  const event = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as APIGatewayProxyEventV2;
  patch(event);
  return event;
}

/** Invokes `handler` as Lambda would, numbering the invocations for their request ids. */
export function lambdaInvoker(handler: () => ApiGatewayHandler, functionName: string, memoryMb: string) {
  let invocations = 0;
  const context = (): Context => {
    invocations += 1;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
      memoryLimitInMB: memoryMb,
      awsRequestId: `${functionName}-req-${invocations}`,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: '2026/11/30/[$LATEST]0123456789',
      getRemainingTimeInMillis: () => 10_000,
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  };
  return async (event: APIGatewayProxyEventV2) => {
    const result = await handler()(event, context());
    const text = result.isBase64Encoded
      ? Buffer.from(result.body ?? '', 'base64').toString('utf8')
      : (result.body ?? '');
    return { ...result, text, json: () => JSON.parse(text) };
  };
}

/**
 * What the partner entry-point tests start from: a published campaign that matches "took my passport", and an
 * active partner with a new secret key (returned) allowed on https://partner.example.org.
 */
export async function seedMatchablePartner(
  repos: Pick<ReturnType<typeof dynamoRepositories>, 'campaigns' | 'rulesets' | 'partners'>,
  partnerId: string,
): Promise<{ secretKey: string }> {
  const campaign = aCampaign({
    keywords: [{ id: 'kw_passport', text: 'took my passport', match: 'phrase' }],
  });
  await repos.campaigns.create(campaign, 'test');
  await repos.rulesets.publish({
    publishedAt: new Date().toISOString(),
    publishedBy: 'test',
    campaigns: [campaign],
  });
  const secretKey = newSecretKey();
  await repos.partners.create({
    id: partnerId,
    name: `Test partner ${partnerId}`,
    allowedOrigins: ['https://partner.example.org'],
    siteKey: newSiteKey(),
    status: 'active',
    keys: [newPartnerKey(`key_${partnerId}`, secretKey, new Date())],
    createdAt: new Date().toISOString(),
    revision: 1,
  });
  return { secretKey };
}

/**
 * Sets the environment a Lambda entry point reads at import; the function it returns puts every key it set back
 * as it was (absent keys removed again), so one test file's configuration never leaks into the next.
 */
export function lambdaEnvironment(env: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  return () => {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** Keeps every line written to stdout and stderr (Powertools logs and EMF metrics) until `restore`. */
export function captureOutput(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const keep =
    (real: typeof stdout) =>
    (chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(String(chunk));
      return real(chunk, ...rest);
    };
  process.stdout.write = keep(stdout) as typeof process.stdout.write;
  process.stderr.write = keep(stderr) as typeof process.stderr.write;
  return {
    lines,
    restore: () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    },
  };
}

/**
 * A Cognito-shaped access token for the admin API, RS256-signed with `key`: what the hosted UI hands an admin
 * of the pool `issuer` through the app client `clientId`. `claims` override the defaults.
 */
export function cognitoAccessToken(options: {
  issuer: string;
  clientId: string;
  key: KeyObject;
  kid: string;
  claims?: Record<string, unknown>;
}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: '11111111-2222-3333-4444-555555555555',
    iss: options.issuer,
    client_id: options.clientId,
    token_use: 'access',
    scope: 'openid email signpost/admin',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    username: 'ana@example.org',
    ...options.claims,
  };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signed = `${encode({ alg: 'RS256', kid: options.kid })}.${encode(payload)}`;
  return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), options.key).toString('base64url')}`;
}
