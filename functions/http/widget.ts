/**
 * Serves the embeddable widget (built by widget/build.ts, passed in already built) and its demo page.
 *
 * GET /widget/v1.js, /widget.js     the script, cached a day, any origin may load it
 * GET /widget/v1.<hash>.js          the same bytes under a content-hashed name, cached for good: the URL
 *                                   to pin with Subresource Integrity, since v1.js changes on deploy
 * GET /widget/v1.js.sri             the `sha384-...` integrity value of the current script
 * GET /widget/demo                  the widget at work, in query mode and banner mode, under a strict CSP
 * GET /widget/demo.js, demo.css     the demo's own script and styles (the CSP allows no inline ones)
 */
import { createHash } from 'node:crypto';
import { type Context, Hono } from 'hono';

export interface WidgetAsset {
  /** The minified IIFE. */
  js: string;
  /** Its Subresource Integrity value, `sha384-<base64>`. */
  sri: string;
}

export interface WidgetRoutesOptions {
  /**
   * A site key whose partner allows this service's own origin; without one the demo explains what is missing.
   * A function is read on every request, for a service that learns its demo partner after mounting routes.
   */
  demoSiteKey?: string | (() => string | undefined);
}

/** An asset from already-built JavaScript (for example one bundled into a Lambda as text). */
export function widgetAsset(js: string): WidgetAsset {
  return { js, sri: `sha384-${createHash('sha384').update(js, 'utf8').digest('base64')}` };
}

const DAY = 86_400;

const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const DEMO_LOCALES: [tag: string, name: string][] = [
  ['en', 'English'],
  ['es', 'Español'],
  ['zh-CN', '简体中文'],
  ['vi', 'Tiếng Việt'],
  ['tl', 'Tagalog'],
  ['ko', '한국어'],
];

export function widgetRoutes(asset: WidgetAsset, opts: WidgetRoutesOptions = {}): Hono {
  const app = new Hono();
  const hash = Buffer.from(asset.sri.replace(/^sha384-/, ''), 'base64').toString('hex');
  const etag = `"${hash.slice(0, 32)}"`;
  const hashedName = `v1.${hash.slice(0, 12)}.js`;

  const script = (cacheControl: string) => {
    const headers = {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': cacheControl,
      'Access-Control-Allow-Origin': '*',
      // Lets pages that isolate themselves (COEP) load it too.
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
      ETag: etag,
    };
    return (c: Context) =>
      matchesEtag(c.req.header('If-None-Match'), etag)
        ? c.body(null, 304, headers)
        : c.body(asset.js, 200, headers);
  };
  const current = script(`public, max-age=${DAY}, stale-while-revalidate=${7 * DAY}`);
  const pinned = script(`public, max-age=${365 * DAY}, immutable`);

  app.get('/widget/v1.js', current);
  app.get('/widget.js', current);
  app.get(`/widget/${hashedName}`, pinned);
  app.get('/widget/v1.js.sri', (c) =>
    c.text(asset.sri, 200, {
      'Cache-Control': 'public, max-age=300',
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    }),
  );

  app.get('/widget/demo', (c) => {
    const origin = new URL(c.req.url).origin;
    const requested = c.req.query('locale');
    const locale = DEMO_LOCALES.some(([tag]) => tag === requested) ? requested : undefined;
    const siteKey = typeof opts.demoSiteKey === 'function' ? opts.demoSiteKey() : opts.demoSiteKey;
    return c.html(demoPage({ origin, hashedName, sri: asset.sri, siteKey, locale }), 200, {
      'Content-Security-Policy': DEMO_CSP,
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
  });
  app.get('/widget/demo.js', (c) =>
    c.body(DEMO_JS, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    }),
  );
  app.get('/widget/demo.css', (c) =>
    c.body(DEMO_CSS, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    }),
  );
  return app;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}

