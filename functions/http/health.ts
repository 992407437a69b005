import { Hono } from 'hono';
import type { LiveRuleset } from '../core/live-ruleset.js';
import type { AppEnv } from './env.js';

/** `GET /healthz`: liveness, and the ruleset version being served. Documented in partner-openapi.ts. */
export function healthRoutes(live: LiveRuleset) {
  const app = new Hono<AppEnv>();
  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' as const, rulesetVersion: (await live.current()).version }, 200);
  });
  return app;
}
