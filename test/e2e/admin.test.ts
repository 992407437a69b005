/**
 * The admin page end to end: real headless Chromium against the real local service. The admin works in a
 * context that enforces the page's CSP (with Trusted Types); axe-core runs in a second context, at tablet width,
 * that bypasses CSP only so the axe script can be injected. Screenshots of each main screen go to
 * test-results/screenshots/ (not committed) for a reviewer to look at.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../../functions/local/service';
import { launchBrowser } from './browser';
import { type PartnerSite, startPartnerSite } from './partner-site';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SHOTS = join(process.cwd(), 'test-results', 'screenshots');
const TOKEN = `adm_e2e_${randomBytes(12).toString('hex')}`;
/** Letters only: digits in a keyword would be read as disguised letters by the matcher. */
const RUN = Array.from(randomBytes(6), (b) => String.fromCharCode(97 + (b % 26))).join('');
const LAPTOP = { width: 1280, height: 800 };
const TABLET = { width: 768, height: 1024 };

let service: LocalService;
let site: PartnerSite;
let browser: Browser;
/** The admin's context: the page's own CSP enforced. */
let adminContext: BrowserContext;
/** axe-core's context: CSP bypassed so the axe script can be injected, and nothing else. */
let axeContext: BrowserContext;
let axePage: Page;
const axeFindings: string[] = [];
const leaveQuestions: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [service, site, browser] = await Promise.all([
    startLocalService({ port: 0, dataDir: null, adminToken: TOKEN, quiet: true }),
    startPartnerSite(),
    launchBrowser(),
  ]);
  // A fixed locale: the chart library formats numbers with navigator.language.
  adminContext = await browser.newContext({ viewport: LAPTOP, locale: 'en-US' });
  axeContext = await browser.newContext({ viewport: TABLET, locale: 'en-US', bypassCSP: true });
  axePage = await watched(axeContext);
  // Leaving a form with unsaved changes asks first (window.confirm); here the answer is always yes.
  axePage.on('dialog', (dialog) => {
    leaveQuestions.push(dialog.message());
    void dialog.accept();
  });
  await signIn(axePage);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([browser?.close(), service?.close(), site?.close()]);
});

// --- helpers ---------------------------------------------------------------------------------------------

/** A page whose script errors and CSP violations are collected (and fail the run at the end). */
async function watched(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return page;
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${service.url}/admin`);
  const token = page.getByLabel('Admin token');
  await token.fill(TOKEN);
  // Keyboard only: Enter submits the form.
  await token.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
}

async function go(page: Page, route: string, heading: string | RegExp): Promise<void> {
  await page.evaluate((hash) => {
    location.hash = hash;
  }, `#/${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.waitForFunction(() => !document.querySelector('main .loading'));
}

/** A screenshot for the reviewer: the whole page, or (long editor pages) the screen around `at`. */
async function shot(page: Page, name: string, at?: Locator): Promise<void> {
  if (at) await at.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: join(SHOTS, `${name}.png`),
    fullPage: !at,
    animations: 'disabled',
    caret: 'hide',
  });
}

