import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../core/ports.js';
import { auditRoutes } from './admin/audit.js';
import { requireAdmin } from './admin/auth.js';
import { campaignRoutes } from './admin/campaigns.js';
import { explainRoutes } from './admin/explain.js';
import { importRoutes } from './admin/import.js';
import { partnerRoutes } from './admin/partners.js';
import { publishRoutes } from './admin/publish.js';
import { reportRoutes } from './admin/reports.js';
import { versionRoutes } from './admin/versions.js';
import { adminPageRoutes } from './admin-page.js';
import type { AdminDeps, AppDeps, PartnerDeps } from './deps.js';
import { errorHandler, notFound } from './errors.js';
import { eventRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { limitBody, matchRoutes } from './match.js';
import { type AppEnv, router } from './openapi.js';
import { PartnerAuthenticator } from './partner-auth.js';
import { DEFAULT_RATE_LIMITS } from './rate-limit.js';
import { rulesRoutes } from './rules.js';
import { widgetRoutes } from './widget.js';

/** API Gateway's own payload limit: an admin body past it could never be sent on AWS either. */
export const ADMIN_BODY_LIMIT = 10 * 1024 * 1024;

/** Headers every answer carries. No cross-origin isolation headers: the widget is loaded from partner pages. */
const baseHeaders: MiddlewareHandler = async (c, next) => {
  // Set before the handler runs, so they go out with its answer: a header set on a finished answer makes Hono
  // rebuild it around a web stream, which cost more than the whole match on the local server.
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  await next();
};

/** One line per request: method, route pattern, status and time. Never the URL's query, the body or the caller. */
const accessLog =
  (logger: Logger): MiddlewareHandler =>
  async (c, next) => {
    const started = performance.now();
    await next();
    logger.debug('request', {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
  };

function base(logger: Logger) {
  const app = router();
  app.use('*', baseHeaders, accessLog(logger));
  app.onError(errorHandler(logger));
  app.notFound(notFound);
  return app;
}

function mountPartner(app: OpenAPIHono<AppEnv>, deps: PartnerDeps): PartnerAuthenticator {
  const auth = new PartnerAuthenticator(deps.partners, deps.partnerCacheMs ?? 10_000, {
    lookupBudgetMs: deps.partnerLookupBudgetMs,
    rateLimits: deps.rateLimits ?? DEFAULT_RATE_LIMITS,
    metrics: deps.metrics,
  });
  app.route('/', healthRoutes(deps.live));
  app.route('/', matchRoutes(deps, auth));
  app.route('/', eventRoutes(deps, auth));
  app.route('/', rulesRoutes(deps, auth));
  const widget = deps.widget;
  // The demo site key is known only once the local server listens, after the app is built: read it late.
  if (widget) app.route('/', widgetRoutes(widget.asset, { demoSiteKey: () => widget.demoSiteKey }));
  return auth;
}

function mountAdmin(app: OpenAPIHono<AppEnv>, deps: AdminDeps, onPartnerChange: () => void) {
  // Authenticated first, so nobody else's body is read at all; then no admin body past what API Gateway takes.
  app.use('/admin/v1/*', requireAdmin(deps.adminAuth), limitBody(ADMIN_BODY_LIMIT));
  app.route('/', campaignRoutes(deps));
  app.route('/', publishRoutes(deps));
  app.route('/', partnerRoutes(deps, onPartnerChange));
  app.route('/', versionRoutes(deps));
  app.route('/', explainRoutes(deps));
  app.route('/', importRoutes(deps));
  app.route('/', auditRoutes(deps));
  app.route('/', reportRoutes(deps));
  if (deps.adminPage) app.route('/', adminPageRoutes(deps.adminPage.asset, { auth: deps.adminPage.auth }));
}

const openApiConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Signpost',
    version: '1',
    description: 'Search-triggered help messages for people at risk of human trafficking.',
  },
};

/** The partner-facing function: match, banner, events, rules, widget, health. No admin code. */
export function createPartnerApp(deps: PartnerDeps) {
  const app = base(deps.logger);
  mountPartner(app, deps);
  return app;
}

/** The admin function: /admin/v1/*, the admin page, and the OpenAPI document of every route. */
export function createAdminApp(deps: AppDeps) {
  const app = base(deps.logger);
  mountAdmin(app, deps, () => {});
  // The document describes every route, partner ones included, so it is generated from the whole app once.
  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= createApp(deps).getOpenAPI31Document(openApiConfig);
    return c.json(document);
  });
  return app;
}

/** Everything in one app: the local server and the tests. */
export function createApp(deps: AppDeps) {
  const app = base(deps.logger);
  const auth = mountPartner(app, deps);
  mountAdmin(app, deps, () => auth.invalidate());
  documentFiles(app, deps);
  app.doc31('/openapi.json', openApiConfig);
  return app;
}

/**
 * Routes that serve files rather than JSON (the widget, the admin page, this document) are plain Hono routes;
 * they are described here so that /openapi.json lists every route the app serves (test/unit/openapi.test.ts).
 */
function documentFiles(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const file = (path: string, type: string, summary: string) =>
    app.openAPIRegistry.registerPath({
      method: 'get',
      path,
      summary,
      responses: { 200: { description: summary, content: { [type]: { schema: { type: 'string' } } } } },
    });
  const js = 'text/javascript';
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document: OpenAPI 3.1, generated from the schemas that validate the requests',
    responses: {
      200: { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } },
    },
  });
  if (deps.widget) {
    file('/widget/v1.js', js, 'The widget script (cached a day)');
    file('/widget.js', js, 'The widget script, the same as /widget/v1.js');
    file(
      '/widget/{file}',
      js,
      'The widget script under its content-hashed name, v1.<hash>.js, cached for good',
    );
    file('/widget/v1.js.sri', 'text/plain', 'The Subresource Integrity value of the current widget script');
    file('/widget/demo', 'text/html', 'A page that shows the widget at work');
    file('/widget/demo.js', js, "The demo page's script");
    file('/widget/demo.css', 'text/css', "The demo page's styles");
  }
  if (deps.adminPage) {
    file('/admin', 'text/html', 'The admin page');
    file('/admin/', 'text/html', 'Redirects to /admin');
    file('/admin/config.json', 'application/json', 'How the admin page signs in');
    file('/admin/assets/{name}', js, "The admin page's scripts and styles");
  }
}
