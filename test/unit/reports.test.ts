import { describe, expect, it } from 'vitest';
import type { CounterDelta, CounterKey, CounterReader } from '../../functions/core/ports.js';
import { buildReport, ReportQuerySchema, reportCsv } from '../../functions/core/reports.js';
import { createApp } from '../../functions/http/app.js';
import { MemoryStats, memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { send } from '../helpers/http.js';

const hourOf = (iso: string) => Date.parse(iso) / 3_600_000;
const key = (iso: string, over: Partial<CounterKey> = {}): CounterKey => ({
  hour: hourOf(iso),
  campaignId: 'cmp_a',
  keywordId: 'kw_a',
  partnerId: 'ptn_a',
  locale: 'en',
  region: 'US',
  ...over,
});

/** Counters as the store holds them: the same counter may come back once per shard. */
const reader = (deltas: CounterDelta[]): CounterReader => ({
  async *read() {
    yield deltas.slice(0, 2);
    yield deltas.slice(2);
  },
});

const parse = (query: Record<string, string>) => ReportQuerySchema.safeParse(query);
const none = { call: 0, text: 0, link: 0, dismiss: 0, exit: 0 };

describe('report query', () => {
  it('takes dates as whole UTC days and times as their hour, both included', () => {
    expect(parse({ from: '2026-11-01', to: '2026-11-30', groupBy: 'day,campaign' }).data).toEqual({
      fromHour: hourOf('2026-11-01T00:00:00Z'),
      toHour: hourOf('2026-11-30T23:00:00Z'),
      groupBy: ['day', 'campaign'],
    });
    expect(parse({ from: '2026-11-01T05:30:00Z', to: '2026-11-01T07:00:00+02:00' }).data).toEqual({
      fromHour: hourOf('2026-11-01T05:00:00Z'),
      toHour: hourOf('2026-11-01T05:00:00Z'),
      groupBy: [],
    });
    expect(parse({ from: '2026-11-01T05Z', to: '2026-11-01T06Z' }).data?.toHour).toBe(
      hourOf('2026-11-01T06:00:00Z'),
    );
  });

  it('allows a year at hourly grain and ten years at daily grain, and no more', () => {
    expect(parse({ from: '2024-01-01', to: '2024-12-31', groupBy: 'hour' }).success).toBe(true);
    expect(parse({ from: '2025-01-01', to: '2026-01-01', groupBy: 'hour' }).success).toBe(true);
    const hourly = parse({ from: '2025-01-01', to: '2026-01-02', groupBy: 'hour,campaign' });
    expect(hourly.error?.issues[0]?.message).toMatch(/at most 366 days/);
    expect(parse({ from: '2016-01-01', to: '2025-12-31', groupBy: 'day' }).success).toBe(true);
    expect(parse({ from: '2016-01-01', to: '2026-01-01', groupBy: 'day' }).error?.issues[0]?.message).toMatch(
      /ten years/,
    );
    expect(parse({ from: '2016-01-01', to: '2026-01-01' }).success).toBe(false);
  });

  it.each([
    ['to before from', { from: '2026-11-02', to: '2026-11-01' }, /not be before/],
    ['a day that does not exist', { from: '2026-02-30', to: '2026-03-01' }, /not a date/],
    ['a time without a zone', { from: '2026-11-01T05:00:00', to: '2026-11-02' }, /not a date/],
    ['words', { from: 'yesterday', to: '2026-11-02' }, /not a date/],
    [
      'an unknown group',
      { from: '2026-11-01', to: '2026-11-02', groupBy: 'day,query' },
      /"query" is not one of/,
    ],
    ['no from', { to: '2026-11-02' }, /date/],
  ])('refuses %s', (_name, query, message) => {
    const result = parse(query as Record<string, string>);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(' ')).toMatch(message);
  });
});

