import { Hono } from 'hono';
import { withBase } from './base.js';
import type { PartnerDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { eventRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { HelpEndpoint } from './help.js';
import { matchRoutes } from './match.js';
import { PartnerAuthenticator } from './partner-auth.js';
import { DEFAULT_RATE_LIMITS } from './rate-limit.js';
import { rulesRoutes } from './rules.js';
import { widgetRoutes } from './widget.js';

/** The partner surface's shared state: one key cache and rate limiter, and the help routes built on them. */
export interface PartnerSurface {
  auth: PartnerAuthenticator;
  help: HelpEndpoint;
}

export function partnerSurface(deps: PartnerDeps): PartnerSurface {
  const auth = new PartnerAuthenticator(deps.partners, deps.partnerCacheMs ?? 10_000, {
    lookupBudgetMs: deps.partnerLookupBudgetMs,
    rateLimits: deps.rateLimits ?? DEFAULT_RATE_LIMITS,
    metrics: deps.metrics,
  });
  return { auth, help: new HelpEndpoint(deps, auth) };
}

/**
 * The partner-facing routes, in a module of their own so the hot function's bundle holds no admin code and no
 * OpenAPI machinery (functions/lambda/partner.ts imports only this; partner-openapi.ts documents them).
 */
export function mountPartner(app: Hono<AppEnv>, deps: PartnerDeps, surface: PartnerSurface): void {
  const { auth, help } = surface;
  app.route('/', healthRoutes(deps.live));
  app.route('/', matchRoutes(help, auth));
  app.route('/', eventRoutes(deps, auth));
  app.route('/', rulesRoutes(deps, auth));
  const widget = deps.widget;
  // The demo site key is known only once the local server listens, after the app is built: read it late.
  if (widget) app.route('/', widgetRoutes(widget.asset, { demoSiteKey: () => widget.demoSiteKey }));
}

/** The partner-facing function: match, banner, events, rules, widget, health. No admin code. */
export function createPartnerApp(deps: PartnerDeps) {
  const app = withBase(new Hono<AppEnv>(), deps.logger);
  mountPartner(app, deps, partnerSurface(deps));
  return app;
}
