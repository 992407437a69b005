import { createRoute, z } from '@hono/zod-openapi';
import {
  type AuditEntry,
  auditMissingPublishes,
  auditPublish,
  publishAudited,
  RULESET_TARGET,
} from '../../core/audit.js';
import type { VersionChanges } from '../../core/diff.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { RulesetSummary } from '../../core/ports.js';
import type { AdminDeps } from '../deps.js';
import { errorResponse, router } from '../openapi.js';

const VersionParam = z.object({
  n: z.coerce
    .number({ message: 'A version is a whole number such as 7.' })
    .int('A version is a whole number such as 7.')
    .min(1, 'Versions start at 1.')
    .max(1e12)
    .openapi({ param: { name: 'n', in: 'path' }, example: 7 }),
});

const ChangesSchema = z
  .object({
    campaigns: z.object({
      added: z.array(z.object({ id: z.string(), name: z.string() })),
      removed: z.array(z.object({ id: z.string(), name: z.string() })),
      changed: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          fields: z.array(z.string()),
          keywords: z.object({ added: z.number(), removed: z.number(), changed: z.number() }),
        }),
      ),
      counts: z.object({ added: z.number(), removed: z.number(), changed: z.number() }),
    }),
    keywords: z.object({ added: z.number(), removed: z.number(), changed: z.number() }),
  })
  .openapi('VersionChanges', { description: 'What this version changed against the one before it.' });

const VersionOut = z
  .object({
    version: z.number().int(),
    publishedAt: z.string(),
    publishedBy: z.string(),
    restoredFrom: z.number().int().nullable(),
    campaigns: z.number().int(),
    keywords: z.number().int(),
    live: z.boolean(),
    summary: z.string().nullable(),
    changes: ChangesSchema.nullable(),
  })
  .openapi('Version');

const RulesetOut = z
  .object({
    version: z.number().int(),
    publishedAt: z.string(),
    publishedBy: z.string(),
    restoredFrom: z.number().int().optional(),
    campaigns: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('PublishedRuleset');

const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});
const unauthorized = errorResponse('No valid admin token.');

/** Published versions: listed with what each changed, read whole, and restored (published again as a new version). */
export function versionRoutes(deps: AdminDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/versions',
      summary: 'Published versions, newest first, each with what it changed against the one before',
      request: {
        query: z.object({
          limit: z.coerce
            .number()
            .int()
            .min(1, 'A limit is 1 to 200.')
            .max(200, 'A limit is 1 to 200.')
            .default(50),
          before: z.coerce
            .number()
            .int()
            .min(1)
            .optional()
            .openapi({ description: 'Only versions older than this one: the `next` of the previous page.' }),
        }),
      },
      responses: {
        200: json(
          'One page of versions.',
          z.object({
            live: z.number().int().nullable(),
            versions: z.array(VersionOut),
            next: z.number().int().nullable(),
          }),
        ),
        400: errorResponse('A parameter is not valid.'),
        401: unauthorized,
      },
    }),
    async (c) => {
      const { limit, before } = c.req.valid('query');
      const all = await deps.rulesets.list();
      const live = all[0]?.version ?? null;
      if (before === undefined) await auditMissingPublishes(deps, live);
      const older = before === undefined ? all : all.filter((v) => v.version < before);
      const page = older.slice(0, limit);
      const entries = await Promise.all(page.map((v) => entryOf(deps, v)));
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          live,
          versions: page.map((v, i) => {
            const entry = entries[i];
            return {
              version: v.version,
              publishedAt: v.publishedAt,
              publishedBy: v.publishedBy,
              restoredFrom: v.restoredFrom ?? null,
              campaigns: v.campaigns,
              keywords: v.keywords,
              live: v.version === live,
              summary: entry?.summary ?? null,
              changes: versionChanges(entry),
            };
          }),
          next: older.length > limit ? (page[page.length - 1]?.version ?? null) : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/versions/{n}',
      summary: 'One published version, whole',
      request: { params: VersionParam },
      responses: {
        200: json('The version.', RulesetOut),
        400: errorResponse('Not a version number.'),
        401: unauthorized,
        404: errorResponse('No such version.'),
      },
    }),
    async (c) => {
      const { n } = c.req.valid('param');
      const ruleset = await deps.rulesets.get(n);
      if (!ruleset)
        throw new NotFoundError(`There is no published version ${n}; GET /admin/v1/versions lists them.`);
      c.header('ETag', `"${ruleset.version}"`);
      return c.json({ ...ruleset, campaigns: ruleset.campaigns.map((campaign) => ({ ...campaign })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/versions/{n}/restore',
      summary: 'Publish version n again, as a new version, live at once (drafts are left as they are)',
      request: { params: VersionParam },
      responses: {
        201: json(
          'Published again as a new version.',
          VersionOut.omit({ live: true }).extend({ restoredFrom: z.number().int() }),
        ),
        400: errorResponse('Not a version number.'),
        401: unauthorized,
        404: errorResponse('No such version.'),
        409: errorResponse('That version is the live one already.'),
      },
    }),
    async (c) => {
      const { n } = c.req.valid('param');
      const old = await deps.rulesets.get(n);
      if (!old)
        throw new NotFoundError(`There is no published version ${n}; GET /admin/v1/versions lists them.`);
      const live = await deps.rulesets.liveVersion();
      if (live === n)
        throw new ConflictError(`Version ${n} is already the live version; there is nothing to restore.`);
      const { ruleset, entry } = await publishAudited(deps, {
        publishedAt: deps.clock.now().toISOString(),
        publishedBy: c.get('admin').id,
        restoredFrom: n,
        campaigns: old.campaigns,
      });
      // Live at once for this instance; other instances see it at their next version check.
      await deps.live.refresh();
      c.header('Location', `/admin/v1/versions/${ruleset.version}`);
      return c.json(
        {
          version: ruleset.version,
          publishedAt: ruleset.publishedAt,
          publishedBy: ruleset.publishedBy,
          restoredFrom: n,
          campaigns: ruleset.campaigns.length,
          keywords: ruleset.campaigns.reduce((sum, campaign) => sum + campaign.keywords.length, 0),
          summary: entry?.summary ?? null,
          changes: versionChanges(entry),
        },
        201,
      );
    },
  );

  return app;
}

/** The changes of a publish entry (an entry recorded without details has none). */
function versionChanges(entry: AuditEntry | null | undefined): VersionChanges | null {
  const changes = entry?.changes;
  return changes && 'campaigns' in changes && !('truncated' in changes) ? changes : null;
}

/** The audit entry of a version, recorded now from the stored versions should it be missing. */
async function entryOf(deps: AdminDeps, version: RulesetSummary): Promise<AuditEntry | null> {
  const entry = await deps.audit.get(RULESET_TARGET, version.version);
  if (entry) return entry;
  const ruleset = await deps.rulesets.get(version.version);
  return ruleset ? auditPublish(deps, ruleset) : null;
}
