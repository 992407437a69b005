import { createRoute, z } from '@hono/zod-openapi';
import {
  buildReport,
  GROUP_BY,
  MAX_DAILY_DAYS,
  MAX_HOURLY_DAYS,
  ReportQuerySchema,
  reportCsv,
} from '../../core/reports.js';
import type { AdminDeps } from '../deps.js';
import { validationError } from '../errors.js';
import { errorResponse, router } from '../openapi.js';

const Actions = z.object({
  call: z.number(),
  text: z.number(),
  link: z.number(),
  dismiss: z.number(),
  exit: z.number(),
});
const Row = z
  .object({
    day: z.string().optional(),
    hour: z.string().optional(),
    campaignId: z.string().optional(),
    keywordId: z.string().nullable().optional(),
    partnerId: z.string().optional(),
    locale: z.string().nullable().optional(),
    region: z.string().nullable().optional(),
    served: z.number(),
    impressions: z.number(),
    actions: Actions,
  })
  .openapi('ReportRow');
const ReportOut = z
  .object({
    range: z.object({ start: z.string(), end: z.string() }),
    groupBy: z.array(z.enum(GROUP_BY)),
    rows: z.array(Row),
    totals: z.object({ served: z.number(), impressions: z.number(), actions: Actions }),
  })
  .openapi('Report');

const reportRoute = createRoute({
  method: 'get',
  path: '/admin/v1/reports',
  summary: 'Served, impressions and actions, summed over a date range and grouped',
  description:
    '`from` and `to`: dates (the whole UTC day) or ISO 8601 times with a zone (their hour), both included; at most ' +
    `${MAX_HOURLY_DAYS} days when grouped by hour, ${MAX_DAILY_DAYS} otherwise. \`groupBy\`: any of ${GROUP_BY.join(', ')}, ` +
    'comma-separated; none gives one row of totals.',
  request: {
    query: z.object({
      from: z.string().openapi({ example: '2026-11-01' }),
      to: z.string().openapi({ example: '2026-11-30' }),
      groupBy: z.string().optional().openapi({ example: 'day,campaign' }),
    }),
  },
  responses: {
    200: {
      description: 'One row per group; `Accept: text/csv` answers the same rows as CSV.',
      content: { 'application/json': { schema: ReportOut }, 'text/csv': { schema: z.string() } },
    },
    400: errorResponse('The dates or groupBy are not valid, or the range is too long.'),
    401: errorResponse('No valid admin token.'),
  },
});

/** `GET /admin/v1/reports`: built from the counters only; nothing in them says who searched or what. */
export function reportRoutes(deps: AdminDeps) {
  const app = router();
  app.openapi(reportRoute, async (c) => {
    const parsed = ReportQuerySchema.safeParse(c.req.valid('query'));
    if (!parsed.success) throw validationError(parsed.error, 'request query');
    if (!deps.reports) throw new Error('Reports are not configured.');
    const report = await buildReport(deps.reports, parsed.data);
    c.header('Cache-Control', 'no-store');
    c.header('Vary', 'Accept');
    if (wantsCsv(c.req.header('accept'))) {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header(
        'Content-Disposition',
        `attachment; filename="signpost-report-${report.range.start.slice(0, 10)}.csv"`,
      );
      return c.body(reportCsv(report), 200);
    }
    return c.json(report, 200);
  });
  return app;
}

/** CSV when the caller prefers it to JSON: `text/csv` listed, and JSON not ranked above it. */
function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const quality = (type: string) => {
    for (const part of accept.split(',')) {
      const [media, ...params] = part.trim().split(';');
      if (media?.trim().toLowerCase() !== type) continue;
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return q ? Number(q.slice(2)) || 0 : 1;
    }
    return -1;
  };
  const csv = quality('text/csv');
  return csv > 0 && csv >= quality('application/json');
}
