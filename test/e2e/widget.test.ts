/**
 * The widget end to end: real headless Chromium, the real local service, and partner pages on other origins
 * under a strict Content-Security-Policy (with Trusted Types, so any HTML sink would be a violation too).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, ConsoleMessage, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../../functions/local/service';
import { launchBrowser } from './browser';
import { type PartnerSite, startPartnerSite } from './partner-site';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const RUN = randomUUID().slice(0, 8);
const MATCHING = 'they took my passport';
const PAYLOAD_KEYWORD = `zebra payload ${RUN}`;
const PAYLOAD = {
  title: `<img src=x onerror="window.__pwned='title'">Help & <b>more</b>`,
  body: `<script>window.__pwned='body'</script><iframe src="javascript:window.__pwned='iframe'"></iframe>\nline two`,
  call: `<svg onload="window.__pwned='label'">Call us</svg>`,
  text: '<i>Message</i>',
};
const EN_TITLE = 'You are not alone. Help is available.';
const ES_TITLE = 'No estás solo. Hay ayuda.';

let service: LocalService;
let site: PartnerSite;
let stranger: PartnerSite;
let browser: Browser;
let siteKey: string;
/** Partners of their own for the tests that read counters, so those counters hold only what the test did. */
let countedEvents: Partner;
let countedExit: Partner;

interface Partner {
  id: string;
  siteKey: string;
}

