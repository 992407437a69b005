import { createRoute, z } from '@hono/zod-openapi';
import type { LiveRuleset } from '../core/live-ruleset.js';
import { router } from './openapi.js';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness, and the ruleset version being served',
  responses: {
    200: {
      description: 'Serving.',
      content: {
        'application/json': {
          schema: z.object({ status: z.literal('ok'), rulesetVersion: z.number().int() }),
        },
      },
    },
  },
});

export function healthRoutes(live: LiveRuleset) {
  const app = router();
  app.openapi(healthRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' as const, rulesetVersion: (await live.current()).version }, 200);
  });
  return app;
}
