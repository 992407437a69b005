import type { OpenAPIHono } from '@hono/zod-openapi';
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
import { withBase } from './base.js';
import type { AdminDeps, AppDeps } from './deps.js';
import { limitBody } from './match.js';
import { type AppEnv, router } from './openapi.js';
import { createPartnerApp, mountPartner, type PartnerSurface, partnerSurface } from './partner-app.js';
import { documentPartnerRoutes } from './partner-openapi.js';

/** API Gateway's own payload limit: an admin body past it could never be sent on AWS either. */
export const ADMIN_BODY_LIMIT = 10 * 1024 * 1024;

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

/** The admin function: /admin/v1/*, the admin page, and the OpenAPI document of every route. */
export function createAdminApp(deps: AppDeps) {
  const app = withBase(router(), deps.logger);
  mountAdmin(app, deps, () => {});
  // The document describes every route, partner ones included, so it is generated from the whole app once.
  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= createApp(deps).getOpenAPI31Document(openApiConfig);
    return c.json(document);
  });
  return app;
}

/**
 * Everything in one app: the local server and the tests. The local server passes the partner surface it also
 * serves /v1/match from directly, so both share one key cache.
 */
export function createApp(deps: AppDeps, partner: PartnerSurface = partnerSurface(deps)) {
  const app = withBase(router(), deps.logger);
  mountPartner(app, deps, partner);
  mountAdmin(app, deps, () => partner.auth.invalidate());
  documentPartnerRoutes(app);
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

export { createPartnerApp };
