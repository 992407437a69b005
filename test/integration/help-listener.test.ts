/**
 * The local server answers /v1/match and /v1/banner through its own node:http route (functions/local/
 * help-listener.ts) rather than through Hono. Both call the same HelpEndpoint; these tests hold the two to the
 * same answers (status, body, the headers a client reads) for every kind of request, refused ones included.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import { type LocalService, startLocalService } from '../../functions/local/service.js';
import { send } from '../helpers/http.js';

let service: LocalService;
let hono: ReturnType<typeof createApp>;
const logLines: string[] = [];

beforeAll(async () => {
  service = await startLocalService({
    port: 0,
    dataDir: null,
    logger: {
      debug: (message, fields) => logLines.push(JSON.stringify({ message, ...fields })),
      info: () => {},
      warn: () => {},
      error: (message, fields) => logLines.push(JSON.stringify({ message, ...fields })),
    },
  });
  // The same dependencies behind Hono, as on Lambda and in the route tests.
  hono = createApp(service.deps);
});
afterAll(() => service?.close());

const READ_HEADERS = [
  'content-type',
  'cache-control',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'vary',
  'retry-after',
  'x-content-type-options',
  'referrer-policy',
];

/** What a client sees of an answer; impression tokens differ per request by design, so only their presence. */
function seen(res: { status: number; headers: Headers; body: unknown }) {
  const headers = Object.fromEntries(READ_HEADERS.map((name) => [name, res.headers.get(name)]));
  const body = JSON.parse(
    JSON.stringify(res.body, (key, value) => (key === 'impressionToken' ? typeof value : value)),
  );
  return { status: res.status, headers, body };
}

type Case = [string, string, string, { body?: unknown; raw?: string; headers?: Record<string, string> }];

const cases = (): Case[] => {
  const key = { 'x-api-key': service.demoPartner.secretKey ?? '' };
  const site = { 'x-site-key': service.demoPartner.siteKey };
  const origin = `http://127.0.0.1:${new URL(service.url).port}`;
  return [
    [
      'a match',
      'POST',
      '/v1/match',
      { body: { query: 'they took my passport', region: 'US-CA' }, headers: key },
    ],
    ['no match', 'POST', '/v1/match', { body: { query: 'weather tomorrow' }, headers: key }],
    ['Spanish', 'POST', '/v1/match', { body: { query: 'víctima de trata', locale: 'es-mx' }, headers: key }],
    ['a banner', 'POST', '/v1/banner', { body: { region: 'US' }, headers: key }],
    ['no key', 'POST', '/v1/match', { body: { query: 'human trafficking' } }],
    ['a wrong key', 'POST', '/v1/match', { body: { query: 'x' }, headers: { 'x-api-key': 'sk_wrong' } }],
    [
      'a site key from its origin',
      'POST',
      '/v1/match',
      { body: { query: 'x' }, headers: { ...site, origin } },
    ],
    [
      'a site key in the query',
      'POST',
      `/v1/match?siteKey=${service.demoPartner.siteKey}`,
      { body: { query: 'human trafficking' }, headers: { origin } },
    ],
    [
      'a site key from elsewhere',
      'POST',
      '/v1/match',
      { body: { query: 'x' }, headers: { ...site, origin: 'https://evil.example' } },
    ],
    [
      'malformed JSON',
      'POST',
      '/v1/match',
      { raw: '{"query": "hu', headers: { ...key, 'content-type': 'application/json' } },
    ],
    ['an unknown field', 'POST', '/v1/match', { body: { query: 'x', lang: 'en' }, headers: key }],
    ['a bad locale', 'POST', '/v1/banner', { body: { locale: 'not a locale!' }, headers: key }],
    [
      'a form body',
      'POST',
      '/v1/match',
      { raw: 'query=x', headers: { ...key, 'content-type': 'application/x-www-form-urlencoded' } },
    ],
    ['no content type', 'POST', '/v1/match', { raw: '{"query":"x"}', headers: key }],
    [
      'a body over the limit',
      'POST',
      '/v1/match',
      { body: { query: 'x', pad: 'y'.repeat(20_000) }, headers: key },
    ],
    [
      'a preflight from an allowed origin',
      'OPTIONS',
      '/v1/match',
      { headers: { origin, 'access-control-request-method': 'POST' } },
    ],
    ['a preflight from elsewhere', 'OPTIONS', '/v1/banner', { headers: { origin: 'https://evil.example' } }],
  ];
};

describe('the local server’s direct help route', () => {
  it('answers every kind of request exactly as the Hono route does', async () => {
    for (const [name, method, path, options] of cases()) {
      const direct = seen(await send(service.url, method, path, options));
      const viaHono = seen(await send(hono, method, path, options));
      expect({ name, ...direct }).toEqual({ name, ...viaHono });
    }
    // The cases reach every status the routes answer.
    const statuses = new Set<number>();
    for (const [, method, path, options] of cases())
      statuses.add((await send(service.url, method, path, options)).status);
    expect([...statuses].sort()).toEqual([200, 204, 400, 401, 403, 413, 415]);
  });

  it('refuses a chunked body past the limit as it streams in, and hangs up', async () => {
    const url = new URL(service.url);
    const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/v1/match',
            headers: { 'content-type': 'application/json', 'x-api-key': service.demoPartner.secretKey ?? '' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => {
              body += chunk;
            });
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
            );
          },
        );
        req.on('error', reject);
        // No Content-Length: chunked, 4 KB at a time, well past the 16 KB limit.
        req.write('{"query":"x","pad":"');
        for (let i = 0; i < 8; i++) req.write('y'.repeat(4096));
        req.end('"}');
      },
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large');
    expect(answer.connection).toBe('close');
  });

  it('logs one line per request with the route and status, and nothing of the query or the key', async () => {
    logLines.length = 0;
    const canary = `canary${Date.now().toString(36)}`;
    await send(service.url, 'POST', '/v1/match', {
      body: { query: `${canary} human trafficking` },
      headers: { 'x-api-key': service.demoPartner.secretKey ?? '' },
    });
    const lines = logLines.map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'request', route: '/v1/match', status: 200 }),
    );
    expect(logLines.join('\n')).not.toContain(canary);
    expect(logLines.join('\n')).not.toContain(service.demoPartner.secretKey ?? 'sk_');
  });
});