async function admin(path: string, body: unknown): Promise<Response> {
  const res = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${service.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}

beforeAll(async () => {
  [service, site, stranger, browser] = await Promise.all([
    startLocalService({
      port: 0,
      dataDir: null,
      quiet: true,
      // For a loaded CI machine: events and counters must not be dropped for slowness here, and partners
      // are looked up once (below) and then trusted for the whole file, instead of read again under load.
      countingOptions: { eventBudgetMs: 10_000, counters: { budgetMs: 10_000 } },
      partnerCacheMs: 300_000,
    }),
    startPartnerSite(),
    startPartnerSite(),
    launchBrowser(),
  ]);
  // Every partner is made here, before any test: making one clears the service's partner cache.
  [{ siteKey }, countedEvents, countedExit] = (await Promise.all(
    ['main', 'events', 'exit'].map(async (name) => {
      const res = await admin('/admin/v1/partners', {
        name: `e2e ${name} ${RUN}`,
        allowedOrigins: [site.origin],
      });
      return ((await res.json()) as { partner: Partner }).partner;
    }),
  )) as [Partner, Partner, Partner];
  await admin('/admin/v1/campaigns', {
    name: `e2e payloads ${RUN}`,
    priority: 100,
    keywords: [{ text: PAYLOAD_KEYWORD, match: 'phrase' }],
    messages: {
      en: {
        title: PAYLOAD.title,
        body: PAYLOAD.body,
        actions: [
          { type: 'call', label: PAYLOAD.call, href: 'tel:+15555550100' },
          { type: 'text', label: PAYLOAD.text, href: 'sms:555000?body=GO' },
        ],
      },
    },
    defaultLocale: 'en',
  });
  await admin('/admin/v1/publish', {});
  // Warm the partner cache: one lookup per site key now, none later while the machine is busy with Chromium.
  for (const key of [siteKey, countedEvents.siteKey, countedExit.siteKey]) {
    const res = await fetch(`${service.url}/v1/banner`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Site-Key': key, Origin: site.origin },
      body: '{}',
    });
    if (res.status !== 200) throw new Error(`warming ${key}: ${res.status}`);
  }
  const preflight = await fetch(`${service.url}/v1/match`, {
    method: 'OPTIONS',
    headers: {
      Origin: site.origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-site-key',
    },
  });
  if (preflight.headers.get('access-control-allow-origin') !== site.origin)
    throw new Error('preflight not warm');
  for (const s of [site, stranger]) {
    s.file(
      '/partner.css',
      'text/css',
      'body{font:16px sans-serif;margin:0;padding:8px}.spacer{height:3000px}',
    );
    s.file(
      '/hostile.css',
      'text/css',
      [
        'signpost-help{display:none!important;visibility:hidden!important;opacity:0!important;',
        'position:absolute!important;left:-9999px!important;height:0!important;overflow:hidden!important}',
        'section,button,a{display:none!important}main{visibility:hidden}*{color:transparent!important}',
      ].join(''),
    );
    s.page('/before', { html: '<!doctype html><title>Before</title><p>before</p>' });
    s.page('/neutral', { html: '<!doctype html><title>Neutral</title><p>neutral</p>' });
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([browser?.close(), service?.close(), site?.close(), stranger?.close()]);
});

// --- helpers ---------------------------------------------------------------------------------------------

function strictCsp(): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${service.url}`,
    "style-src 'self'",
    `connect-src ${service.url}`,
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
    'report-uri /csp-report',
  ].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The one tag a partner adds. */
function embed(data: Record<string, string | undefined> = {}): string {
  const attrs = Object.entries({ 'site-key': siteKey, ...data })
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` data-${name}="${attr(value)}"`)
    .join('');
  return `<script src="${service.url}/widget/v1.js"${attrs} async></script>`;
}

interface PageOptions {
  on?: PartnerSite;
  lang?: string | null;
  dir?: string;
  css?: string;
  csp?: boolean;
}

let pageCounter = 0;
function partnerPage(body: string, opts: PageOptions = {}): string {
  const host = opts.on ?? site;
  const lang = opts.lang === null ? '' : ` lang="${opts.lang ?? 'en'}"`;
  const dir = opts.dir ? ` dir="${opts.dir}"` : '';
  const html = `<!doctype html><html${lang}${dir}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Partner search</title>
<link rel="stylesheet" href="${opts.css ?? '/partner.css'}"></head>
<body><main><h1>Search results</h1><label for="s">Search</label> <input id="s" type="search">
${body}</main></body></html>`;
  return host.page(`/p${++pageCounter}`, { html, csp: opts.csp === false ? undefined : strictCsp() });
}

interface Watched {
  page: Page;
  console: ConsoleMessage[];
  errors: Error[];
  violations(): Promise<string[]>;
  /** Console output that came from script (the browser's own network and CORS errors excluded). */
  scriptLogs(): string[];
}

async function watch(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  const consoleMessages: ConsoleMessage[] = [];
  const errors: Error[] = [];
  page.on('console', (m) => consoleMessages.push(m));
  page.on('pageerror', (e) => errors.push(e));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return {
    page,
    console: consoleMessages,
    errors,
    violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    scriptLogs: () =>
      consoleMessages
        .filter((m) => !/Failed to load resource|CORS policy|net::ERR_/.test(m.text()))
        .map((m) => `${m.type()}: ${m.text()}`),
  };
}

/** Resolves once a POST to the service's `path` finished or failed. */
function settled(page: Page, path: string): Promise<Request> {
  return new Promise((resolve) => {
    const done = (request: Request) => {
      if (request.method() === 'POST' && request.url() === `${service.url}${path}`) resolve(request);
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
  });
}

async function expectNothingShown(page: Page, whenSettled: Promise<unknown>): Promise<void> {
  await whenSettled;
  // The widget handles the answer a few tasks later; give it a moment to (not) render.
  await page.waitForTimeout(300);
  expect(await page.locator('signpost-help').count()).toBe(0);
}

const section = (page: Page) => page.locator('signpost-help section');

/** Generous, for a loaded CI machine: a poll succeeds as soon as it can anyway. */
const POLL = { timeout: 10_000 };

/** Waits until the page shows a widget. */
async function shows(page: Page): Promise<void> {
  await section(page).first().waitFor({ state: 'visible', timeout: POLL.timeout });
}

/** Records the page's event requests, and the token of its first match. */
function recordEvents(page: Page) {
  const requests: Request[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${service.url}/v1/events`)) requests.push(r);
  });
  const token = page
    .waitForResponse((r) => r.url() === `${service.url}/v1/match` && r.request().method() === 'POST')
    .then((r) => r.json() as Promise<{ match: { impressionToken: string } | null }>)
    .then((answer) => answer.match?.impressionToken ?? '');
  const bodies = () =>
    requests.map((r) => JSON.parse(r.postData() ?? 'null') as { events: Record<string, string>[] });
  return { requests, bodies, token };
}

