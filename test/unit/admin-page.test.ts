/**
 * The admin page as served: the HTML shell under a strict CSP with a fresh nonce, its hashed files with SRI,
 * the sign-in configuration, where it is mounted, and the bundle's budget and hygiene.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAdminPage, FIRST_LOAD_BUDGET_BYTES } from '../../admin-ui/build';
import {
  type AdminAsset,
  adminAssetFile,
  adminAssetFromManifest,
  adminPageRoutes,
} from '../../functions/http/admin-page';
import { createApp, createPartnerApp } from '../../functions/http/app';
import { memoryDeps } from '../fakes/memory';

/** A tiny asset for route tests: no build needed. */
const small: AdminAsset = {
  script: 'main.ABC.js',
  style: 'styles.DEF.css',
  files: [
    adminAssetFile('main.ABC.js', 'import("./chunk.X.js");'),
    adminAssetFile('chunk.X.js', 'export const x = 1;'),
    adminAssetFile('styles.DEF.css', 'body{margin:0}'),
  ],
  firstLoadGzipBytes: 1,
};
const cognito = {
  mode: 'cognito' as const,
  authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc',
  clientId: 'client123',
  domain: 'https://signpost-admin.auth.eu-west-1.amazoncognito.com',
};

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name as string, values]),
  );

describe('GET /admin', () => {
  const app = adminPageRoutes(small);

  it('serves the shell with a strict CSP whose nonce is the script tag’s, new on every request', async () => {
    const [a, b] = await Promise.all([app.request('/admin'), app.request('/admin')]);
    expect(a.status).toBe(200);
    expect(a.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(a.headers.get('Cache-Control')).toBe('no-store');
    const csp = directives(a.headers.get('Content-Security-Policy') ?? '');
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('require-trusted-types-for')).toEqual(["'script'"]);
    const [nonceSource, dynamic] = csp.get('script-src') ?? [];
    expect(dynamic).toBe("'strict-dynamic'");
    const nonce = /^'nonce-([A-Za-z0-9+/=]{24})'$/.exec(nonceSource ?? '')?.[1];
    expect(nonce).toBeDefined();
    const html = await a.text();
    expect(html).toContain(
      `<script type="module" src="/admin/assets/main.ABC.js" integrity="${small.files[0]?.integrity}" nonce="${nonce}"></script>`,
    );
    expect(html).toContain(
      `<link rel="stylesheet" href="/admin/assets/styles.DEF.css" integrity="${small.files[2]?.integrity}">`,
    );
    // One script element, the nonced one: nothing inline, nothing from another origin.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/style=/);
    expect(b.headers.get('Content-Security-Policy')).not.toBe(a.headers.get('Content-Security-Policy'));
  });

  it('forbids framing and sniffing', async () => {
    const res = await app.request('/admin');
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
  });

  it('tells the page to sign in with the admin token by default', async () => {
    const html = await (await app.request('/admin')).text();
    expect(html).toContain('data-config="{&quot;mode&quot;:&quot;token&quot;}"');
    const config = await app.request('/admin/config.json');
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual({ mode: 'token' });
  });

  it('redirects /admin/ to /admin', async () => {
    const res = await app.request('/admin/');
    expect(res.status).toBe(308);
    expect(res.headers.get('Location')).toBe('/admin');
  });
});