function demoPage(p: {
  origin: string;
  hashedName: string;
  sri: string;
  siteKey?: string;
  locale?: string;
}): string {
  const lang = p.locale ? ` data-locale="${escapeHtml(p.locale)}"` : '';
  const key = escapeHtml(p.siteKey ?? '');
  const snippet = `<script src="${p.origin}/widget/${p.hashedName}"
        integrity="${p.sri}" crossorigin="anonymous"
        data-site-key="pk_..." data-query="<the page's search query>" async></script>`;
  const widgets = p.siteKey
    ? {
        // Region US: the campaign a fresh local service seeds (the US national hotline) targets it.
        query: `<script src="/widget/v1.js" data-site-key="${key}" data-query-param="q" data-region="US"${lang} async></script>`,
        banner: `<script src="/widget/v1.js" data-site-key="${key}" data-region="US"${lang} async></script>`,
      }
    : {
        query: '<p class="missing">No demo site key is configured, so the widget cannot be shown here.</p>',
        banner: '',
      };
  const languages = DEMO_LOCALES.map(
    ([tag, name]) =>
      `<a href="/widget/demo?locale=${tag}" hreflang="${tag}" lang="${tag}"${tag === p.locale ? ' aria-current="page"' : ''}>${name}</a>`,
  ).join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signpost widget demo</title>
<link rel="stylesheet" href="/widget/demo.css">
</head>
<body>
<main>
<h1>Signpost widget demo</h1>
<p>This page embeds the widget the way a partner does, under a strict Content-Security-Policy
(no inline script or style). Widget language: ${languages}</p>

<section aria-labelledby="query-mode">
<h2 id="query-mode">Query mode</h2>
<p>A search page passes the person's query. Try <q>human trafficking</q>, <q>took my passport</q>
or <q>forced to work</q>, then something ordinary.</p>
<form role="search" action="/widget/demo" method="get" id="search">
${p.locale ? `<input type="hidden" name="locale" value="${escapeHtml(p.locale)}">` : ''}
<label for="q">Search</label>
<input id="q" name="q" type="search" autocomplete="off">
<button type="submit">Search</button>
</form>
${widgets.query}
</section>

<section aria-labelledby="banner-mode">
<h2 id="banner-mode">Banner mode</h2>
<p>Without a query the widget shows the banner campaign's message, for pages that always offer help.</p>
${widgets.banner}
</section>

<section aria-labelledby="embed">
<h2 id="embed">Embed it</h2>
<p>One tag, pinned to this exact build with Subresource Integrity:</p>
<pre><code>${escapeHtml(snippet)}</code></pre>
<p>Or <code>${escapeHtml(`${p.origin}/widget/v1.js`)}</code> without <code>integrity</code> to always get the
latest v1. Add <code>data-query-param="q"</code> to read the query from the page's address,
<code>data-locale</code>, <code>data-region</code> and <code>data-exit-url</code> as needed.</p>
</section>
</main>
<script src="/widget/demo.js"></script>
</body>
</html>
`;
}

// Searching without a reload, as a single-page app would: ask the widget again through its global API.
const DEMO_JS = `(function () {
  var form = document.getElementById('search');
  var input = document.getElementById('q');
  if (!form || !input) return;
  input.value = new URLSearchParams(location.search).get('q') || '';
  form.addEventListener('submit', function (event) {
    if (!window.Signpost) return;
    event.preventDefault();
    var url = new URL(location.href);
    url.searchParams.set('q', input.value);
    history.replaceState(null, '', url);
    window.Signpost.match(input.value);
  });
})();
`;

const DEMO_CSS = `body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1b1b1b; background: #fafafa; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
section { margin: 2rem 0; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: 1rem; }
input, button { font: inherit; min-height: 44px; padding: 0 .75rem; }
input { flex: 1 1 12rem; border: 1px solid #6b6b6b; border-radius: 4px; }
button { border: 0; border-radius: 4px; background: #1b1b1b; color: #fff; cursor: pointer; }
:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
a { color: #1d4ed8; }
pre { overflow-x: auto; padding: 1rem; background: #eee; border-radius: 4px; }
.missing { padding: 1rem; border: 1px solid #b3261e; }
@media (prefers-color-scheme: dark) {
  body { color: #f2f2f2; background: #121212; }
  a { color: #9ec5ff; }
  pre { background: #222; }
  button { background: #f2f2f2; color: #121212; }
}
`;
