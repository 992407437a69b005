/**
 * Generated hostile requests for every route of an app (test/unit/fuzz*.test.ts with in-memory ports,
 * test/integration/fuzz*.test.ts against dynalite): random JSON, right shapes with wrong types, huge strings,
 * odd Unicode (lone surrogates, controls, RTL marks), broken JSON, missing, duplicated and contradictory headers.
 * Routes are read from the app itself, so a route added later is fuzzed without anyone listing it here.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export interface Route {
  method: string;
  path: string;
}

/** Every concrete route of a Hono app (middleware-only entries left out), plus paths nobody serves. */
export function routesOf(app: { routes: { method: string; path: string }[] }): Route[] {
  const seen = new Map<string, Route>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  return [...seen.values()].sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** Credentials the fuzzer may send: valid ones, so requests get past authentication, and broken ones. */
export interface Credentials {
  adminToken: string;
  secretKey: string;
  siteKey: string;
  origin: string;
  /** Known ids per path parameter name (`id`, `keyId`, `n`, ...), so some requests reach real records. */
  ids: Record<string, string[]>;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body?: string;
  label: string;
}

const API_ERROR_CODES = new Set([
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'precondition_required',
  'payload_too_large',
  'rate_limited',
  'unsupported_media_type',
]);

const weirdText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates and every plane
  fc.string({ unit: 'grapheme-composite', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e\u202dtrafficking',
    'ｔｒａｆｆｉｃｋｉｎｇ',
    'tr4ff1ck1ng',
    'e\u0301\u0301\u0301',
    '\ud800',
    '\udfff\ud800',
    '👩‍👩‍👧‍👦',
    '%00',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'NaN',
    '1e309',
  ),
);

const hugeText = fc.integer({ min: 600, max: 70_000 }).map((n) => 'ä'.repeat(n));

/** A value of any JSON type, weighted toward the odd ones. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdText,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308, [], {}, [[]], { '': '' }),
  hugeText,
);

const locale = fc.oneof(fc.constantFrom('en', 'es-MX', 'zh-Hant-TW', 'x-private', 'en-US-u-ca-buddhist'), anyValue);
const region = fc.oneof(fc.constantFrom('US', 'US-CA', 'MX', 'us-ca'), anyValue);
const origin = fc.oneof(
  fc.constantFrom('https://example.org', 'http://localhost:3000', 'https://a.example:8443', 'javascript:alert(1)'),
  anyValue,
);

/** Right field names with values that may be wrong: what gets deepest into a handler. */
function shapedBody(path: string, method: string): fc.Arbitrary<unknown> {
  const keyword = fc.record(
    { id: fc.oneof(fc.constant('kw_a1'), anyValue), text: fc.oneof(weirdText, anyValue), match: fc.oneof(fc.constantFrom('exact', 'phrase', 'broad'), anyValue) },
    { requiredKeys: [] },
  );
  const message = fc.record(
    {
      title: fc.oneof(weirdText, anyValue),
      body: fc.oneof(weirdText, anyValue),
      actions: fc.oneof(
        fc.array(
          fc.record({ type: fc.oneof(fc.constantFrom('call', 'text', 'link'), anyValue), label: weirdText, href: fc.oneof(fc.constantFrom('tel:+1', 'https://x.org', 'javascript:alert(1)', 'data:,x'), anyValue) }, { requiredKeys: [] }),
          { maxLength: 8 },
        ),
        anyValue,
      ),
    },
    { requiredKeys: [] },
  );
  if (path === '/v1/match' || path === '/v1/banner') {
    return fc.record({ query: fc.oneof(weirdText, anyValue, hugeText), locale, region, extra: anyValue }, { requiredKeys: [] });
  }
  if (path.startsWith('/admin/v1/campaigns') && (method === 'POST' || method === 'PUT')) {
    return fc.record(
      {
        id: fc.oneof(fc.constant('cmp_x'), anyValue),
        name: fc.oneof(weirdText, anyValue),
        status: fc.oneof(fc.constantFrom('active', 'paused'), anyValue),
        priority: fc.oneof(fc.integer({ min: -2000, max: 2000 }), anyValue),
        locales: fc.oneof(fc.array(locale, { maxLength: 4 }), anyValue),
        regions: fc.oneof(fc.array(region, { maxLength: 4 }), anyValue),
        startsAt: fc.oneof(fc.constantFrom(null, '2026-01-01T00:00:00Z', 'yesterday'), anyValue),
        endsAt: fc.oneof(fc.constantFrom(null, '2025-01-01T00:00:00Z'), anyValue),
        keywords: fc.oneof(fc.array(keyword, { maxLength: 6 }), anyValue),
        negativeKeywords: fc.oneof(fc.array(keyword, { maxLength: 3 }), anyValue),
        messages: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('en', 'es', 'EN', 'zz-!!'), weirdText), message, { maxKeys: 3 }), anyValue),
        defaultLocale: locale,
        banner: fc.oneof(fc.boolean(), anyValue),
        revision: anyValue,
      },
      { requiredKeys: [] },
    );
  }
  if (path.startsWith('/admin/v1/partners')) {
    return fc.record(
      { name: fc.oneof(weirdText, anyValue), allowedOrigins: fc.oneof(fc.array(origin, { maxLength: 4 }), anyValue), status: fc.oneof(fc.constantFrom('active', 'disabled'), anyValue) },
      { requiredKeys: [] },
    );
  }
  if (path.startsWith('/v1/events')) {
    const event = fc.record(
      { token: fc.oneof(weirdText, anyValue), type: fc.oneof(fc.constantFrom('impression', 'action'), anyValue), action: fc.oneof(fc.constantFrom('call', 'text', 'link', 'dismiss', 'exit'), anyValue) },
      { requiredKeys: [] },
    );
    return fc.record({ events: fc.oneof(fc.array(event, { maxLength: 60 }), anyValue) }, { requiredKeys: [] });
  }
  return fc.dictionary(weirdText, anyValue, { maxKeys: 4 });
}

