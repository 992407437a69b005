import { createRoute, z } from '@hono/zod-openapi';
import { publishAudited } from '../../core/audit.js';
import type { AdminDeps } from '../deps.js';
import { errorResponse, router } from '../openapi.js';

const PublishedOut = z
  .object({
    version: z.number().int(),
    publishedAt: z.string(),
    publishedBy: z.string(),
    campaigns: z.number().int(),
    keywords: z.number().int(),
  })
  .openapi('PublishedVersion');

export function publishRoutes(deps: AdminDeps) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/publish',
      summary: 'Publish the current drafts as a new, immutable ruleset version',
      responses: {
        201: {
          description: 'Published and live.',
          content: { 'application/json': { schema: PublishedOut } },
        },
        401: errorResponse('No valid admin token.'),
      },
    }),
    async (c) => {
      const drafts = await deps.campaigns.list();
      const campaigns = drafts.map((stored) => stored.campaign).sort((a, b) => (a.id < b.id ? -1 : 1));
      const { ruleset } = await publishAudited(deps, {
        publishedAt: deps.clock.now().toISOString(),
        publishedBy: c.get('admin').id,
        campaigns,
      });
      // Live at once for this instance; other instances see it at their next version check.
      await deps.live.refresh();
      return c.json(
        {
          version: ruleset.version,
          publishedAt: ruleset.publishedAt,
          publishedBy: ruleset.publishedBy,
          campaigns: campaigns.length,
          keywords: campaigns.reduce((sum, campaign) => sum + campaign.keywords.length, 0),
        },
        201,
      );
    },
  );
  return app;
}