/** A partner's impressions and actions today, from the admin reports (buffered counters flushed first). */
async function countedFor(
  partnerId: string,
): Promise<{ impressions: number; actions: Record<string, number> } | null> {
  const flushable = service.deps.impressions as Partial<{ flush(): Promise<unknown> }>;
  await flushable.flush?.();
  const today = new Date().toISOString().slice(0, 10);
  const res = await fetch(`${service.url}/admin/v1/reports?from=${today}&to=${today}&groupBy=partner`, {
    headers: { Authorization: `Bearer ${service.adminToken}` },
  });
  const report = (await res.json()) as {
    rows: { partnerId?: string; impressions: number; actions: Record<string, number> }[];
  };
  const row = report.rows.find((r) => r.partnerId === partnerId);
  return row ? { impressions: row.impressions, actions: row.actions } : null;
}

// --- tests -----------------------------------------------------------------------------------------------

describe.concurrent('the widget on a partner page (strict CSP, another origin)', () => {
  it('renders a match with call and text links, styled, with no CSP violation and no console output', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const matchRequest = w.page.waitForRequest(`${service.url}/v1/match`);
    await w.page.goto(partnerPage(embed({ query: MATCHING, region: 'US' })));

    await shows(w.page);
    const widget = section(w.page);
    expect(await widget.getAttribute('aria-label')).toBe('Help is available');
    expect(await widget.locator('h2').textContent()).toBe(EN_TITLE);
    expect(await widget.locator('a[href="tel:+18883737888"]').textContent()).toBe('Call 1-888-373-7888');
    expect(await widget.locator('a[href="sms:233733?&body=HELP"]').textContent()).toBe('Text HELP to 233733');
    const web = widget.locator('a[href^="https:"]');
    expect(await web.getAttribute('target')).toBe('_blank');
    expect(await web.getAttribute('rel')).toBe('noopener noreferrer');
    await expect
      .poll(() => w.page.getByRole('button', { name: 'Exit this page' }).isVisible(), POLL)
      .toBe(true);
    expect(await w.page.getByRole('button', { name: 'Close message' }).count()).toBe(1);

    // Styled through one adopted stylesheet, no <style> element, in an open shadow root next to the script.
    const shape = await w.page.evaluate(() => {
      const host = document.querySelector('signpost-help');
      const root = host?.shadowRoot;
      return {
        sheets: root?.adoptedStyleSheets.length,
        styleElements: root?.querySelectorAll('style').length,
        afterScript: host?.previousElementSibling?.tagName,
        borderRadius: root
          ? getComputedStyle(root.querySelector('section') as Element).borderTopLeftRadius
          : '',
      };
    });
    expect(shape).toEqual({ sheets: 1, styleElements: 0, afterScript: 'SCRIPT', borderRadius: '8px' });

    // The request: the site key in a header, no cookie, no referrer (the page URL could hold the query).
    const headers = await (await matchRequest).allHeaders();
    expect(headers['x-site-key']).toBe(siteKey);
    expect(headers.referer ?? '').toBe('');
    expect(headers.cookie).toBeUndefined();
    expect(JSON.parse((await matchRequest).postData() ?? '')).toEqual({
      query: MATCHING,
      locale: 'en',
      region: 'US',
    });

    expect(await w.violations()).toEqual([]);
    expect(site.cspReports).toEqual([]);
    expect(w.errors).toEqual([]);
    expect(w.scriptLogs()).toEqual([]);
    await context.close();
  });

  it('shows admin text with HTML and script payloads as literal text and runs none of it', async ({
    expect,
  }) => {
    // CSP bypassed, so that anything the widget turned into markup would really run.
    const context = await browser.newContext({ bypassCSP: true });
    const w = await watch(context);
    await w.page.goto(partnerPage(embed({ query: `what is ${PAYLOAD_KEYWORD}?` }), { csp: false }));
    await shows(w.page);
    const widget = section(w.page);

    expect(await widget.locator('h2').textContent()).toBe(PAYLOAD.title);
    expect(await widget.locator('h2 + p').textContent()).toBe(PAYLOAD.body);
    expect(await widget.locator('a[href="tel:+15555550100"]').textContent()).toBe(PAYLOAD.call);
    // The SMS link in the form both phones understand, and its keyword and number as text.
    expect(await widget.locator('a[href="sms:555000?&body=GO"]').textContent()).toBe(PAYLOAD.text);
    expect(await widget.textContent()).toContain('Text GO to 555000');

    const found = await w.page.evaluate(() => ({
      elements: document
        .querySelector('signpost-help')
        ?.shadowRoot?.querySelectorAll('img, script, iframe, svg, b, i, style, object, embed').length,
      pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
    }));
    expect(found).toEqual({ elements: 0, pwned: null });
    expect(w.errors).toEqual([]);
    await context.close();
  });

  it('puts only tel:, sms: and https: links on the page, whatever the service answers', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const hrefs = [
      'javascript:window.__pwned=1',
      ' JaVaScRiPt:window.__pwned=2',
      'java\tscript:window.__pwned=3',
      'data:text/html,<script>alert(1)</script>',
      'http://insecure.example/',
      'vbscript:msgbox(1)',
      '/relative',
      'https://ok.example/path',
      'tel:+15555550100',
      'sms:555000?body=GO',
    ];
    await w.page.route(`${service.url}/v1/match`, (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Access-Control-Allow-Origin': site.origin },
        contentType: 'application/json',
        body: JSON.stringify({
          match: {
            message: {
              locale: 'ar',
              title: 'عنوان',
              body: 'نص',
              actions: hrefs.map((href, i) => ({ type: 'link', label: `a${i}`, href })),
            },
            impressionToken: '',
          },
          rulesetVersion: 1,
        }),
      }),
    );
    await w.page.goto(partnerPage(embed({ query: 'anything' })));
    await shows(w.page);
    const rendered = await section(w.page)
      .locator('a')
      .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    expect(rendered).toEqual(['https://ok.example/path', 'tel:+15555550100', 'sms:555000?&body=GO']);
    // A right-to-left message lays out right to left even on a left-to-right page.
    expect(await section(w.page).getAttribute('dir')).toBe('rtl');
    expect(await section(w.page).evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    expect(await w.violations()).toEqual([]);
    await context.close();
  });

  it('shows nothing for a query that does not match', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const done = settled(w.page, '/v1/match');
    await w.page.goto(partnerPage(embed({ query: 'weather tomorrow', region: 'US' })));
    expect((await (await done).response())?.status()).toBe(200);
    await expectNothingShown(w.page, done);
    expect(w.scriptLogs()).toEqual([]);
    expect(w.errors).toEqual([]);
    await context.close();
  });

  it('shows nothing on an origin the partner did not allow, and breaks nothing', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const done = settled(w.page, '/v1/match');
    await w.page.goto(partnerPage(embed({ query: MATCHING, region: 'US' }), { on: stranger }));
    await expectNothingShown(w.page, done);
    // At most the one concise warning (the service may not let the page read its 403).
    const logs = w.scriptLogs();
    expect(logs.length).toBeLessThanOrEqual(1);
    for (const line of logs) expect(line).toMatch(/^warning: Signpost: /);
    expect(w.errors).toEqual([]);
    // The host page still works.
    expect(await w.page.evaluate(() => document.querySelector('h1')?.textContent)).toBe('Search results');
    await context.close();
  });

  it('warns once, concisely, when the service refuses the site key, however many widgets', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    await w.page.route(`${service.url}/v1/*`, (route) =>
      route.fulfill({
        status: 403,
        headers: { 'Access-Control-Allow-Origin': '*' },
        contentType: 'application/json',
        body: '{"error":{"code":"forbidden","message":"no"}}',
      }),
    );
    const done = Promise.all([settled(w.page, '/v1/banner'), settled(w.page, '/v1/match')]);
    await w.page.goto(partnerPage(embed({ query: MATCHING }) + embed()));
    await expectNothingShown(w.page, done);
    expect(w.scriptLogs()).toHaveLength(1);
    expect(w.scriptLogs()[0]).toMatch(/^warning: Signpost: the service refused this page \(HTTP 403\)/);
    await context.close();
  });

  it('shows nothing and logs nothing on a server error, a network error or a 3 s timeout', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    const failures: Record<string, (route: Route) => Promise<void> | void> = {
      error: (route) =>
        route.fulfill({ status: 500, headers: { 'Access-Control-Allow-Origin': '*' }, body: 'boom' }),
      network: (route) => route.abort('connectionreset'),
      garbage: (route) =>
        route.fulfill({ status: 200, headers: { 'Access-Control-Allow-Origin': '*' }, body: '{"match":' }),
    };
    const quickFailures = Object.entries(failures).map(async ([name, fail]) => {
      const w = await watch(context);
      await w.page.route(`${service.url}/v1/match`, fail);
      const done = settled(w.page, '/v1/match');
      await w.page.goto(partnerPage(embed({ query: MATCHING })));
      await expectNothingShown(w.page, done);
      expect(w.scriptLogs(), name).toEqual([]);
      expect(w.errors, name).toEqual([]);
    });

    const timeout = (async () => {
      const w = await watch(context);
      const held: Route[] = [];
      await w.page.route(`${service.url}/v1/match`, (route) => {
        held.push(route);
      });
      // Times the widget's fetch inside the page, where a busy test machine does not blur it.
      await w.page.addInitScript(() => {
        const original = window.fetch;
        window.fetch = (...args) => {
          const started = performance.now();
          const answer = original(...args);
          answer.catch(() => {
            (window as unknown as { __failedAfter: number }).__failedAfter = performance.now() - started;
          });
          return answer;
        };
      });
      const done = settled(w.page, '/v1/match');
      await w.page.goto(partnerPage(embed({ query: MATCHING })));
      const request = await done;
      // Aborted by the widget's own timer: a held request would otherwise wait forever.
      expect(request.failure()?.errorText).toBe('net::ERR_ABORTED');
      const failedAfter = await w.page.evaluate(
        () => (window as unknown as { __failedAfter: number }).__failedAfter,
      );
      expect(failedAfter).toBeGreaterThanOrEqual(2_950);
      expect(failedAfter).toBeLessThan(4_500);
      await expectNothingShown(w.page, Promise.resolve());
      expect(w.scriptLogs()).toEqual([]);
      expect(w.errors).toEqual([]);
      await Promise.allSettled(held.map((route) => route.abort()));
    })();

    await Promise.all([...quickFailures, timeout]);
    await context.close();
  });

  it('cannot be hidden by host CSS', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    await w.page.goto(partnerPage(embed({ query: MATCHING, region: 'US' }), { css: '/hostile.css' }));
    await shows(w.page);
    const box = await section(w.page).boundingBox();
    expect(box?.x).toBeGreaterThanOrEqual(0);
    expect(box?.height).toBeGreaterThan(100);
    const colour = await section(w.page)
      .locator('h2')
      .evaluate((el) => getComputedStyle(el).color);
    expect(colour).not.toBe('rgba(0, 0, 0, 0)');
    await context.close();
  });
});