const rawBody = (path: string, method: string): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 4, arbitrary: shapedBody(path, method).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '{"query":',
        'null',
        '[]',
        '{"query":"\\ud800"}',
        '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
        '{"query":"a","query":"b"}',
        `${'['.repeat(3000)}${']'.repeat(3000)}`,
        `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
        'text,match\nhuman trafficking,phrase\n"unterminated,broad',
        '\uFEFF{"query":"bom"}',
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 15_000, max: 40_000 }).map((n) => JSON.stringify({ query: 'x'.repeat(n) })) },
  );

const headerName = fc.constantFrom('x-api-key', 'x-site-key', 'authorization', 'origin', 'content-type', 'if-match', 'if-none-match', 'accept', 'x-forwarded-for', 'content-length-ish', 'x-random');
const headerValue = fc.oneof(
  fc.string({ minLength: 0, maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc.constantFrom('', ' ', 'Bearer', 'Bearer ', 'bearer x', 'Basic YWJjOmRlZg==', '"1"', 'W/"1"', '*', '"99999999999999999999"', 'null'),
);

/** One generated request for `route`, with credentials that are right, wrong, missing or repeated. */
export function requestFor(route: Route, creds: Credentials): fc.Arbitrary<FuzzRequest> {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
  const paramValue = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...(creds.ids[name]?.length ? creds.ids[name] : ['x'])) },
      { weight: 1, arbitrary: fc.constantFrom('cmp_nope', 'ptn_nope', 'key_nope', '0', '-1', '99999999999', '%2e%2e', '%00', '%F0%9F%98%80', 'a'.repeat(300)) },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent) },
    );
  const auth = fc.constantFrom<[string, string][][]>(
    [],
    [['authorization', `Bearer ${creds.adminToken}`]],
    [['authorization', `Bearer ${creds.adminToken}`], ['authorization', 'Bearer other']],
    [['authorization', `bearer   ${creds.adminToken}  `]],
    [['authorization', 'Bearer adm_wrong']],
    [['x-api-key', creds.secretKey]],
    [['x-api-key', creds.secretKey], ['x-api-key', creds.secretKey]],
    [['x-api-key', 'sk_forged']],
    [['x-api-key', '']],
    [['x-site-key', creds.siteKey], ['origin', creds.origin]],
    [['x-site-key', creds.siteKey], ['origin', 'https://evil.example']],
    [['x-site-key', creds.siteKey]],
    [['x-site-key', creds.siteKey], ['origin', creds.origin], ['origin', creds.origin]],
    [['x-api-key', creds.secretKey], ['authorization', `Bearer ${creds.adminToken}`]],
  );
  const contentType = fc.constantFrom<[string, string][]>(
    [['content-type', 'application/json']],
    [['content-type', 'application/json']],
    [['content-type', 'application/json; charset=utf-8']],
    [['content-type', 'APPLICATION/JSON']],
    [],
    [['content-type', 'text/plain']],
    [['content-type', 'text/csv']],
    [['content-type', 'application/x-www-form-urlencoded']],
    [['content-type', 'multipart/form-data; boundary=x']],
    [['content-type', 'application/json'], ['content-type', 'text/plain']],
  );
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constant(route.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') },
  );
  const search = fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.dictionary(weirdText, weirdText, { maxKeys: 3 }).map((d) => `?${new URLSearchParams(d)}`) },
    { weight: 1, arbitrary: fc.constantFrom('?siteKey=' + creds.siteKey, '?siteKey=pk_nope', '?from=2026-13-45&to=x&groupBy=day,nope', '?%zz') },
  );
  return fc
    .record({
      method,
      params: fc.tuple(...params.map(paramValue)),
      auth,
      contentType,
      extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
      search,
    })
    .chain((r) =>
      rawBody(route.path, r.method).map((body) => {
        let path = route.path;
        params.forEach((name, i) => {
          path = path.replace(`:${name}`, r.params[i] ?? 'x');
        });
        return {
          method: r.method,
          path: `${path}${r.search}`,
          headers: [...r.auth, ...r.contentType, ...r.extra],
          body: r.method === 'GET' || r.method === 'HEAD' ? undefined : body,
          label: `${r.method} ${route.path}`,
        };
      }),
    );
}

/** Sends `req` through `app.request` (no network), as a client would: repeated headers stay repeated. */
export async function sendFuzz(
  app: { request(input: string, init?: RequestInit): Response | Promise<Response> },
  req: FuzzRequest,
): Promise<{ status: number; text: string; headers: Headers }> {
  const headers = new Headers();
  for (const [name, value] of req.headers) headers.append(name, value);
  const init: RequestInit = { method: req.method, headers };
  if (req.body !== undefined) init.body = req.body;
  const res = await app.request(`http://localhost${req.path}`, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** What every answer to a generated request must be: no 5xx, and for a refusal our error shape, no stack. */
export function expectWellFormed(req: FuzzRequest, res: { status: number; text: string; headers: Headers }) {
  const where = `${req.method} ${req.path} -> ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  expect(res.text, where).not.toMatch(/\n\s+at .+:\d+:\d+/);
  if (res.status >= 400 && req.method !== 'HEAD') {
    expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/);
    const body = JSON.parse(res.text) as { error?: { code?: string; message?: string } };
    expect(API_ERROR_CODES.has(body.error?.code ?? ''), where).toBe(true);
    expect(typeof body.error?.message, where).toBe('string');
  }
  if (res.status === 429) expect(res.headers.get('retry-after'), where).toMatch(/^\d+$/);
}
