import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  AUDIT_ACTIONS,
  AUDIT_TARGET_TYPES,
  auditMissingPublishes,
  parseAuditTarget,
} from '../../core/audit.js';
import { ValidationError } from '../../core/errors.js';
import type { AdminDeps } from '../deps.js';
import { type AppEnv, errorResponse, router } from '../openapi.js';

/** When, who and the entry id of a change an admin is making: what every route's audit note starts from. */
export function auditBase(c: Context<AppEnv>, deps: Pick<AdminDeps, 'ids' | 'clock'>) {
  return { id: deps.ids.next('aud'), at: deps.clock.now(), actor: c.get('admin').id };
}

/** An ISO 8601 date (`2026-11-01`, midnight UTC) or date-time, as the UTC instant the audit compares with. */
const Instant = z
  .string()
  .max(40)
  .regex(
    /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/,
    'A time is ISO 8601, such as "2026-11-01" or "2026-11-01T12:00:00Z".',
  )
  .transform((value, ctx) => {
    const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
    // Date.parse rolls 2026-02-30 over to March; a date that does not exist is refused instead.
    const [y, m, d] = value.slice(0, 10).split('-').map(Number);
    const day = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
    if (Number.isNaN(ms) || day.getUTCMonth() !== (m ?? 1) - 1 || day.getUTCDate() !== d) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a date or time that exists.` });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

const AuditQuerySchema = z.object({
  target: z.string().max(80).optional().openapi({
    description: 'A campaign id (`cmp_...`), a partner id (`ptn_...`) or `ruleset` (published versions).',
  }),
  from: Instant.optional().openapi({ description: 'Entries at or after this time (UTC).' }),
  to: Instant.optional().openapi({ description: 'Entries before this time (UTC).' }),
  limit: z.coerce.number().int().min(1, 'A limit is 1 to 200.').max(200, 'A limit is 1 to 200.').default(50),
  cursor: z.string().max(2048).optional().openapi({ description: 'The `next` of the previous page.' }),
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string().openapi({ description: 'When, ISO 8601 UTC.' }),
    actor: z.string().openapi({ description: 'Who: the admin identity.' }),
    action: z.enum(AUDIT_ACTIONS),
    target: z.object({ type: z.enum(AUDIT_TARGET_TYPES), id: z.string(), revision: z.number().int() }),
    summary: z.string(),
    changes: z.record(z.string(), z.unknown()).openapi({
      description: 'Before and after of each changed field; keyword counts with samples; never a secret.',
    }),
  })
  .openapi('AuditEntry');

export function auditRoutes(deps: AdminDeps) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/audit',
      summary: 'Every change, newest first: when, who, what, and before and after',
      request: { query: AuditQuerySchema },
      responses: {
        200: {
          description: 'One page of entries; `next` fetches the following one.',
          content: {
            'application/json': {
              schema: z.object({ entries: z.array(AuditEntrySchema), next: z.string().nullable() }),
            },
          },
        },
        400: errorResponse('A filter or the cursor is not valid.'),
        401: errorResponse('No valid admin token.'),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const target = query.target === undefined ? undefined : parseAuditTarget(query.target);
      if (target === null) {
        throw new ValidationError(
          'A target is a campaign id ("cmp_..."), a partner id ("ptn_...") or "ruleset".',
        );
      }
      if (query.from && query.to && query.from >= query.to) {
        throw new ValidationError('"from" must be before "to".');
      }
      // The first page brings published versions into the log should a publish have stopped before its entry.
      if (!query.cursor) await auditMissingPublishes(deps);
      const page = await deps.audit.list({
        limit: query.limit,
        ...(target && { target }),
        ...(query.from && { from: query.from }),
        ...(query.to && { to: query.to }),
        ...(query.cursor && { cursor: query.cursor }),
      });
      c.header('Cache-Control', 'no-store');
      return c.json({ entries: page.entries, next: page.next }, 200);
    },
  );
  return app;
}
