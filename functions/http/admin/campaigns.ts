import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { campaignNote } from '../../core/audit.js';
import { campaignFromInput } from '../../core/campaigns.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { StoredCampaign } from '../../core/model.js';
import { CampaignInputSchema } from '../../core/schemas.js';
import type { AdminDeps } from '../deps.js';
import { type AppEnv, errorResponse, jsonBody, router } from '../openapi.js';
import { auditBase } from './audit.js';
import { etag, expectedRevision } from './auth.js';

const IdParam = z.object({
  id: z.string().regex(/^cmp_[A-Za-z0-9_-]{1,64}$/, 'A campaign id looks like "cmp_...".'),
});
const CampaignOut = z.record(z.string(), z.unknown()).openapi('Campaign');
const CampaignIn = CampaignInputSchema.openapi('CampaignInput');
const ifMatch = z.object({ 'if-match': z.string().optional() });

const campaignResponse = (description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' as const } } },
  content: { 'application/json': { schema: CampaignOut } },
});
const common = {
  400: errorResponse('The campaign is not valid.'),
  401: errorResponse('No valid admin token.'),
  404: errorResponse('No such campaign.'),
};

export function campaignRoutes(deps: AdminDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/campaigns',
      summary: 'Every draft campaign',
      responses: {
        200: {
          description: 'The campaigns, by id.',
          content: { 'application/json': { schema: z.object({ campaigns: z.array(CampaignOut) }) } },
        },
        401: common[401],
      },
    }),
    async (c) => {
      const stored = await deps.campaigns.list();
      stored.sort((a, b) => (a.campaign.id < b.campaign.id ? -1 : 1));
      return c.json({ campaigns: stored.map(representation) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/campaigns',
      summary: 'Create a draft campaign',
      request: { body: jsonBody(CampaignIn) },
      responses: { 201: campaignResponse('Created.'), 400: common[400], 401: common[401] },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if (input.id !== undefined)
        throw new ValidationError('Leave "id" out when creating a campaign; one is made for it.');
      const campaign = campaignFromInput(input, deps.ids.next('cmp'), deps.ids);
      const note = campaignNote(auditBase(c, deps), 'campaign.create', null, campaign);
      const stored = await deps.campaigns.create(campaign, c.get('admin').id, note);
      c.header('Location', `/admin/v1/campaigns/${campaign.id}`);
      return send(c, stored, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/campaigns/{id}',
      summary: 'One draft campaign, with its ETag',
      request: { params: IdParam },
      responses: { 200: campaignResponse('The campaign.'), 401: common[401], 404: common[404] },
    }),
    async (c) => send(c, await load(deps, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/v1/campaigns/{id}',
      summary: 'Replace a draft campaign (needs If-Match)',
      request: { params: IdParam, headers: ifMatch, body: jsonBody(CampaignIn) },
      responses: {
        200: campaignResponse('Replaced.'),
        ...common,
        412: errorResponse('Someone else changed it first.'),
        428: errorResponse('If-Match is missing.'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const revision = expectedRevision(c.req.header('if-match'), 'campaign');
      const input = c.req.valid('json');
      if (input.id !== undefined && input.id !== id) {
        throw new ValidationError(`The body's id ${input.id} is not the campaign in the path, ${id}.`);
      }
      const current = await load(deps, id);
      const campaign = campaignFromInput(input, id, deps.ids, current.campaign);
      // Saved only when `revision` is still current, so `current` is exactly what the note's diff starts from.
      const note = campaignNote(auditBase(c, deps), 'campaign.update', current.campaign, campaign);
      return send(c, await deps.campaigns.update(campaign, revision, c.get('admin').id, note), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/v1/campaigns/{id}',
      summary: 'Delete a draft campaign (needs If-Match)',
      request: { params: IdParam, headers: ifMatch },
      responses: {
        204: { description: 'Deleted.' },
        401: common[401],
        404: common[404],
        412: errorResponse('Someone else changed it first.'),
        428: errorResponse('If-Match is missing.'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const revision = expectedRevision(c.req.header('if-match'), 'campaign');
      const current = await load(deps, id);
      await deps.campaigns.delete(
        id,
        revision,
        campaignNote(auditBase(c, deps), 'campaign.delete', current.campaign, null),
      );
      return c.body(null, 204);
    },
  );

  return app;
}

export async function load(deps: Pick<AdminDeps, 'campaigns'>, id: string): Promise<StoredCampaign> {
  const stored = await deps.campaigns.get(id);
  if (!stored) throw new NotFoundError(`There is no campaign ${id}.`);
  return stored;
}

export function representation(stored: StoredCampaign) {
  return {
    ...stored.campaign,
    revision: stored.revision,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

function send<S extends 200 | 201>(c: Context<AppEnv>, stored: StoredCampaign, status: S) {
  c.header('ETag', etag(stored.revision));
  c.header('Cache-Control', 'no-store');
  return c.json(representation(stored), status);
}