describe.concurrent('modes and languages', () => {
  it('shows the banner message without a query, in the language of data-locale', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const banner = w.page.waitForRequest(`${service.url}/v1/banner`);
    await w.page.goto(partnerPage(embed({ locale: 'es-US', region: 'US' })));
    await shows(w.page);
    expect(JSON.parse((await banner).postData() ?? '')).toEqual({ locale: 'es-US', region: 'US' });
    expect(await section(w.page).locator('h2').textContent()).toBe(ES_TITLE);
    expect(await w.page.getByRole('button', { name: 'Salir de esta página' }).count()).toBe(1);
    expect(await w.page.getByRole('region', { name: 'Hay ayuda disponible' }).count()).toBe(1);
    expect(await w.violations()).toEqual([]);
    await context.close();
  });

  it("takes the language from the page's lang, then from the browser, and follows a right-to-left page", async ({
    expect,
  }) => {
    const context = await browser.newContext({ locale: 'vi-VN' });
    const korean = await watch(context);
    await korean.page.goto(partnerPage(embed({ region: 'US' }), { lang: 'ko' }));
    await shows(korean.page);
    expect(await korean.page.getByRole('button', { name: '이 페이지 나가기' }).count()).toBe(1);

    const browserLanguage = await watch(context);
    await browserLanguage.page.goto(partnerPage(embed({ region: 'US' }), { lang: null, dir: 'rtl' }));
    await shows(browserLanguage.page);
    expect(await browserLanguage.page.getByRole('button', { name: 'Thoát trang này' }).count()).toBe(1);
    expect(await section(browserLanguage.page).evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    await context.close();
  });

  it('asks again through Signpost.match, into [data-signpost], without disturbing a second widget', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    await w.page.goto(
      partnerPage(
        `<div id="results" data-signpost></div>${embed({ query: '', region: 'US' })}
         <aside id="side">${embed({ region: 'US', locale: 'es' })}</aside>`,
      ),
    );
    // The banner widget shows next to its script; the query widget has no query yet.
    await expect.poll(() => w.page.locator('#side signpost-help section').isVisible(), POLL).toBe(true);
    expect(await w.page.locator('#results signpost-help').count()).toBe(0);

    const ask = (query: string) =>
      w.page.evaluate(
        (q) => (window as unknown as { Signpost: { match(q: string): Promise<boolean> } }).Signpost.match(q),
        query,
      );
    expect(await ask(MATCHING)).toBe(true);
    expect(await w.page.locator('#results signpost-help section h2').textContent()).toBe(EN_TITLE);
    expect(await w.page.locator('#side signpost-help section h2').textContent()).toBe(ES_TITLE);

    expect(await ask('weather tomorrow')).toBe(false);
    expect(await w.page.locator('#results signpost-help').count()).toBe(0);
    expect(await w.page.locator('#side signpost-help section').isVisible()).toBe(true);
    expect(await ask('   ')).toBe(false);
    expect(await w.violations()).toEqual([]);
    expect(w.errors).toEqual([]);
    await context.close();
  });
});

