/**
 * Reports: the hourly counters between two dates, summed over their shards and grouped by any of day, hour,
 * campaign, keyword, partner, locale and region, as rows of served, impressions and actions by action.
 * Counters hold no query text and no one's identity, so neither can a report.
 */
import { z } from 'zod';
import { COUNTER_FIELDS, EVENT_ACTIONS, HOUR_MS } from './counters.js';
import { ValidationError } from './errors.js';
import type { CounterReader, Counts, EventAction } from './ports.js';

export const GROUP_BY = ['day', 'hour', 'campaign', 'keyword', 'partner', 'locale', 'region'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** A year at hourly grain (366 days, for leap years), ten years at daily grain (with their leap days). */
export const MAX_HOURLY_DAYS = 366;
export const MAX_DAILY_DAYS = 3653;
/** More rows than a person can read or a browser can hold comfortably: narrow the query instead. */
export const MAX_REPORT_ROWS = 100_000;

export interface ReportQuery {
  /** First and last hour included, in whole hours since the Unix epoch. */
  fromHour: number;
  toHour: number;
  groupBy: GroupBy[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A date (the whole day, UTC) or an ISO 8601 time with a zone (its hour), as the first or last hour included. */
function parseBound(value: string, end: boolean): number | null {
  if (DAY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) return null;
    return ms / HOUR_MS + (end ? 23 : 0);
  }
  if (!TIME.test(value)) return null;
  // `2026-11-01T05Z` is ISO 8601 but not something Date.parse reads: give it minutes.
  const ms = Date.parse(/T\d{2}(Z|[+-])/.test(value) ? value.replace(/T(\d{2})/, 'T$1:00') : value);
  return Number.isNaN(ms) ? null : Math.floor(ms / HOUR_MS);
}

const bound = (end: boolean) =>
  z
    .string({ message: 'Give a date such as "2026-11-01" or a time such as "2026-11-01T05:00:00Z".' })
    .max(40)
    .transform((value, ctx) => {
      const hour = parseBound(value, end);
      if (hour === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is not a date such as "2026-11-01" or an ISO 8601 time with a zone.`,
        });
        return z.NEVER;
      }
      return hour;
    });

const GroupByList = z
  .string()
  .max(200)
  .optional()
  .transform((value, ctx) => {
    const items = (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const out: GroupBy[] = [];
    for (const item of items) {
      if (!(GROUP_BY as readonly string[]).includes(item)) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not one of ${GROUP_BY.join(', ')}.` });
        return z.NEVER;
      }
      if (!out.includes(item as GroupBy)) out.push(item as GroupBy);
    }
    return out;
  });

/** The query string of `GET /admin/v1/reports`: `from` and `to` included, `groupBy` a comma-separated list. */
export const ReportQuerySchema = z
  .object({ from: bound(false), to: bound(true), groupBy: GroupByList })
  .transform(({ from, to, groupBy }, ctx): ReportQuery => {
    if (to < from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: '"to" must not be before "from".' });
      return z.NEVER;
    }
    const hourly = groupBy.includes('hour');
    const maxDays = hourly ? MAX_HOURLY_DAYS : MAX_DAILY_DAYS;
    if (to - from + 1 > maxDays * 24) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: hourly
          ? `An hourly report covers at most ${MAX_HOURLY_DAYS} days; shorten the range or group by day.`
          : `A report covers at most ${MAX_DAILY_DAYS} days (ten years); shorten the range.`,
      });
      return z.NEVER;
    }
    return { fromHour: from, toHour: to, groupBy };
  });

export type ActionCounts = Record<EventAction, number>;

export interface ReportRow {
  day?: string;
  hour?: string;
  campaignId?: string;
  keywordId?: string | null;
  partnerId?: string;
  locale?: string | null;
  region?: string | null;
  served: number;
  impressions: number;
  actions: ActionCounts;
}

export interface Report {
  /** The hours covered: from `start` (included) to `end` (excluded), UTC. */
  range: { start: string; end: string };
  groupBy: GroupBy[];
  rows: ReportRow[];
  totals: { served: number; impressions: number; actions: ActionCounts };
}