/** axe-core on what the axe page shows now; serious and critical violations are collected. */
async function axe(label: string, page: Page = axePage): Promise<void> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run(
          ctx: Document,
          opts: object,
        ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
      };
    };
    // The WCAG 2.x A and AA rules (and best practices): what "axe-clean" is held to here.
    const result = await w.axe.run(document, {
      resultTypes: ['violations'],
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  for (const v of violations) {
    if (v.impact === 'serious' || v.impact === 'critical')
      axeFindings.push(`${label}: ${v.id} (${v.impact}) at ${v.targets.join(' | ')}`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) axeFindings.push(`${label}: the page is ${overflow}px wider than a tablet screen`);
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { data: text ? JSON.parse(text) : null, etag: res.headers.get('ETag') };
}

async function createCampaign(name: string, keyword: string): Promise<string> {
  const { data } = await api('POST', '/admin/v1/campaigns', {
    name,
    keywords: [{ text: keyword, match: 'phrase' }],
    messages: { en: { title: `${name} title`, body: 'Body.', actions: [] } },
    defaultLocale: 'en',
  });
  return data.id as string;
}

/** The partner's search page on its own origin, under a strict CSP, with the embed code the admin copied. */
function partnerPage(snippet: string, query: string, lang: string): string {
  const tag = snippet.replace(/data-query="[^"]*"/, `data-query="${query}" data-locale="${lang}"`);
  const csp = [
    "default-src 'none'",
    `script-src ${service.url}`,
    "style-src 'self'",
    `connect-src ${service.url}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
  return site.page(`/search-${lang}-${RUN}-${Math.random().toString(36).slice(2, 6)}`, {
    html: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Search</title></head><body><main><h1>Results</h1>${tag}</main></body></html>`,
    csp,
  });
}

async function matchAsPartner(query: string, locale: string, siteKey: string): Promise<string | null> {
  const res = await fetch(`${service.url}/v1/match`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Site-Key': siteKey, Origin: site.origin },
    body: JSON.stringify({ query, locale }),
  });
  const body = (await res.json()) as { match: { message: { title: string } } | null };
  return body.match?.message.title ?? null;
}

/** Each test ends with no serious or critical axe finding, no CSP violation and no script error. */
function expectClean(): void {
  const found = { axe: axeFindings.splice(0), problems: problems.splice(0) };
  expect(found).toEqual({ axe: [], problems: [] });
}

const field = (scope: Page | Locator, label: string) => scope.getByLabel(label, { exact: true });

// --- the admin's day -------------------------------------------------------------------------------------