describe.concurrent('the demo page', () => {
  it('shows the widget at work in both modes under its own strict CSP', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    await w.page.goto(`${service.url}/widget/demo?q=${encodeURIComponent(MATCHING)}`);
    // Query mode (from ?q=) and banner mode, both from the seeded US campaign.
    await expect.poll(() => section(w.page).count(), POLL).toBe(2);
    expect(await w.page.locator('#search ~ signpost-help section h2').textContent()).toBe(EN_TITLE);
    // Searching again without a reload goes through Signpost.match.
    await w.page.locator('#q').fill('weather tomorrow');
    await w.page.locator('#q').press('Enter');
    await expect.poll(() => section(w.page).count(), POLL).toBe(1);
    expect(w.page.url()).toContain('q=weather+tomorrow');
    expect(await w.violations()).toEqual([]);
    expect(w.errors).toEqual([]);
    expect(w.scriptLogs()).toEqual([]);
    await context.close();
  });
});

describe.concurrent('quick exit and dismiss', () => {
  it('blanks the page, replaces the location, and Back does not return to it', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const before = `${site.origin}/before`;
    await w.page.goto(before);
    const widgetPage = partnerPage(
      embed({ query: MATCHING, region: 'US', 'exit-url': `${site.origin}/neutral` }),
    );
    await w.page.goto(widgetPage);
    await shows(w.page);
    await w.page.getByRole('button', { name: 'Exit this page' }).click();
    await w.page.waitForURL(`${site.origin}/neutral`);
    await w.page.goBack();
    expect(w.page.url()).toBe(before);
    await context.close();
  });

  it('leaves on Shift pressed three times, but not while typing capitals, to a neutral default', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    await context.route('https://www.wikipedia.org/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Wikipedia</title>' }),
    );
    const w = await watch(context);
    const widgetPage = partnerPage(embed({ query: MATCHING, region: 'US' }));
    await w.page.goto(widgetPage);
    await shows(w.page);
    await w.page.locator('#s').focus();
    for (const key of ['KeyH', 'KeyI', 'KeyJ']) {
      await w.page.keyboard.down('Shift');
      await w.page.keyboard.press(key);
      await w.page.keyboard.up('Shift');
    }
    await w.page.waitForTimeout(200);
    expect(w.page.url()).toBe(widgetPage);
    for (let i = 0; i < 3; i++) await w.page.keyboard.press('Shift');
    await w.page.waitForURL('https://www.wikipedia.org/');
    await context.close();
  });

  it('blanks the page in the same task as the click, and undoes it on a back/forward cache restore', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    await w.page.goto(
      partnerPage(embed({ query: MATCHING, region: 'US', 'exit-url': `${site.origin}/neutral` })),
    );
    await shows(w.page);
    // All in one task, before the navigation can commit: what the page looks like the instant exit is pressed,
    // and after a `pageshow` with `persisted` (which Back cannot trigger here, since the entry was replaced).
    const states = await w.page.evaluate(() => {
      const read = () => [getComputedStyle(document.documentElement).display, document.title];
      const before = read();
      document
        .querySelector('signpost-help')
        ?.shadowRoot?.querySelector<HTMLButtonElement>('button.x')
        ?.click();
      const blanked = read();
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      return [before, blanked, read()];
    });
    expect(states).toEqual([
      ['block', 'Partner search'],
      ['none', ''],
      ['block', 'Partner search'],
    ]);
    await w.page.waitForURL(`${site.origin}/neutral`);
    await context.close();
  });

  it('dismisses the message without leaving the page', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const url = partnerPage(embed({ query: MATCHING, region: 'US' }));
    await w.page.goto(url);
    await shows(w.page);
    await w.page.getByRole('button', { name: 'Close message' }).click();
    expect(await w.page.locator('signpost-help').count()).toBe(0);
    expect(w.page.url()).toBe(url);
    expect(await w.page.evaluate(() => getComputedStyle(document.documentElement).display)).toBe('block');
    await context.close();
  });
});

