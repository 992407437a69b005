/**
 * Generated hostile requests for every route of an app (test/unit/fuzz*.test.ts with in-memory ports,
 * test/integration/fuzz*.test.ts against dynalite): random JSON, right shapes with wrong types, huge strings,
 * odd Unicode (lone surrogates, controls, RTL marks), broken JSON, missing, duplicated and contradictory headers.
 * Routes are read from the app itself, so a route added later is fuzzed without anyone listing it here.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { createApp } from '../../functions/http/app.js';
import { widgetAsset } from '../../functions/http/widget.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { send } from './http.js';

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

const hugeText = fc.integer({ min: 600, max: 20_000 }).map((n) => 'ä'.repeat(n));

/** A value of any JSON type, weighted toward the odd ones. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: weirdText },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308, [], {}, [[]], {
      '': '',
    }),
  },
  { weight: 1, arbitrary: hugeText },
);

/** Mostly a valid value, sometimes anything: most requests get past validation, some fail in every field. */
const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: anyValue });

const locale = mostly(
  fc.constantFrom('en', 'es-MX', 'es', 'zh-Hant-TW', 'x-private', 'en-US-u-ca-buddhist', 'EN-us'),
);
const region = mostly(fc.constantFrom('US', 'US-CA', 'MX', 'us-ca', 'GB'));
const origin = mostly(
  fc.constantFrom(
    'https://example.org',
    'http://localhost:3000',
    'https://a.example:8443',
    'https://x.org/path',
    'javascript:alert(1)',
  ),
);
const query = mostly(
  fc.oneof(
    fc.constantFrom(
      'human trafficking',
      'they took my passport',
      'forced to work no pay',
      'trata de personas',
      'víctima de trata',
      'p1mp',
      'weather tomorrow',
    ),
    weirdText,
  ),
);
const words = fc.constantFrom(
  'human trafficking',
  'forced labour',
  'pasaporte',
  'p1mp',
  'escort',
  'no pay',
  '$ex',
  'trabajo forzado',
);

/** Right field names with values that may be wrong: what gets deepest into a handler. */
function shapedBody(path: string, method: string): fc.Arbitrary<unknown> {
  const keyword = fc.record(
    {
      id: fc.oneof(fc.constant('kw_a1'), anyValue),
      text: mostly(fc.oneof(words, weirdText)),
      match: mostly(fc.constantFrom('exact', 'phrase', 'broad')),
    },
    { requiredKeys: ['text'] },
  );
  const action = fc.record(
    {
      type: mostly(fc.constantFrom('call', 'text', 'link')),
      label: mostly(fc.constantFrom('Call', 'Text HELP')),
      href: mostly(
        fc.constantFrom('tel:+18883737888', 'sms:233733', 'https://x.org', 'javascript:alert(1)', 'data:,x'),
      ),
    },
    { requiredKeys: ['type', 'label', 'href'] },
  );
  const message = fc.record(
    {
      title: mostly(fc.oneof(fc.constant('Help'), weirdText)),
      body: mostly(weirdText),
      actions: mostly(fc.array(action, { maxLength: 7 })),
    },
    { requiredKeys: ['title'] },
  );
  if (path === '/v1/match' || path === '/v1/banner') {
    return fc.record(
      {
        query: fc.oneof({ weight: 9, arbitrary: query }, { weight: 1, arbitrary: hugeText }),
        locale,
        region,
        extra: anyValue,
      },
      { requiredKeys: path === '/v1/match' ? ['query'] : [] },
    );
  }
  if (path.startsWith('/admin/v1/campaigns') && (method === 'POST' || method === 'PUT')) {
    return fc.record(
      {
        id: fc.oneof(fc.constant('cmp_us_national_hotline'), anyValue),
        name: mostly(fc.oneof(fc.constant('Campaign'), weirdText)),
        status: mostly(fc.constantFrom('active', 'paused')),
        priority: mostly(fc.integer({ min: -2000, max: 2000 })),
        locales: mostly(fc.array(locale, { maxLength: 4 })),
        regions: mostly(fc.array(region, { maxLength: 4 })),
        startsAt: mostly(fc.constantFrom(null, '2026-01-01T00:00:00Z', 'yesterday')),
        endsAt: mostly(fc.constantFrom(null, '2025-01-01T00:00:00Z', '2030-01-01T00:00:00+02:00')),
        keywords: mostly(fc.array(keyword, { maxLength: 6 })),
        negativeKeywords: mostly(fc.array(keyword, { maxLength: 3 })),
        messages: mostly(
          fc.dictionary(fc.oneof(fc.constantFrom('en', 'es', 'EN', 'zz-!!'), weirdText), message, {
            minKeys: 1,
            maxKeys: 3,
          }),
        ),
        defaultLocale: fc.oneof(
          { weight: 4, arbitrary: fc.constant('en') },
          { weight: 1, arbitrary: locale },
        ),
        banner: mostly(fc.boolean()),
        revision: anyValue,
      },
      { requiredKeys: ['name', 'messages', 'defaultLocale'] },
    );
  }
  if (path.startsWith('/admin/v1/partners')) {
    return fc.record(
      {
        name: mostly(fc.oneof(fc.constant('Partner'), weirdText)),
        allowedOrigins: mostly(fc.array(origin, { maxLength: 4 })),
        status: mostly(fc.constantFrom('active', 'disabled')),
      },
      { requiredKeys: [] },
    );
  }
  if (path.startsWith('/v1/events')) {
    const event = fc.record(
      {
        token: mostly(weirdText),
        type: mostly(fc.constantFrom('impression', 'action')),
        action: mostly(fc.constantFrom('call', 'text', 'link', 'dismiss', 'exit')),
      },
      { requiredKeys: [] },
    );
    return fc.record({ events: mostly(fc.array(event, { maxLength: 60 })) }, { requiredKeys: [] });
  }
  return fc.dictionary(weirdText, anyValue, { maxKeys: 4 });
}