describe('the admin page', () => {
  it('is served with a strict CSP, and the sign-in screen is accessible', async () => {
    const res = await fetch(`${service.url}/admin`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'nonce-[^']+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    const page = await watched(axeContext);
    await page.goto(`${service.url}/admin`);
    await page.getByLabel('Admin token').waitFor();
    const bad = await page.getByLabel('Admin token');
    await bad.fill('adm_not_the_token');
    await bad.press('Enter');
    await page.locator('main').getByText('That token is not valid').waitFor();
    await shot(page, '00-sign-in');
    await axe('sign-in', page);
    await page.close();
    expectClean();
  });

  it('signs in, creates a campaign in two languages, tests a query, publishes, and a partner page on another origin shows it; a restore brings the old behaviour back', async () => {
    const page = await watched(adminContext);
    await signIn(page);
    await shot(page, '01-campaigns');

    // Create the campaign: keywords in English and Spanish, a message in each.
    const name = `Farm workers ${RUN}`;
    const english = `unpaid farm work ${RUN}`;
    const spanish = `trabajo sin paga ${RUN}`;
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { level: 1, name: 'New campaign' }).waitFor();
    await field(page, 'Name').fill(name);
    await field(page, 'Priority').fill('50');
    const keywords = page.getByRole('region', { name: 'Keywords', exact: true });
    for (const [text, locale] of [
      [english, 'en'],
      [spanish, 'es'],
    ] as const) {
      await field(keywords, 'New keyword').fill(text);
      await field(keywords, 'Language').fill(locale);
      await keywords.getByRole('button', { name: 'Add keyword' }).click();
    }
    await expect.poll(() => keywords.getByRole('textbox', { name: /^Keyword \d+$/ }).count()).toBe(2);

    const en = page.getByRole('group', { name: 'Message in English (en)' });
    await field(en, 'Title').fill(`Help for farm workers ${RUN}`);
    await field(en, 'Message').fill('You can get out. Call us, any time.');
    await en.getByRole('button', { name: 'Add an action' }).click();
    const action = en.getByRole('group', { name: 'Action 1' });
    await field(action, 'Label').fill('Call 1-555-0100');
    await field(action, 'Link').fill('tel:+15555550100');
    // The live preview is the widget's own rendering.
    await expect
      .poll(() => en.locator('.preview-host h2').textContent())
      .toBe(`Help for farm workers ${RUN}`);
    await expect.poll(() => en.locator('.preview-host a').getAttribute('href')).toBe('tel:+15555550100');

    await field(page, 'Add a language').fill('es');
    await page.getByRole('button', { name: 'Add language' }).click();
    const es = page.getByRole('group', { name: 'Message in Spanish (es)' });
    await field(es, 'Title').fill(`Ayuda para trabajadores ${RUN}`);
    await field(es, 'Message').fill('Puedes salir. Llámanos.');
    await expect
      .poll(() => es.locator('.preview-host h2').textContent())
      .toBe(`Ayuda para trabajadores ${RUN}`);
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('main').getByText(`Created “${name}”`).waitFor();
    expect(page.url()).toMatch(/#\/campaigns\/cmp_/);
    const campaignId = page.url().split('/').pop() as string;
    await shot(page, '02-campaign-editor', page.getByRole('region', { name: 'Messages' }));

    // Test a query: the drafts match, the published version does not yet.
    await go(page, 'test', 'Test a query');
    await field(page, 'Search query').fill(`my boss says unpaid farm work ${RUN} is normal`);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const draftPanel = page.getByRole('region', { name: 'Drafts' });
    const publishedPanel = page.getByRole('region', { name: /^Published/ });
    await draftPanel.getByRole('link', { name }).first().waitFor();
    await publishedPanel.getByText('No campaign matches').waitFor();
    await page.locator('main').getByText('Publishing would change the answer to this query.').waitFor();
    expect(await draftPanel.locator('code').first().textContent()).toBe(
      `my boss says unpaid farm work ${RUN} is normal`,
    );
    await shot(page, '03-test-query');

    // Publish, after seeing what changes.
    await go(page, 'publish', 'Publish');
    const changes = page.getByRole('region', { name: 'What publishing changes' });
    await changes.getByRole('link', { name }).waitFor();
    await shot(page, '04-publish');
    const before = (await api('GET', '/admin/v1/versions')).data.live as number;
    await page.getByRole('button', { name: 'Publish these changes' }).click();
    await page
      .locator('main')
      // Case-sensitive and anchored: the page may also say "...the same as published version N." right after.
      .getByText(new RegExp(`^Published version ${before + 1}\\.`))
      .waitFor();

    // A partner, with its secret shown once and the embed code.
    await go(page, 'partners', 'Partners');
    await field(page, 'Name').fill(`Search partner ${RUN}`);
    await field(page, 'Allowed origins').fill(site.origin);
    await page.getByRole('button', { name: 'Add partner' }).click();
    await page.getByRole('heading', { level: 1, name: `Search partner ${RUN}` }).waitFor();
    expect(await page.locator('code.secret').textContent()).toMatch(/^sk_/);
    const snippet = (await page.locator('code.snippet').textContent()) ?? '';
    expect(snippet).toMatch(/integrity="sha384-[A-Za-z0-9+/=]+"/);
    const siteKey = /data-site-key="(pk_[^"]+)"/.exec(snippet)?.[1] ?? '';
    await shot(page, '05-partner');

    // The widget, embedded with that code on the partner's own origin, shows the new message in each language.
    const partner = await watched(adminContext);
    await partner.goto(partnerPage(snippet, `necesito ayuda ${spanish}`, 'es'));
    await expect
      .poll(() => partner.locator('signpost-help h2').textContent(), { timeout: 10_000 })
      .toBe(`Ayuda para trabajadores ${RUN}`);
    await partner.goto(partnerPage(snippet, `help with ${english}`, 'en'));
    await expect
      .poll(() => partner.locator('signpost-help h2').textContent(), { timeout: 10_000 })
      .toBe(`Help for farm workers ${RUN}`);
    await shot(partner, '06-partner-page-widget');
    await partner.close();

    // Restore the version before: the campaign is gone for partners again.
    await go(page, 'publish', 'Publish');
    await page.getByRole('button', { name: `Restore version ${before}` }).click();
    const dialog = page.getByRole('dialog', { name: `Restore version ${before}?` });
    await dialog.waitFor();
    await shot(page, '07-restore-confirm');
    await dialog.getByRole('button', { name: `Restore version ${before}` }).press('Enter');
    await page
      .locator('main')
      .getByText(`Restored version ${before} as version ${before + 2}.`)
      .waitFor();
    expect(await matchAsPartner(`help with ${english}`, 'en', siteKey)).toBeNull();
    await page.getByRole('region', { name: 'What publishing changes' }).getByRole('link', { name }).waitFor();
    await shot(page, '08-versions-after-restore');
    await page.close();

    // The same screens, for axe (tablet width).
    await go(axePage, 'campaigns', 'Campaigns');
    await shot(axePage, 'tablet-01-campaigns');
    await axe('campaigns');
    await go(axePage, `campaigns/${campaignId}`, name);
    await field(axePage, 'Name').fill('');
    await axePage.getByRole('button', { name: 'Save draft' }).click();
    await axePage.getByRole('heading', { name: 'Nothing was saved: there is a problem' }).waitFor();
    // The API's own message, next to the field it names.
    expect(await axePage.locator('.field-error:not([hidden])').first().textContent()).toBe(
      'A campaign needs a name.',
    );
    await shot(axePage, 'tablet-02-campaign-validation', axePage.locator('.error-summary'));
    await axe('campaign editor with errors');
    await go(axePage, 'test', 'Test a query');
    expect(leaveQuestions.splice(0)).toEqual([
      'You have changes that are not saved. Leave this page and lose them?',
    ]);
    await field(axePage, 'Search query').fill(`help with ${english}`);
    await axePage.getByRole('button', { name: 'Test', exact: true }).click();
    await axePage.getByRole('region', { name: 'Drafts' }).getByRole('link', { name }).first().waitFor();
    await axe('test a query');
    await go(axePage, 'publish', 'Publish');
    await axePage
      .getByRole('button', { name: /^Restore version/ })
      .first()
      .waitFor();
    await shot(axePage, 'tablet-04-publish');
    await axe('publish');
    expectClean();
  }, 60_000);

  it('refuses a stale edit from a second tab and explains it', async () => {
    const name = `Stale test ${RUN}`;
    const id = await createCampaign(name, `stale keyword ${RUN}`);
    const [first, second] = [await watched(adminContext), await watched(adminContext)];
    await Promise.all([signIn(first), signIn(second)]);
    await Promise.all([go(first, `campaigns/${id}`, name), go(second, `campaigns/${id}`, name)]);

    await field(first, 'Name').fill(`${name} (first tab)`);
    await first.getByRole('button', { name: 'Save draft' }).click();
    await first.locator('main').getByText(`Saved “${name} (first tab)”`).waitFor();

    await field(second, 'Priority').fill('7');
    await second.getByRole('button', { name: 'Save draft' }).click();
    const stale = second.getByRole('alert').filter({ hasText: 'Someone else changed this campaign' });
    await stale.waitFor();
    expect(await stale.textContent()).toContain('your changes were not saved');
    expect(await stale.textContent()).toContain('Last changed by local-admin');
    await shot(second, '09-stale-edit', stale);
    await stale.getByRole('button', { name: 'Load the latest version' }).click();
    await expect.poll(() => field(second, 'Name').inputValue()).toBe(`${name} (first tab)`);
    const stored = (await api('GET', `/admin/v1/campaigns/${id}`)).data;
    expect(stored.priority).toBe(0);
    await Promise.all([first.close(), second.close()]);
    expectClean();
  });

  it('imports a CSV and shows the lines it refused', async () => {
    const name = `CSV test ${RUN}`;
    const id = await createCampaign(name, `csv keyword ${RUN}`);
    const page = await watched(adminContext);
    await signIn(page);
    await go(page, `campaigns/${id}`, name);
    const csv = [
      'text,match,locale',
      `debt bondage ${RUN},phrase,en`,
      ',phrase,en',
      `odd ${RUN},fuzzy,en`,
      `"servidumbre, deuda ${RUN}",broad,es`,
    ].join('\r\n');
    await field(page, 'CSV file').setInputFiles({
      name: 'keywords.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.locator('.import-result');
    await result
      .getByText(/Imported: 2 added, 0 updated, 1 unchanged|Imported: 2 added, 0 updated, 0 unchanged/)
      .waitFor();
    const refused = result.getByRole('table');
    await refused.waitFor();
    const lines = await refused
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.firstElementChild?.textContent));
    expect(lines).toEqual(['3', '4']);
    // The table shows the imported keywords at once.
    await expect
      .poll(() =>
        page
          .getByRole('region', { name: 'Keywords', exact: true })
          .getByRole('textbox', { name: /^Keyword \d+$/ })
          .count(),
      )
      .toBe(3);
    await shot(page, '10-csv-import', result);
    await page.close();

    expectClean();
  });

  it('charts the impressions the widget produced, and shows partners and the audit log', async () => {
    // A campaign, a partner and a widget page of this test's own: its counters hold only what it did.
    const keyword = `report keyword ${RUN}`;
    await createCampaign(`Report test ${RUN}`, keyword);
    await api('POST', '/admin/v1/publish');
    const { data } = await api('POST', '/admin/v1/partners', {
      name: `Report partner ${RUN}`,
      allowedOrigins: [site.origin],
    });
    const partnerId = data.partner.id as string;
    const sri = await (await fetch(`${service.url}/widget/v1.js.sri`)).text();
    const snippet = `<script src="${service.url}/widget/v1.js" data-site-key="${data.partner.siteKey}" data-query="x" async></script>`;
    const visitor = await adminContext.newPage();
    for (let i = 0; i < 2; i++) {
      const events = visitor.waitForRequest(
        (r) => r.url().startsWith(`${service.url}/v1/events`) && r.method() === 'POST',
        { timeout: 10_000 },
      );
      await visitor.goto(partnerPage(snippet, `need help ${keyword}`, 'en'));
      await visitor.locator('signpost-help h2').waitFor();
      await events;
    }
    await visitor.close();
    expect(sri).toMatch(/^sha384-/);
    await service.flush();

    const page = await watched(adminContext);
    await signIn(page);
    await go(page, 'reports', 'Reports');
    await page.getByLabel('Partner', { exact: true }).selectOption(partnerId);
    const impressions = page
      .locator('.stat')
      .filter({ hasText: /^Impressions/ })
      .locator('dd')
      .first();
    await expect.poll(() => impressions.textContent(), { timeout: 10_000 }).toBe('2');
    const served = page
      .locator('.stat')
      .filter({ hasText: /^Served/ })
      .locator('dd')
      .first();
    expect(await served.textContent()).toBe('2');
    // The chart is drawn (a canvas), and its numbers are in the table beside it.
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    await page.locator('main').getByText('Show the numbers as a table').click();
    const rows = await page
      .getByRole('table', { name: 'Served, impressions and actions over time' })
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(rows.reduce((sum, cells) => sum + Number(cells[2]), 0)).toBe(2);
    await shot(page, '11-reports');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.csv$/);

    await go(page, 'audit', 'Audit log');
    await page
      .getByRole('button', { name: /^Show before and after/ })
      .first()
      .click();
    await page.locator('tr.audit-detail:not([hidden])').first().waitFor();
    await shot(page, '12-audit');
    await page.close();

    await go(axePage, 'reports', 'Reports');
    await axePage.locator('.chart canvas').first().waitFor();
    await shot(axePage, 'tablet-11-reports');
    await axe('reports');
    await go(axePage, 'partners', 'Partners');
    await axe('partners');
    await go(axePage, `partners/${partnerId}`, `Report partner ${RUN}`);
    await axePage.locator('code.snippet').waitFor();
    await axePage.getByRole('button', { name: 'Issue a new secret key' }).click();
    await axePage.locator('code.secret').waitFor();
    await axe('partner detail with a new secret');
    await go(axePage, 'audit', 'Audit log');
    await axePage
      .getByRole('button', { name: /^Show before and after/ })
      .first()
      .click();
    await axe('audit log');
    expectClean();
  }, 45_000);
});