describe.concurrent('events and privacy', () => {
  it('reports an impression once visible and each action, by beacon, with no cookie or referrer', async ({
    expect,
  }) => {
    const counted = countedEvents;
    const context = await browser.newContext();
    const w = await watch(context);
    const events = recordEvents(w.page);
    await w.page.goto(
      partnerPage(
        `<div class="spacer"></div>${embed({ query: MATCHING, region: 'US', 'site-key': counted.siteKey })}`,
      ),
    );
    await section(w.page).waitFor({ state: 'attached' });
    // Below the fold: not seen yet.
    await w.page.waitForTimeout(300);
    expect(events.bodies()).toEqual([]);

    const token = await events.token;
    expect(token).not.toBe('');
    await section(w.page).scrollIntoViewIfNeeded();
    await expect.poll(() => events.bodies(), POLL).toEqual([{ events: [{ token, type: 'impression' }] }]);

    // Follow no link for real: the test only needs the clicks.
    await w.page.evaluate(() => window.addEventListener('click', (e) => e.preventDefault(), true));
    for (const href of ['tel:', 'sms:', 'https:'])
      await section(w.page).locator(`a[href^="${href}"]`).click();
    await w.page.getByRole('button', { name: 'Close message' }).click();
    const actions = ['call', 'text', 'link', 'dismiss'].map((action) => ({
      events: [{ token, type: 'action', action }],
    }));
    await expect.poll(() => events.bodies().slice(1), POLL).toEqual(actions);

    for (const request of events.requests) {
      const url = new URL(request.url());
      expect(url.pathname).toBe('/v1/events');
      expect(url.searchParams.get('siteKey')).toBe(counted.siteKey);
      expect(request.method()).toBe('POST');
      const headers = await request.allHeaders();
      expect(headers.referer ?? '').toBe('');
      expect(headers.cookie).toBeUndefined();
      expect(headers['content-type']).toMatch(/^text\/plain/);
      expect(headers.origin).toBe(site.origin);
    }
    // Accepted, and counted: once each.
    for (const request of events.requests) expect((await request.response())?.status()).toBe(202);
    await expect
      .poll(() => countedFor(counted.id), { timeout: 10_000 })
      .toEqual({
        impressions: 1,
        actions: { call: 1, text: 1, link: 1, dismiss: 1, exit: 0 },
      });
    await context.close();
  });

  it('reports the exit even though the page leaves at once', async ({ expect }) => {
    const counted = countedExit;
    const context = await browser.newContext();
    const w = await watch(context);
    const events = recordEvents(w.page);
    const exitUrl = `${site.origin}/neutral`;
    await w.page.goto(
      partnerPage(embed({ query: MATCHING, region: 'US', 'exit-url': exitUrl, 'site-key': counted.siteKey })),
    );
    await shows(w.page);
    await w.page.getByRole('button', { name: 'Exit this page' }).click();
    await w.page.waitForURL(`${site.origin}/neutral`);
    const token = await events.token;
    expect(token).not.toBe('');
    await expect
      .poll(() => events.bodies(), POLL)
      .toContainEqual({ events: [{ token, type: 'action', action: 'exit' }] });
    // Counted, although the page that sent it is gone.
    await expect.poll(async () => (await countedFor(counted.id))?.actions.exit, { timeout: 10_000 }).toBe(1);
    await context.close();
  });

  it('writes no cookie and no storage, and the service sets none', async ({ expect }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    const setCookies: string[] = [];
    w.page.on('response', async (response) => {
      const value = await response.headerValue('set-cookie');
      if (value) setCookies.push(`${response.url()}: ${value}`);
    });
    recordEvents(w.page);
    await w.page.goto(partnerPage(`${embed({ query: MATCHING, region: 'US' })}${embed({ region: 'US' })}`));
    await expect.poll(() => section(w.page).count(), POLL).toBe(2);
    await w.page.evaluate(() =>
      (window as unknown as { Signpost: { match(q: string): Promise<boolean> } }).Signpost.match(
        'forced to work',
      ),
    );
    await w.page.getByRole('button', { name: 'Close message' }).first().click();
    const storage = await w.page.evaluate(async () => ({
      cookie: document.cookie,
      local: localStorage.length,
      session: sessionStorage.length,
      databases: (await indexedDB.databases()).length,
      caches: (await caches.keys()).length,
    }));
    expect(storage).toEqual({ cookie: '', local: 0, session: 0, databases: 0, caches: 0 });
    const state = await context.storageState();
    expect(state.cookies).toEqual([]);
    expect(state.origins).toEqual([]);
    expect(setCookies).toEqual([]);
    await context.close();
  });
});