const rawBody = (path: string, method: string): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 12, arbitrary: shapedBody(path, method).map((v) => JSON.stringify(v)) },
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
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 15_000, max: 40_000 })
        .map((n) => JSON.stringify({ query: 'x'.repeat(n) })),
    },
  );

const headerName = fc.constantFrom(
  'x-api-key',
  'x-site-key',
  'authorization',
  'origin',
  'content-type',
  'if-match',
  'if-none-match',
  'accept',
  'x-forwarded-for',
  'content-length-ish',
  'x-random',
);
const headerValue = fc.oneof(
  fc.string({ minLength: 0, maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc.constantFrom(
    '',
    ' ',
    'Bearer',
    'Bearer ',
    'bearer x',
    'Basic YWJjOmRlZg==',
    '"1"',
    'W/"1"',
    '*',
    '"99999999999999999999"',
    'null',
  ),
);

/** One generated request for `route`, with credentials that are right, wrong, missing or repeated. */
export function requestFor(route: Route, creds: Credentials): fc.Arbitrary<FuzzRequest> {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
  const paramValue = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...(creds.ids[name]?.length ? creds.ids[name] : ['x'])) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'cmp_nope',
          'ptn_nope',
          'key_nope',
          '0',
          '-1',
          '99999999999',
          '%2e%2e',
          '%00',
          '%F0%9F%98%80',
          'a'.repeat(300),
        ),
      },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent) },
    );
  const admin: [string, string][] = [['authorization', `Bearer ${creds.adminToken}`]];
  const secret: [string, string][] = [['x-api-key', creds.secretKey]];
  const site: [string, string][] = [
    ['x-site-key', creds.siteKey],
    ['origin', creds.origin],
  ];
  const broken = fc.constantFrom<[string, string][][]>(
    [],
    [...admin, ['authorization', 'Bearer other']],
    [['authorization', `bearer   ${creds.adminToken}  `]],
    [['authorization', 'Bearer adm_wrong']],
    [...secret, ...secret],
    [['x-api-key', 'sk_forged']],
    [['x-api-key', '']],
    [
      ['x-site-key', creds.siteKey],
      ['origin', 'https://evil.example'],
    ],
    [['x-site-key', creds.siteKey]],
    [...site, ['origin', creds.origin]],
    [...secret, ...admin],
    secret,
    site,
    admin,
  );
  // Mostly the credentials the route wants, so requests reach its handler; the rest are wrong in every way.
  const wanted = route.path.startsWith('/admin/') ? fc.constant([admin]) : fc.constantFrom([secret], [site]);
  const auth = fc.oneof(
    { weight: 3, arbitrary: wanted.map((a) => a[0] ?? []) },
    { weight: 1, arbitrary: broken },
  );
  const contentType = fc.constantFrom<[string, string][]>(
    ...Array.from({ length: 12 }, (): [string, string][] => [['content-type', 'application/json']]),
    [['content-type', 'application/json; charset=utf-8']],
    [['content-type', 'APPLICATION/JSON']],
    [],
    [['content-type', 'text/plain']],
    [['content-type', 'text/csv']],
    [['content-type', 'application/x-www-form-urlencoded']],
    [['content-type', 'multipart/form-data; boundary=x']],
    [
      ['content-type', 'application/json'],
      ['content-type', 'text/plain'],
    ],
  );
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constant(route.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') },
  );
  const search = fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc.dictionary(weirdText, weirdText, { maxKeys: 3 }).map((d) => `?${new URLSearchParams(d)}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `?siteKey=${creds.siteKey}`,
        '?siteKey=pk_nope',
        '?from=2026-13-45&to=x&groupBy=day,nope',
        '?%zz',
      ),
    },
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
  expect(res.headers.get('x-content-type-options'), where).toBe('nosniff');
  if (res.status >= 400 && req.method !== 'HEAD') {
    expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/);
    const body = JSON.parse(res.text) as { error?: { code?: string; message?: string } };
    expect(API_ERROR_CODES.has(body.error?.code ?? ''), where).toBe(true);
    expect(typeof body.error?.message, where).toBe('string');
  }
  if (res.status === 429) expect(res.headers.get('retry-after'), where).toMatch(/^\d+$/);
}

/** The data fields of an in-memory port (Maps, Sets and arrays included), not its methods. */
export function stateOf(value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, stateOf(v)]);
  if (value instanceof Set) return [...value].map(stateOf);
  if (Array.isArray(value)) return value.map(stateOf);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => typeof v !== 'function')
        .map(([k, v]) => [k, stateOf(v)]),
    );
  }
  return value;
}

export interface FuzzSubject {
  app: { request(input: string, init?: RequestInit): Response | Promise<Response> };
  creds: Credentials;
  /** Everything stored, as a string two snapshots can be compared by. */
  snapshot(): Promise<string>;
  /**
   * For a store that can change after a request has answered (a write an earlier request started, which the server
   * applies after the client gave up waiting for it): how many write commands the last request started, itself or
   * through work it left behind. A change when it started none is not its doing.
   */
  writesOfLastRequest?(): number;
}

/** What differs between two snapshots made of JSON arrays of items (as the dynalite subject's are), briefly. */
function stateDiff(before: string, after: string): string {
  const items = (snapshot: string): string[] => {
    try {
      return (JSON.parse(snapshot) as unknown[]).flat().map((item) => String(item));
    } catch {
      return [snapshot];
    }
  };
  const was = new Set(items(before));
  const is = new Set(items(after));
  const gone = [...was].filter((item) => !is.has(item));
  const added = [...is].filter((item) => !was.has(item));
  const brief = (list: string[]) => list.slice(0, 3).map((item) => item.slice(0, 400));
  return JSON.stringify({ gone: brief(gone), added: brief(added) });
}

/**
 * Sends `runs` generated requests for `route` to a fresh subject: every answer well formed (no 5xx), and every
 * refused one (4xx) leaving the stored state as it was. Starts over on a fresh subject when the state grows
 * large (a publish copies every campaign), to keep each snapshot cheap.
 */
export async function fuzzRoute(
  route: Route,
  runs: number,
  setup: () => Promise<FuzzSubject>,
  maxState = 50_000,
) {
  let s = await setup();
  let last = await s.snapshot();
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(requestFor(route, s.creds), async (req) => {
      if (last.length > maxState) {
        s = await setup();
        last = await s.snapshot();
      }
      const res = await sendFuzz(s.app, req);
      const before = last;
      const now = await s.snapshot();
      // Kept even when this run fails: fast-check's shrinking runs on the same subject, and each of its runs must
      // compare against the state it started from, or the smallest failure it reports is a stale comparison.
      last = now;
      expectWellFormed(req, res);
      if (res.status >= 400) refused += 1;
      // A change made by no write of this request's is an earlier request's write landing late: not its doing.
      if (res.status >= 400 && s.writesOfLastRequest?.() !== 0) {
        expect(
          now === before,
          `${req.method} ${req.path} was refused (${res.status}) but changed stored state: ${stateDiff(before, now)}`,
        ).toBe(true);
      }
    }),
    { numRuns: runs },
  );
  // The generator reaches refusals on every route (else it proves nothing about them); short runs may not.
  // Not a share of the runs: a static file route is refused only for ~8% of generated requests, so a 5% floor
  // failed about one run in fifteen; at least one refusal in 200 misses about once in ten million.
  if (runs >= 200) expect(refused).toBeGreaterThan(0);
}

// The in-memory subject, and one test per route (test/unit/fuzz-*.test.ts).

const ORIGIN = 'https://partner.example';
const WIDGET = widgetAsset('/* widget */');

/** An app over in-memory ports with the national hotline published and one partner. */
export async function memorySubject(): Promise<FuzzSubject> {
  const { deps, served } = memoryDeps({
    widget: { asset: WIDGET, demoSiteKey: 'pk_demo_demo_demo' },
    // Thousands of requests on one key: limits are tested elsewhere, here they would only hide routes.
    rateLimits: { secretKey: { perSecond: 1e9, burst: 1e9 }, siteKey: { perSecond: 1e9, burst: 1e9 } },
  });
  const app = createApp(deps);
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  await deps.campaigns.create(defaultCampaign(), 'test');
  await send(app, 'POST', '/admin/v1/publish', { headers: admin });
  const made = await send(app, 'POST', '/admin/v1/partners', {
    headers: admin,
    body: { name: 'Search partner', allowedOrigins: [ORIGIN] },
  });
  expect(made.status).toBe(201);
  const partner = made.body.partner;
  const stored = await deps.partners.get(partner.id);
  const ignored = new Set(['live', 'logger', 'metrics', 'clock', 'ids', 'widget', 'adminAuth']);
  return {
    app,
    creds: {
      adminToken: TEST_ADMIN_TOKEN,
      secretKey: made.body.secretKey as string,
      siteKey: partner.siteKey as string,
      origin: ORIGIN,
      ids: {
        id: ['cmp_us_national_hotline', partner.id as string],
        keyId: stored?.keys.map((k) => k.id) ?? [],
        n: ['1', '2'],
        version: ['1'],
      },
    },
    snapshot: async () =>
      JSON.stringify([
        Object.entries(deps)
          .filter(([name]) => !ignored.has(name))
          .map(([name, port]) => [name, stateOf(port)]),
        served,
      ]),
  };
}

/**
 * Requests per route: a thousand for every route that takes a body; half that for the others that name a record
 * (a path parameter); fewer for routes that only list or serve a fixed asset, and fewer still for the OpenAPI
 * document, one large constant. FUZZ_SCALE=10 (say) multiplies them all for a deeper run by hand.
 */
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE) || 1);
function runsFor(route: Route): number {
  if (route.path === '/openapi.json') return 100 * SCALE;
  if (['POST', 'PUT', 'PATCH'].includes(route.method)) return 1_000 * SCALE;
  return (route.path.includes(':') ? 500 : 200) * SCALE;
}

export function fuzzEvery(which: (route: Route) => boolean) {
  const routes = [
    ...routesOf(createApp(memoryDeps({ widget: { asset: WIDGET } }).deps)),
    { method: 'POST', path: '/nowhere/:id' },
  ].filter(which);
  it('finds routes to fuzz', () => {
    expect(routes.length).toBeGreaterThan(3);
  });
  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: never a 5xx, and a refused request changes nothing',
    async (_name, route) => {
      await fuzzRoute(route, runsFor(route), memorySubject);
    },
    60_000,
  );
}
