/**
 * The audit log: every change, newest first, filterable by target and time, each with its before and after
 * (and the fields that changed).
 */
import { isRecord } from '../api';
import { h, uid } from '../dom';
import type { Ctx } from '../main';
import { S } from '../strings';
import { busy, button, errorNotice, field, input, loading, notice, pageHeader, when } from '../ui';

interface Entry {
  id: string;
  at: string;
  who: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  summary: string;
}

function readEntries(data: unknown): { entries: Entry[]; next: string | null } {
  const list = isRecord(data) ? (Array.isArray(data.entries) ? data.entries : Array.isArray(data.items) ? data.items : Array.isArray(data.audit) ? data.audit : []) : [];
  const next = isRecord(data) ? (data.next ?? data.nextCursor ?? data.cursor ?? null) : null;
  return {
    entries: list.filter(isRecord).map((e, i) => {
      const target = isRecord(e.target) ? e.target : {};
      return {
        id: String(e.id ?? i),
        at: String(e.at ?? e.time ?? e.when ?? ''),
        who: String(e.who ?? e.by ?? e.actor ?? e.admin ?? ''),
        action: String(e.action ?? e.what ?? e.type ?? ''),
        targetType: String(target.type ?? e.targetType ?? ''),
        targetId: String(target.id ?? e.targetId ?? (typeof e.target === 'string' ? e.target : '')),
        before: e.before ?? null,
        after: e.after ?? null,
        summary: typeof e.summary === 'string' ? e.summary : '',
      };
    }),
    next: typeof next === 'string' && next ? next : null,
  };
}

/** The top-level fields whose values differ between before and after. */
function changedFields(before: unknown, after: unknown): string[] {
  if (!isRecord(before) || !isRecord(after)) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const skip = new Set(['revision', 'updatedAt', 'updatedBy']);
  return [...keys].filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

const pretty = (value: unknown) => (value === null || value === undefined ? S.audit.nothing : JSON.stringify(value, null, 2));

export async function auditScreen(ctx: Ctx): Promise<void> {
  const target = input({ autocomplete: 'off', spellcheck: 'false' });
  const from = input({ type: 'date' });
  const to = input({ type: 'date' });
  const apply = h('button', { type: 'submit', class: 'btn primary' }, S.audit.apply);
  const list = h('div', null, loading());
  const more = h('div');
  const form = h(
    'form',
    { novalidate: true, class: 'filters', 'aria-label': S.audit.filters },
    h(
      'div',
      { class: 'row' },
      field(target, { label: S.audit.target, hint: S.audit.targetHint }),
      field(from, { label: S.audit.from }),
      field(to, { label: S.audit.to }),
    ),
    apply,
  );
  ctx.view.append(pageHeader(S.audit.title), h('p', null, S.audit.intro), form, list, more);

  let rows: HTMLElement[] = [];
  const url = (cursor: string | null) => {
    const params = new URLSearchParams();
    if (target.value.trim()) params.set('target', target.value.trim());
    if (from.value) params.set('from', `${from.value}T00:00:00Z`);
    if (to.value) params.set('to', `${to.value}T23:59:59Z`);
    if (cursor) params.set('cursor', cursor);
    const qs = params.toString();
    return `/admin/v1/audit${qs ? `?${qs}` : ''}`;
  };

  const load = async (cursor: string | null) => {
    let page: ReturnType<typeof readEntries>;
    try {
      page = readEntries((await ctx.api.get<unknown>(url(cursor))).data);
    } catch (error) {
      list.replaceChildren(errorNotice(error));
      more.replaceChildren();
      return;
    }
    if (!cursor) rows = [];
    rows.push(...page.entries.map(entryRow));
    list.replaceChildren(
      rows.length
        ? h(
            'div',
            { class: 'table-wrap', role: 'region', 'aria-label': S.audit.caption, tabindex: '0' },
            h(
              'table',
              { class: 'audit' },
              h('caption', null, S.audit.caption),
              h(
                'thead',
                null,
                h('tr', null, [S.audit.colWhen, S.audit.colWho, S.audit.colWhat, S.audit.colTarget, S.audit.colDetails].map((c) => h('th', { scope: 'col' }, c))),
              ),
              rows,
            ),
          )
        : notice('info', h('p', null, S.audit.empty)),
    );
    const next = page.next;
    more.replaceChildren(next ? button(S.audit.more, (e) => void busy(e.currentTarget as HTMLButtonElement, () => load(next))) : null);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(apply, () => load(null));
  });
  await load(null);
}

/** One entry: a row, and a row below it with before and after, shown on demand. */
function entryRow(e: Entry): HTMLElement {
  const detailsId = uid('aud');
  const fields = changedFields(e.before, e.after);
  const detail = h(
    'tr',
    { class: 'audit-detail', id: detailsId, hidden: true },
    h(
      'td',
      { colspan: '5' },
      fields.length ? h('p', null, S.audit.changed(fields)) : null,
      h(
        'div',
        { class: 'side-by-side' },
        h('div', null, h('h3', null, S.audit.before), h('div', { class: 'code-wrap', role: 'region', 'aria-label': S.audit.beforeOf(e.action), tabindex: '0' }, h('pre', null, pretty(e.before)))),
        h('div', null, h('h3', null, S.audit.after), h('div', { class: 'code-wrap', role: 'region', 'aria-label': S.audit.afterOf(e.action), tabindex: '0' }, h('pre', null, pretty(e.after)))),
      ),
    ),
  );
  const toggle = button(S.audit.show, () => {
    const open = detail.hidden;
    detail.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? S.audit.hide : S.audit.show;
  }, 'link', { 'aria-expanded': 'false', 'aria-controls': detailsId });
  const targetLink =
    e.targetId.startsWith('cmp_') ? h('a', { href: `#/campaigns/${e.targetId}` }, e.targetId) : e.targetId.startsWith('ptn_') ? h('a', { href: `#/partners/${e.targetId}` }, e.targetId) : e.targetId;
  const body = h(
    'tbody',
    null,
    h(
      'tr',
      null,
      h('td', null, when(e.at)),
      h('td', null, e.who),
      h('td', null, S.audit.action(e.action), e.summary ? h('span', { class: 'muted' }, ` · ${e.summary}`) : null),
      h('td', null, e.targetType ? `${e.targetType} ` : '', targetLink),
      h('td', null, e.before !== null || e.after !== null ? toggle : ''),
    ),
    detail,
  );
  return body;
}