describe('Cognito sign-in', () => {
  const app = adminPageRoutes(small, { auth: cognito });

  it('configures the hosted UI with PKCE back to this origin’s /admin', async () => {
    const res = await app.request('https://admin.signpost.example/admin/config.json');
    expect(await res.json()).toEqual({
      ...cognito,
      redirectUri: 'https://admin.signpost.example/admin',
      scope: 'openid email signpost/admin',
    });
  });

  it('lets the page reach Cognito’s endpoints, and nothing else outside this origin', async () => {
    const res = await app.request('https://admin.signpost.example/admin');
    const csp = directives(res.headers.get('Content-Security-Policy') ?? '');
    expect(csp.get('connect-src')).toEqual([
      "'self'",
      'https://signpost-admin.auth.eu-west-1.amazoncognito.com',
      'https://cognito-idp.eu-west-1.amazonaws.com',
    ]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('GET /admin/assets/:name', () => {
  const app = adminPageRoutes(small);

  it('serves a hashed file for good, with an ETag', async () => {
    const res = await app.request('/admin/assets/chunk.X.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('export const x = 1;');
    const etag = res.headers.get('ETag') ?? '';
    expect(
      (await app.request('/admin/assets/chunk.X.js', { headers: { 'If-None-Match': etag } })).status,
    ).toBe(304);
    const css = await app.request('/admin/assets/styles.DEF.css');
    expect(css.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 in the API’s error shape for a file it does not have', async () => {
    const res = await app.request('/admin/assets/main.OLD.js');
    expect(res.status).toBe(404);
    expect((await res.json()) as unknown).toEqual({
      error: { code: 'not_found', message: expect.any(String) },
    });
  });
});

describe('where the page is mounted', () => {
  it('is served by the whole app and not by the partner app', async () => {
    const { deps } = memoryDeps({ adminPage: { asset: small } });
    expect((await createApp(deps).request('/admin')).status).toBe(200);
    expect((await createApp(deps).request('/admin/assets/main.ABC.js')).status).toBe(200);
    expect((await createPartnerApp(deps).request('/admin')).status).toBe(404);
  });

  it('is not served when no page was built', async () => {
    const { deps } = memoryDeps();
    expect((await createApp(deps).request('/admin')).status).toBe(404);
  });

  it('leaves /admin/v1/* behind the bearer token', async () => {
    const { deps } = memoryDeps({ adminPage: { asset: small } });
    expect((await createApp(deps).request('/admin/v1/campaigns')).status).toBe(401);
  });
});

describe('the built page', () => {
  let asset: AdminAsset;
  beforeAll(async () => {
    asset = await buildAdminPage();
  }, 30_000);

  it('loads under 100 KB of gzipped script at first, and all of it fits too', () => {
    expect(asset.firstLoadGzipBytes).toBeGreaterThan(1000);
    expect(asset.firstLoadGzipBytes).toBeLessThan(FIRST_LOAD_BUDGET_BYTES);
    const all = asset.files
      .filter((f) => f.name.endsWith('.js'))
      .reduce((sum, f) => sum + gzipSync(f.body).length, 0);
    expect(all).toBeLessThan(FIRST_LOAD_BUDGET_BYTES);
  });

  it('names every file by its content and gives each its SRI value', () => {
    expect(asset.files.map((f) => f.name)).toContain(asset.script);
    expect(asset.files.map((f) => f.name)).toContain(asset.style);
    for (const file of asset.files) {
      expect(file.name).toMatch(/^[a-z]+\.[A-Z0-9]{8}\.(js|css)$/);
      expect(file.integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
    }
  });

  it('never parses HTML or evaluates strings, and keeps nothing in browser storage', () => {
    for (const file of asset.files.filter((f) => f.name.endsWith('.js'))) {
      expect(file.body).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
      );
      expect(file.body).not.toContain('document.cookie');
      // The OIDC library mentions the Web Storage defaults the page overrides with in-memory stores.
      if (!file.body.includes('oidc-client')) expect(file.body).not.toMatch(/localStorage|sessionStorage/);
    }
  });

  it('loads the same asset from files built ahead of time (a Lambda bundle)', () => {
    const bodies = new Map(asset.files.map((f) => [f.name, f.body]));
    const manifest = {
      script: asset.script,
      style: asset.style,
      files: [...bodies.keys()],
      firstLoadGzipBytes: asset.firstLoadGzipBytes,
    };
    expect(adminAssetFromManifest(manifest, (name) => bodies.get(name) ?? '')).toEqual(asset);
  });

  it('bundles the widget’s own rendering for the message preview', () => {
    const widgetCss = readFileSync(join('widget', 'src', 'styles.ts'), 'utf8').match(
      /--signpost-accent-fg/,
    )?.[0];
    expect(asset.files.some((f) => f.body.includes(widgetCss ?? 'missing'))).toBe(true);
  });
});

describe('strings', () => {
  it('keeps every user-visible sentence in admin-ui/src/strings.ts', () => {
    const dir = join('admin-ui', 'src');
    const files = [
      ...readdirSync(dir).map((f) => join(dir, f)),
      ...readdirSync(join(dir, 'screens')).map((f) => join(dir, 'screens', f)),
    ].filter((f) => f.endsWith('.ts') && !f.endsWith('strings.ts'));
    const offenders: string[] = [];
    for (const file of files) {
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      // A capitalised word followed by another word, in quotes: a sentence someone would read.
      for (const match of source.matchAll(/(['`])([A-Z][a-z]+ [a-z][^'`]*)\1/g))
        offenders.push(`${file}: ${match[2]}`);
    }
    expect(offenders).toEqual([]);
  });
});