describe('buildReport', () => {
  const deltas: CounterDelta[] = [
    { key: key('2026-11-01T05:00:00Z'), counts: { served: 10, impressions: 6, call: 1 } },
    // The same counter from another shard.
    { key: key('2026-11-01T05:00:00Z'), counts: { served: 5, impressions: 4, text: 2 } },
    {
      key: key('2026-11-01T23:00:00Z', { keywordId: null, locale: '', region: '' }),
      counts: { served: 3, exit: 1 },
    },
    {
      key: key('2026-11-02T00:00:00Z', { campaignId: 'cmp_b', partnerId: 'ptn_b' }),
      counts: { served: 2, impressions: 2, link: 2 },
    },
    // Outside the range: never in the report.
    { key: key('2026-11-03T00:00:00Z'), counts: { served: 100 } },
  ];
  const range = { fromHour: hourOf('2026-11-01T00:00:00Z'), toHour: hourOf('2026-11-02T23:00:00Z') };

  it('sums shards into one row per group, in order, with totals', async () => {
    const report = await buildReport(reader(deltas), { ...range, groupBy: ['day', 'campaign'] });
    expect(report.range).toEqual({ start: '2026-11-01T00:00:00Z', end: '2026-11-03T00:00:00Z' });
    expect(report.rows).toEqual([
      {
        day: '2026-11-01',
        campaignId: 'cmp_a',
        served: 18,
        impressions: 10,
        actions: { ...none, call: 1, text: 2, exit: 1 },
      },
      { day: '2026-11-02', campaignId: 'cmp_b', served: 2, impressions: 2, actions: { ...none, link: 2 } },
    ]);
    expect(report.totals).toEqual({
      served: 20,
      impressions: 12,
      actions: { call: 1, text: 2, link: 2, dismiss: 0, exit: 1 },
    });
  });

  it('groups by hour, keyword, partner, locale and region, with null for a banner or unknown', async () => {
    const report = await buildReport(reader(deltas), {
      ...range,
      groupBy: ['hour', 'keyword', 'partner', 'locale', 'region'],
    });
    expect(report.rows.map((r) => [r.hour, r.keywordId, r.partnerId, r.locale, r.region, r.served])).toEqual([
      ['2026-11-01T05:00:00Z', 'kw_a', 'ptn_a', 'en', 'US', 15],
      ['2026-11-01T23:00:00Z', null, 'ptn_a', null, null, 3],
      ['2026-11-02T00:00:00Z', 'kw_a', 'ptn_b', 'en', 'US', 2],
    ]);
  });

  it('answers one row of totals without groupBy, and no rows when nothing was counted', async () => {
    expect((await buildReport(reader(deltas), { ...range, groupBy: [] })).rows).toEqual([
      { served: 20, impressions: 12, actions: { call: 1, text: 2, link: 2, dismiss: 0, exit: 1 } },
    ]);
    const empty = await buildReport(reader([]), { ...range, groupBy: ['day'] });
    expect(empty.rows).toEqual([]);
    expect(empty.totals.served).toBe(0);
  });

  it('refuses a report with more rows than the limit rather than answering part of it', async () => {
    await expect(buildReport(reader(deltas), { ...range, groupBy: ['hour'] }, 2)).rejects.toThrow(
      /more than 2 rows/,
    );
  });

  it('writes CSV with the asked-for columns, quoted where needed, with formulas defused', async () => {
    const odd: CounterDelta[] = [
      { key: key('2026-11-01T05:00:00Z', { campaignId: '=HYPERLINK("x"),1' }), counts: { served: 1 } },
    ];
    const csv = reportCsv(await buildReport(reader(odd), { ...range, groupBy: ['day', 'campaign'] }));
    expect(csv).toBe(
      'day,campaignId,served,impressions,call,text,link,dismiss,exit\r\n' +
        `2026-11-01,"'=HYPERLINK(""x""),1",1,0,0,0,0,0,0\r\n`,
    );
  });
});

describe('GET /admin/v1/reports', () => {
  async function setup() {
    const stats = new MemoryStats();
    await stats.add([
      { key: key('2026-11-01T05:00:00Z'), counts: { served: 4, impressions: 3, call: 1 } },
      { key: key('2026-11-02T05:00:00Z', { campaignId: 'cmp_b' }), counts: { served: 1 } },
    ]);
    const { deps } = memoryDeps({ reports: stats });
    return createApp(deps);
  }
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  it('answers 200 with rows as JSON', async () => {
    const res = await send(
      await setup(),
      'GET',
      '/admin/v1/reports?from=2026-11-01&to=2026-11-30&groupBy=day,campaign',
      { headers: admin },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.rows).toEqual([
      { day: '2026-11-01', campaignId: 'cmp_a', served: 4, impressions: 3, actions: { ...none, call: 1 } },
      { day: '2026-11-02', campaignId: 'cmp_b', served: 1, impressions: 0, actions: none },
    ]);
  });

  it('answers 200 with CSV for Accept: text/csv', async () => {
    const res = await send(
      await setup(),
      'GET',
      '/admin/v1/reports?from=2026-11-01&to=2026-11-30&groupBy=campaign',
      {
        headers: { ...admin, accept: 'text/csv' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="signpost-report-2026-11-01\.csv"/,
    );
    expect(res.text).toBe(
      'campaignId,served,impressions,call,text,link,dismiss,exit\r\ncmp_a,4,3,1,0,0,0,0\r\ncmp_b,1,0,0,0,0,0,0\r\n',
    );
    const json = await send(await setup(), 'GET', '/admin/v1/reports?from=2026-11-01&to=2026-11-30', {
      headers: { ...admin, accept: 'application/json, text/csv;q=0.5' },
    });
    expect(json.headers.get('content-type')).toMatch(/json/);
  });

  it('answers 400 for a bad range or group, naming the problem', async () => {
    const app = await setup();
    const long = await send(app, 'GET', '/admin/v1/reports?from=2020-01-01&to=2026-01-01&groupBy=hour', {
      headers: admin,
    });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/366 days/);
    const missing = await send(app, 'GET', '/admin/v1/reports?to=2026-01-01', { headers: admin });
    expect(missing.status).toBe(400);
    const group = await send(app, 'GET', '/admin/v1/reports?from=2026-01-01&to=2026-01-02&groupBy=ip', {
      headers: admin,
    });
    expect(group.body.error.message).toMatch(/"ip" is not one of/);
  });

  it('answers 401 without the admin token', async () => {
    const res = await send(await setup(), 'GET', '/admin/v1/reports?from=2026-11-01&to=2026-11-30');
    expect(res.status).toBe(401);
  });
});
