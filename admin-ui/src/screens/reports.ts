/**
 * Reports: served, impressions and actions over time as a uPlot chart (loaded with this screen only), filtered
 * by campaign, partner, locale and region, with display, click-through and action rates, the numbers as a
 * table, and the API's CSV for download.
 */
import uPlot from 'uplot';
import { isRecord } from '../api';
import { download, h, replace, uid } from '../dom';
import type { Ctx } from '../main';
import { type CampaignDoc, listCampaigns, type PartnerDoc } from '../model';
import { S } from '../strings';
import { busy, button, errorNotice, field, input, loading, notice, pageHeader, select, table } from '../ui';

const ACTIONS = ['call', 'text', 'link', 'dismiss', 'exit'] as const;
type ActionName = (typeof ACTIONS)[number];
/** The actions that reach help: what click-through counts. */
const HELP_ACTIONS: ActionName[] = ['call', 'text', 'link'];

interface Row {
  t: number;
  campaign: string;
  partner: string;
  locale: string;
  region: string;
  served: number;
  impressions: number;
  actions: Record<ActionName, number>;
}

const DAY_MS = 86_400_000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const num = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? value : Number(value) || 0;
const str = (...values: unknown[]) => {
  for (const v of values) if (typeof v === 'string' && v) return v;
  return '';
};