describe.concurrent('accessibility', () => {
  it('has no serious or critical axe violation, in light and dark mode', async ({ expect }) => {
    // axe is injected as a script, which the strict CSP would rightly refuse.
    const context = await browser.newContext({ bypassCSP: true, reducedMotion: 'reduce' });
    const w = await watch(context);
    await w.page.goto(partnerPage(embed({ query: MATCHING, region: 'US' }), { csp: false }));
    await shows(w.page);
    await w.page.addScriptTag({ path: AXE_PATH });
    for (const colorScheme of ['light', 'dark'] as const) {
      await w.page.emulateMedia({ colorScheme });
      const violations = await w.page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<AxeResults> } })
          .axe;
        const results = await axe.run(document, { resultTypes: ['violations'] });
        return results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(violations, colorScheme).toEqual([]);
    }
    await context.close();
  });

  it('is reachable by keyboard in a sensible order, with visible focus and 44 px targets', async ({
    expect,
  }) => {
    const context = await browser.newContext();
    const w = await watch(context);
    await w.page.goto(partnerPage(embed({ query: MATCHING, region: 'US' })));
    await shows(w.page);
    await w.page.locator('#s').focus();
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await w.page.keyboard.press('Tab');
      order.push(
        await w.page.evaluate(() => {
          const el = document.activeElement?.shadowRoot?.activeElement;
          if (!el) return 'outside';
          const style = getComputedStyle(el);
          return `${el.getAttribute('aria-label') ?? el.textContent} [${style.outlineStyle} ${style.outlineWidth}]`;
        }),
      );
    }
    expect(order).toEqual([
      'Exit this page [solid 3px]',
      'Close message [solid 3px]',
      'Call 1-888-373-7888 [solid 3px]',
      'Text HELP to 233733 [solid 3px]',
      'humantraffickinghotline.org [solid 3px]',
    ]);
    const boxes = await section(w.page)
      .locator('a, button')
      .evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          return Math.min(r.width, r.height);
        }),
      );
    expect(boxes).toHaveLength(5);
    for (const size of boxes) expect(size).toBeGreaterThanOrEqual(44);

    // Motion only for those who have not asked for less.
    const animation = () => section(w.page).evaluate((el) => getComputedStyle(el).animationName);
    expect(await animation()).not.toBe('none');
    await w.page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await animation()).toBe('none');
    await context.close();
  });
});

interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
}
