import type { OpenAPIHono } from '@hono/zod-openapi';
import { base } from './base.js';
import type { PartnerDeps } from './deps.js';
import { eventRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { matchRoutes } from './match.js';
import type { AppEnv } from './openapi.js';
import { PartnerAuthenticator } from './partner-auth.js';
import { DEFAULT_RATE_LIMITS } from './rate-limit.js';
import { rulesRoutes } from './rules.js';
import { widgetRoutes } from './widget.js';

/**
 * The partner-facing surface, in a module of its own so the hot function's bundle holds no admin code
 * (functions/lambda/partner.ts imports only this).
 */
export function mountPartner(app: OpenAPIHono<AppEnv>, deps: PartnerDeps): PartnerAuthenticator {
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

/** The partner-facing function: match, banner, events, rules, widget, health. No admin code. */
export function createPartnerApp(deps: PartnerDeps) {
  const app = base(deps.logger);
  mountPartner(app, deps);
  return app;
}
