/**
 * Serves the admin page (built by admin-ui/build.ts, passed in already built): an HTML shell, its
 * content-hashed script and style files, and the sign-in configuration.
 *
 * GET /admin                  the shell: one module script with a per-request nonce, one stylesheet, both with
 *                             Subresource Integrity, under a strict CSP (no inline script or style, nothing
 *                             from another origin except the Cognito endpoints in Cognito mode)
 * GET /admin/assets/<file>    the bundle's files, named by content hash, so cached for good
 * GET /admin/config.json      how to sign in: `{mode:'token'}` locally, `{mode:'cognito', ...}` on AWS
 *
 * The data behind the page is not public: every /admin/v1/* call carries the admin's bearer token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { SHELL } from '../../admin-ui/src/strings.js';

export interface AdminAssetFile {
  /** The file's name under /admin/assets/, content-hashed: `main.3FQ2ZK7A.js`. */
  name: string;
  contentType: string;
  body: string;
  /** `sha384-<base64>` of the body. */
  integrity: string;
}

export interface AdminAsset {
  /** The entry module and the stylesheet the shell links to. */
  script: string;
  style: string;
  files: AdminAssetFile[];
  /** Gzipped bytes of the script the first load fetches (the entry and its static imports). */
  firstLoadGzipBytes: number;
}

/** How the page signs admins in. Cognito: the hosted UI, authorization code with PKCE. */
export type AdminAuthConfig =
  | { mode: 'token' }
  | {
      mode: 'cognito';
      /** The user pool's issuer, `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
      authority: string;
      clientId: string;
      /** The hosted UI's base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
      domain: string;
      /** Where Cognito sends the admin back; the page's own /admin URL when omitted. */
      redirectUri?: string;
      scope?: string;
    };

export interface AdminPageOptions {
  auth?: AdminAuthConfig;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

/** One file of the bundle, its type and integrity derived from its name and bytes. */
export function adminAssetFile(name: string, body: string): AdminAssetFile {
  const ext = name.slice(name.lastIndexOf('.') + 1);
  return {
    name,
    contentType: TYPES[ext] ?? 'application/octet-stream',
    body,
    integrity: `sha384-${createHash('sha384').update(body, 'utf8').digest('base64')}`,
  };
}

/** What `npx tsx admin-ui/build.ts` writes beside the files, as dist/admin/manifest.json. */
export interface AdminManifest {
  script: string;
  style: string;
  files: string[];
  firstLoadGzipBytes: number;
}

/**
 * The asset from files built ahead of time (a Lambda bundle carries dist/admin/ as files): `read` answers a
 * file's text by name, such as `(name) => readFileSync(new URL(`./admin/${name}`, import.meta.url), 'utf8')`.
 */
export function adminAssetFromManifest(manifest: AdminManifest, read: (name: string) => string): AdminAsset {
  return {
    script: manifest.script,
    style: manifest.style,
    files: manifest.files.map((name) => adminAssetFile(name, read(name))),
    firstLoadGzipBytes: manifest.firstLoadGzipBytes,
  };
}

const YEAR = 365 * 86_400;

export function adminPageRoutes(asset: AdminAsset, opts: AdminPageOptions = {}): Hono {
  const app = new Hono();
  const auth: AdminAuthConfig = opts.auth ?? { mode: 'token' };
  const files = new Map(asset.files.map((file) => [file.name, file]));
  const script = files.get(asset.script);
  const style = files.get(asset.style);
  if (!script || !style) throw new Error('the admin asset lacks its entry script or stylesheet');

  app.get('/admin', (c) => {
    const nonce = randomBytes(18).toString('base64');
    const config = resolveConfig(auth, new URL(c.req.url).origin);
    return c.html(shell({ nonce, script, style, config }), 200, {
      'Content-Security-Policy': contentSecurityPolicy(nonce, auth),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    });
  });
  app.get('/admin/', (c) => c.redirect('/admin', 308));

  app.get('/admin/config.json', (c) =>
    c.json(resolveConfig(auth, new URL(c.req.url).origin), 200, { 'Cache-Control': 'no-store' }),
  );

  app.get('/admin/assets/:name', (c) => {
    const file = files.get(c.req.param('name'));
    if (!file) {
      return c.json(
        { error: { code: 'not_found', message: 'There is no such admin page file; reload the page.' } },
        404,
        { 'Cache-Control': 'no-store' },
      );
    }
    const etag = `"${file.integrity.slice(7, 39)}"`;
    const headers = {
      'Content-Type': file.contentType,
      'Cache-Control': `public, max-age=${YEAR}, immutable`,
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'same-origin',
      ETag: etag,
    };
    if (c.req.header('If-None-Match') === etag) return c.body(null, 304, headers);
    return c.body(file.body, 200, headers);
  });

  return app;
}

function resolveConfig(auth: AdminAuthConfig, origin: string): AdminAuthConfig {
  if (auth.mode === 'token') return auth;
  return {
    ...auth,
    redirectUri: auth.redirectUri ?? `${origin}/admin`,
    scope: auth.scope ?? 'openid email signpost/admin',
  };
}

/**
 * Scripts only by nonce (and what they import, by 'strict-dynamic'); styles only from this origin (the
 * widget preview's constructable stylesheet and uPlot's CSSOM sizing are not inline styles); nothing may
 * frame the page; no Trusted Types sink may take a string. Cognito's endpoints are the only other origin.
 */
export function contentSecurityPolicy(nonce: string, auth: AdminAuthConfig): string {
  const identity =
    auth.mode === 'cognito' ? ` ${new URL(auth.domain).origin} ${new URL(auth.authority).origin}` : '';
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${identity}`,
    "frame-src 'none'",
    "worker-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}

function shell(p: {
  nonce: string;
  script: AdminAssetFile;
  style: AdminAssetFile;
  config: AdminAuthConfig;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(SHELL.title)}</title>
<link rel="stylesheet" href="/admin/assets/${p.style.name}" integrity="${p.style.integrity}">
<script type="module" src="/admin/assets/${p.script.name}" integrity="${p.script.integrity}" nonce="${p.nonce}"></script>
</head>
<body data-config="${escapeHtml(JSON.stringify(p.config))}">
<div id="app"><p class="boot">${escapeHtml(SHELL.loading)}</p></div>
<noscript><p class="boot">${escapeHtml(SHELL.noScript)}</p></noscript>
</body>
</html>
`;
}