const emptyActions = (): ActionCounts => ({ call: 0, text: 0, link: 0, dismiss: 0, exit: 0 });
const iso = (hour: number) => new Date(hour * HOUR_MS).toISOString().replace('.000Z', 'Z');

/** Reads the counters of the query's range and sums them into its groups. */
export async function buildReport(
  reader: CounterReader,
  query: ReportQuery,
  maxRows = MAX_REPORT_ROWS,
): Promise<Report> {
  const { fromHour, toHour, groupBy } = query;
  const has = new Set(groupBy);
  const groups = new Map<string, { row: ReportRow; order: (string | null)[] }>();
  const totals = { served: 0, impressions: 0, actions: emptyActions() };

  for await (const page of reader.read(fromHour, toHour)) {
    for (const { key, counts } of page) {
      if (key.hour < fromHour || key.hour > toHour) continue;
      const dims = {
        day: has.has('day') ? iso(key.hour).slice(0, 10) : undefined,
        hour: has.has('hour') ? iso(key.hour) : undefined,
        campaignId: has.has('campaign') ? key.campaignId : undefined,
        keywordId: has.has('keyword') ? key.keywordId : undefined,
        partnerId: has.has('partner') ? key.partnerId : undefined,
        locale: has.has('locale') ? key.locale || null : undefined,
        region: has.has('region') ? key.region || null : undefined,
      };
      const order = Object.values(dims).filter((v) => v !== undefined) as (string | null)[];
      const id = JSON.stringify(order);
      let group = groups.get(id);
      if (!group) {
        if (groups.size >= maxRows) {
          throw new ValidationError(
            `This report has more than ${maxRows} rows; shorten the range or group by fewer fields.`,
          );
        }
        const row: ReportRow = { served: 0, impressions: 0, actions: emptyActions() };
        for (const [name, value] of Object.entries(dims))
          if (value !== undefined) Object.assign(row, { [name]: value });
        group = { row, order };
        groups.set(id, group);
      }
      addCounts(group.row, counts);
      addCounts(totals, counts);
    }
  }

  const rows = [...groups.values()]
    .sort((a, b) => compareOrder(a.order, b.order))
    .map((g) => sortKeys(g.row));
  return {
    range: { start: iso(fromHour), end: iso(toHour + 1) },
    groupBy: GROUP_BY.filter((g) => has.has(g)),
    rows,
    totals,
  };
}

function addCounts(into: { served: number; impressions: number; actions: ActionCounts }, counts: Counts) {
  into.served += counts.served ?? 0;
  into.impressions += counts.impressions ?? 0;
  for (const action of EVENT_ACTIONS) into.actions[action] += counts[action] ?? 0;
}

function compareOrder(a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Group fields first in a fixed order, then the counts, so JSON and CSV read the same way. */
function sortKeys(row: ReportRow): ReportRow {
  const out: Record<string, unknown> = {};
  for (const name of GROUP_COLUMNS) if (name in row) out[name] = row[name];
  return {
    ...(out as Partial<ReportRow>),
    served: row.served,
    impressions: row.impressions,
    actions: row.actions,
  };
}

const GROUP_COLUMNS = ['day', 'hour', 'campaignId', 'keywordId', 'partnerId', 'locale', 'region'] as const;

/** The report as RFC 4180 CSV: the group columns asked for, then served, impressions and one column per action. */
export function reportCsv(report: Report): string {
  const present = GROUP_COLUMNS.filter((_, i) => report.groupBy.includes(GROUP_BY[i] as GroupBy));
  const counts = COUNTER_FIELDS as readonly string[];
  const lines = [[...present, ...counts].join(',')];
  for (const row of report.rows) {
    const cells = present.map((name) => csvCell(row[name] ?? ''));
    cells.push(
      String(row.served),
      String(row.impressions),
      ...EVENT_ACTIONS.map((a) => String(row.actions[a])),
    );
    lines.push(cells.join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Quotes when needed, and defuses cells a spreadsheet would run as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
