import { describe, expect, it } from 'vitest';
import { widgetAsset, widgetRoutes } from '../../functions/http/widget';

const asset = widgetAsset('"use strict";(()=>{window.x=1})();\n');
const app = widgetRoutes(asset, { demoSiteKey: 'pk_demo_123' });

describe('GET /widget/v1.js', () => {
  it('serves the script for any origin to load, cached for a day, with an ETag', async () => {
    const res = await app.request('/widget/v1.js', { headers: { Origin: 'https://partner.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('Cache-Control') ?? '')?.[1]);
    expect(res.headers.get('Cache-Control')).toMatch(/^public,/);
    expect(maxAge).toBeGreaterThanOrEqual(86_400);
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(await res.text()).toBe(asset.js);
  });

  it('serves the same bytes at /widget.js', async () => {
    const [a, b] = await Promise.all([app.request('/widget/v1.js'), app.request('/widget.js')]);
    expect(b.status).toBe(200);
    expect(b.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(b.headers.get('ETag')).toBe(a.headers.get('ETag'));
    expect(await b.text()).toBe(await a.text());
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const etag = (await app.request('/widget/v1.js')).headers.get('ETag') ?? '';
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await app.request('/widget/v1.js', { headers: { 'If-None-Match': header } });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
    }
    const stale = await app.request('/widget/v1.js', { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('answers HEAD without a body', async () => {
    const res = await app.request('/widget/v1.js', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  it('serves a different build under a different ETag', async () => {
    const other = widgetRoutes(widgetAsset('"use strict";(()=>{})();'));
    const [a, b] = await Promise.all([app.request('/widget/v1.js'), other.request('/widget/v1.js')]);
    expect(a.headers.get('ETag')).not.toBe(b.headers.get('ETag'));
  });
});

describe('GET /widget/v1.js.sri', () => {
  it('answers the integrity value of the script', async () => {
    const res = await app.request('/widget/v1.js.sri');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(await res.text()).toBe(asset.sri);
    expect(asset.sri).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
  });
});

describe('GET /widget/v1.<hash>.js', () => {
  it('serves the same bytes forever under the content-hashed name the demo shows', async () => {
    const html = await (await app.request('/widget/demo')).text();
    const name = /\/widget\/(v1\.[0-9a-f]{12}\.js)/.exec(html)?.[1];
    expect(name).toBeDefined();
    const res = await app.request(`/widget/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toContain('immutable');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(await res.text()).toBe(asset.js);
  });

  it('does not serve another hash', async () => {
    expect((await app.request('/widget/v1.000000000000.js')).status).toBe(404);
  });
});

describe('GET /widget/demo', () => {
  it('shows both modes under a strict CSP with no inline script or style', async () => {
    const res = await app.request('http://localhost:3000/widget/demo');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    // Every script has a src; no style elements or attributes; no inline event handlers.
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBe(3);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="/);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    // Query mode (from the page's address) and banner mode (no query).
    expect(html).toContain('data-site-key="pk_demo_123" data-query-param="q" data-region="US" async');
    expect(html).toMatch(
      /<script src="\/widget\/v1\.js" data-site-key="pk_demo_123" data-region="US" async><\/script>/,
    );
    expect(html).toContain('http://localhost:3000/widget/v1.');
    expect(html).toContain(asset.sri);
  });

  it('passes a known locale to the widgets and ignores anything else', async () => {
    const es = await (await app.request('/widget/demo?locale=es')).text();
    expect(es).toContain('data-query-param="q" data-region="US" data-locale="es" async');
    const bad = await (await app.request('/widget/demo?locale=%22%3E%3Cscript%3E')).text();
    expect(bad).not.toContain('data-locale="');
    expect(bad).not.toContain('"><script>');
  });

  it('explains the missing site key instead of embedding a broken widget', async () => {
    const res = await widgetRoutes(asset).request('/widget/demo');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('No demo site key');
    expect(html).not.toContain('data-site-key="');
  });

  it('reads a site key given as a function on every request', async () => {
    let key: string | undefined;
    const late = widgetRoutes(asset, { demoSiteKey: () => key });
    expect(await (await late.request('/widget/demo')).text()).toContain('No demo site key');
    key = 'pk_late_456';
    expect(await (await late.request('/widget/demo')).text()).toContain('data-site-key="pk_late_456"');
  });

  it('escapes the site key', async () => {
    const html = await (
      await widgetRoutes(asset, { demoSiteKey: '"><script>x</script>' }).request('/widget/demo')
    ).text();
    expect(html).not.toContain('<script>x');
    expect(html).toContain('data-site-key="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
  });

  it('serves its script and styles as files', async () => {
    const js = await app.request('/widget/demo.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain('Signpost.match');
    const css = await app.request('/widget/demo.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
  });
});