/** A time bucket's start, in ms: `2026-11-03`, `2026-11-03T14`, or a full ISO time. */
function bucketTime(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(value)) return Date.parse(`${value}:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return Date.parse(`${value}:00Z`);
  return Date.parse(value);
}

function readRows(data: unknown): Row[] {
  const list = isRecord(data) && Array.isArray(data.rows) ? data.rows : Array.isArray(data) ? data : [];
  return list.filter(isRecord).map((r) => {
    const acts = isRecord(r.actions) ? r.actions : {};
    const actions = Object.fromEntries(
      ACTIONS.map((a) => [a, num(acts[a] ?? r[`actions_${a}`] ?? r[a])]),
    ) as Record<ActionName, number>;
    return {
      t: bucketTime(str(r.hour, r.day, r.date, r.time, r.period, r.bucket)),
      campaign: str(r.campaign, r.campaignId),
      partner: str(r.partner, r.partnerId),
      locale: str(r.locale),
      region: str(r.region),
      served: num(r.served),
      impressions: num(r.impressions),
      actions,
    };
  });
}

interface Totals {
  served: number;
  impressions: number;
  actions: Record<ActionName, number>;
}

function total(rows: Row[]): Totals {
  const t: Totals = {
    served: 0,
    impressions: 0,
    actions: { call: 0, text: 0, link: 0, dismiss: 0, exit: 0 },
  };
  for (const r of rows) {
    t.served += r.served;
    t.impressions += r.impressions;
    for (const a of ACTIONS) t.actions[a] += r.actions[a];
  }
  return t;
}

const helpActions = (a: Record<ActionName, number>) => HELP_ACTIONS.reduce((sum, k) => sum + a[k], 0);
const percent = new Intl.NumberFormat(undefined, {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const pct = (part: number, whole: number) => (whole ? percent.format(part / whole) : S.reports.noRate);

export async function reportsScreen(ctx: Ctx): Promise<void> {
  const today = new Date();
  const from = input({ type: 'date', value: isoDay(new Date(today.getTime() - 6 * DAY_MS)) });
  const to = input({ type: 'date', value: isoDay(today) });
  const campaignSel = select([['', S.reports.allCampaigns]], '');
  const partnerSel = select([['', S.reports.allPartners]], '');
  const localeSel = select([['', S.reports.allLocales]], '');
  const regionSel = select([['', S.reports.allRegions]], '');
  const show = h('button', { type: 'submit', class: 'btn primary' }, S.reports.show);
  const csv = button(S.reports.csv, () => void busy(csv, downloadCsv));
  const out = h('div', { class: 'report', 'aria-live': 'polite' });
  const form = h(
    'form',
    { novalidate: true, class: 'filters', 'aria-label': S.reports.filters },
    h('div', { class: 'row' }, field(from, { label: S.reports.from }), field(to, { label: S.reports.to })),
    h(
      'div',
      { class: 'row' },
      field(campaignSel, { label: S.reports.campaign }),
      field(partnerSel, { label: S.reports.partner }),
      field(localeSel, { label: S.reports.locale }),
      field(regionSel, { label: S.reports.region }),
    ),
    h('div', { class: 'actions' }, show, csv),
  );
  ctx.view.append(pageHeader(S.reports.title), h('p', null, S.reports.intro), form, out);

  const [campaigns, partners] = await Promise.all([
    listCampaigns(ctx.api).catch((): CampaignDoc[] => []),
    ctx.api.get<{ partners: PartnerDoc[] }>('/admin/v1/partners').then(
      (r) => r.data.partners,
      (): PartnerDoc[] => [],
    ),
  ]);
  const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
  const partnerName = new Map(partners.map((p) => [p.id, p.name]));
  const setOptions = (sel: HTMLSelectElement, first: string, values: [string, string][]) => {
    const keep = sel.value;
    replace(
      sel,
      h('option', { value: '' }, first),
      values.map(([v, label]) => h('option', { value: v }, label)),
    );
    sel.value = values.some(([v]) => v === keep) ? keep : '';
  };

  let rows: Row[] = [];
  let chart: uPlot | null = null;
  let resize: ResizeObserver | null = null;

  const range = () => {
    const start = Date.parse(`${from.value}T00:00:00Z`);
    const end = Date.parse(`${to.value}T00:00:00Z`);
    const hourly = end - start <= DAY_MS;
    return { start, end, hourly, groupBy: `${hourly ? 'hour' : 'day'},campaign,partner,locale,region` };
  };
  const query = () => {
    const r = range();
    return `/admin/v1/reports?from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}&groupBy=${r.groupBy}`;
  };

  const downloadCsv = async () => {
    try {
      const res = await ctx.api.get<string>(query(), { accept: 'text/csv' });
      download(
        `signpost-report-${from.value}-to-${to.value}.csv`,
        String(res.data),
        'text/csv;charset=utf-8',
      );
      ctx.announce(S.reports.csvDone);
    } catch (error) {
      out.replaceChildren(errorNotice(error));
    }
  };

  const draw = () => {
    chart?.destroy();
    chart = null;
    resize?.disconnect();
    const r = range();
    const filtered = rows.filter(
      (row) =>
        (!campaignSel.value || row.campaign === campaignSel.value) &&
        (!partnerSel.value || row.partner === partnerSel.value) &&
        (!localeSel.value || row.locale === localeSel.value) &&
        (!regionSel.value || row.region === regionSel.value),
    );
    const step = r.hourly ? 3_600_000 : DAY_MS;
    const last = r.hourly ? r.end + DAY_MS - step : r.end;
    const times: number[] = [];
    for (let t = r.start; t <= last; t += step) times.push(t);
    const index = new Map(times.map((t, i) => [t, i]));
    const served = times.map(() => 0);
    const impressions = times.map(() => 0);
    const acted = times.map(() => 0);
    for (const row of filtered) {
      const i = index.get(row.t - (row.t % step));
      if (i === undefined) continue;
      served[i] = (served[i] ?? 0) + row.served;
      impressions[i] = (impressions[i] ?? 0) + row.impressions;
      acted[i] = (acted[i] ?? 0) + helpActions(row.actions);
    }
    const totals = total(filtered);

    const label = S.reports.chartLabel(totals.served, totals.impressions, helpActions(totals.actions));
    const plot = h('div', { class: 'chart', role: 'img', 'aria-label': label });
    const readout = h('p', { class: 'readout muted' }, S.reports.hover);
    const legendItems = [
      ['served', S.reports.served],
      ['impressions', S.reports.impressions],
      ['actions', S.reports.helpActions],
    ].map(([key, text]) => h('li', null, h('span', { class: `swatch ${key}` }), text));
    const byTime = table(
      S.reports.tableCaption,
      [S.reports.colTime, S.reports.served, S.reports.impressions, S.reports.helpActions],
      times.map((t, i) => [
        formatBucket(t, r.hourly),
        String(served[i]),
        String(impressions[i]),
        String(acted[i]),
      ]),
      { rowHeader: true },
    );
    const byAction = table(
      S.reports.actionsCaption,
      [S.reports.colAction, S.reports.colCount, S.reports.colRate],
      ACTIONS.map((a) => [
        S.reports.action[a],
        String(totals.actions[a]),
        pct(totals.actions[a], totals.impressions),
      ]),
      { rowHeader: true },
    );
    const detailsId = uid('d');
    replace(
      out,
      filtered.length ? null : notice('info', h('p', null, S.reports.empty)),
      h(
        'dl',
        { class: 'stats' },
        stat(S.reports.served, String(totals.served)),
        stat(S.reports.impressions, String(totals.impressions)),
        stat(S.reports.displayRate, pct(totals.impressions, totals.served), S.reports.displayRateHint),
        stat(S.reports.helpActions, String(helpActions(totals.actions))),
        stat(S.reports.ctr, pct(helpActions(totals.actions), totals.impressions), S.reports.ctrHint),
        stat(
          S.reports.actionRate,
          pct(
            ACTIONS.reduce((s, a) => s + totals.actions[a], 0),
            totals.impressions,
          ),
          S.reports.actionRateHint,
        ),
      ),
      h(
        'figure',
        { class: 'chart-figure' },
        h('figcaption', null, S.reports.chartTitle(r.hourly)),
        h('ul', { class: 'legend' }, legendItems),
        plot,
        readout,
      ),
      byAction,
      h('details', { id: detailsId }, h('summary', null, S.reports.showTable), byTime),
    );

    const width = () => Math.max(280, plot.clientWidth || out.clientWidth || 600);
    const css = getComputedStyle(document.documentElement);
    const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    chart = new uPlot(
      {
        width: width(),
        height: 260,
        legend: { show: false },
        // Buckets are UTC days and hours; so are the axis labels.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          {
            stroke: color('--fg', '#1b1b1b'),
            grid: { stroke: color('--grid', '#ddd') },
            // Daily buckets get whole-day ticks and date labels, hourly ones whole hours.
            incrs: r.hourly
              ? [3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400]
              : [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400],
            values: (_u, ticks) => ticks.map((t) => formatTick(t * 1000, r.hourly)),
          },
          {
            stroke: color('--fg', '#1b1b1b'),
            grid: { stroke: color('--grid', '#ddd') },
            values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : '')),
          },
        ],
        series: [
          {},
          { label: S.reports.served, stroke: color('--c-served', '#1d4ed8'), width: 2 },
          {
            label: S.reports.impressions,
            stroke: color('--c-impressions', '#047857'),
            width: 2,
            dash: [8, 4],
          },
          { label: S.reports.helpActions, stroke: color('--c-actions', '#b45309'), width: 2, dash: [2, 3] },
        ],
        hooks: {
          setCursor: [
            (u) => {
              const i = u.cursor.idx;
              if (i === null || i === undefined) return;
              const t = times[i];
              if (t === undefined) return;
              readout.textContent = S.reports.readout(
                formatBucket(t, r.hourly),
                served[i] ?? 0,
                impressions[i] ?? 0,
                acted[i] ?? 0,
              );
            },
          ],
        },
      },
      [times.map((t) => t / 1000), served, impressions, acted],
      plot,
    );
    resize = new ResizeObserver(() => chart?.setSize({ width: width(), height: 260 }));
    resize.observe(out);
  };

  const load = async () => {
    out.replaceChildren(loading());
    try {
      const res = await ctx.api.get<unknown>(query());
      rows = readRows(res.data);
    } catch (error) {
      chart?.destroy();
      chart = null;
      out.replaceChildren(errorNotice(error));
      return;
    }
    const distinct = (pick: (r: Row) => string) => [...new Set(rows.map(pick).filter(Boolean))].sort();
    setOptions(
      campaignSel,
      S.reports.allCampaigns,
      distinct((r) => r.campaign).map((id) => [id, campaignName.get(id) ?? id]),
    );
    setOptions(
      partnerSel,
      S.reports.allPartners,
      distinct((r) => r.partner).map((id) => [id, partnerName.get(id) ?? id]),
    );
    setOptions(
      localeSel,
      S.reports.allLocales,
      distinct((r) => r.locale).map((v) => [v, v]),
    );
    setOptions(
      regionSel,
      S.reports.allRegions,
      distinct((r) => r.region).map((v) => [v, v]),
    );
    draw();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(show, load);
  });
  for (const sel of [campaignSel, partnerSel, localeSel, regionSel])
    sel.addEventListener('change', () => rows.length && draw());
  await load();
}

function stat(label: string, value: string, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'stat' },
    h('dt', null, label),
    h('dd', null, value),
    hint ? h('dd', { class: 'hint' }, hint) : null,
  );
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const hourFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'short',
  timeStyle: 'short',
  timeZone: 'UTC',
});

const tickDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const tickHour = new Intl.DateTimeFormat(undefined, { hour: 'numeric', timeZone: 'UTC' });

function formatTick(ms: number, hourly: boolean): string {
  return hourly && new Date(ms).getUTCHours() !== 0
    ? tickHour.format(new Date(ms))
    : tickDay.format(new Date(ms));
}

function formatBucket(ms: number, hourly: boolean): string {
  return hourly ? S.reports.inUtc(hourFormat.format(new Date(ms))) : dayFormat.format(new Date(ms));
}
