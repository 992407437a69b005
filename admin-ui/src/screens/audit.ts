/**
 * The audit log: every change, newest first, filterable by target and time, each with its before and after
 * (and the fields that changed).
 */
import { isRecord } from '../api';
import { h, replace, uid } from '../dom';
import type { Ctx } from '../main';
import { S } from '../strings';
import { busy, button, errorNotice, field, input, loading, notice, pageHeader, table, when } from '../ui';

interface Entry {
  id: string;
  at: string;
  who: string;
  action: string;
  targetType: string;
  targetId: string;
  revision: number | null;
  summary: string;
  changes: Record<string, unknown>;
}

function readEntries(data: unknown): { entries: Entry[]; next: string | null } {
  const list = isRecord(data) && Array.isArray(data.entries) ? data.entries : [];
  const next = isRecord(data) ? data.next : null;
  return {
    entries: list.filter(isRecord).map((e, i) => {
      const target = isRecord(e.target) ? e.target : {};
      return {
        id: String(e.id ?? i),
        at: String(e.at ?? ''),
        who: String(e.actor ?? e.who ?? ''),
        action: String(e.action ?? ''),
        targetType: String(target.type ?? ''),
        targetId: String(target.id ?? ''),
        revision: typeof target.revision === 'number' ? target.revision : null,
        summary: typeof e.summary === 'string' ? e.summary : '',
        changes: isRecord(e.changes) ? e.changes : {},
      };
    }),
    next: typeof next === 'string' && next ? next : null,
  };
}

const show = (value: unknown): string =>
  value === null || value === undefined || value === ''
    ? S.audit.nothing
    : typeof value === 'string'
      ? value
      : Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value.join(', ') || S.audit.nothing
        : JSON.stringify(value, null, 2);

const count = (value: unknown) =>
  typeof value === 'number' ? value : Array.isArray(value) ? value.length : 0;
const texts = (value: unknown) =>
  (Array.isArray(value) ? value : [])
    .filter(isRecord)
    .map((k) => String(k.text ?? k.name ?? k.prefix ?? k.id ?? ''))
    .filter(Boolean);

/** Before and after, in the terms of the change: fields, keywords, messages, keys, campaigns of a version. */
function changeDetails(e: Entry): HTMLElement[] {
  const c = e.changes;
  const out: HTMLElement[] = [];
  if (isRecord(c.fields) && Object.keys(c.fields).length) {
    out.push(
      table(
        S.audit.fieldsCaption,
        [S.audit.colField, S.audit.before, S.audit.after],
        Object.entries(c.fields).map(([name, change]) => {
          const ch = isRecord(change) ? change : {};
          return [name, h('pre', null, show(ch.before)), h('pre', null, show(ch.after))];
        }),
        { rowHeader: true },
      ),
    );
  }
  const lines: string[] = [];
  if (isRecord(c.keywords) && 'before' in c.keywords) {
    const k = c.keywords;
    lines.push(
      S.audit.keywords(count(k.before), count(k.after), count(k.added), count(k.removed), count(k.changed)),
    );
    const sample = isRecord(k.sample) ? k.sample : {};
    if (texts(sample.added).length) lines.push(S.audit.sampleAdded(texts(sample.added)));
    if (texts(sample.removed).length) lines.push(S.audit.sampleRemoved(texts(sample.removed)));
  }
  if (isRecord(c.negativeKeywords)) {
    if (texts(c.negativeKeywords.added).length)
      lines.push(S.audit.negativesAdded(texts(c.negativeKeywords.added)));
    if (texts(c.negativeKeywords.removed).length)
      lines.push(S.audit.negativesRemoved(texts(c.negativeKeywords.removed)));
  }
  if (isRecord(c.messages)) {
    const m = c.messages;
    for (const [kind, label] of [
      ['added', S.audit.messagesAdded],
      ['removed', S.audit.messagesRemoved],
      ['changed', S.audit.messagesChanged],
    ] as const) {
      const locales = Array.isArray(m[kind]) ? (m[kind] as unknown[]).map(String) : [];
      if (locales.length) lines.push(label(locales));
    }
  }
  if (isRecord(c.keys)) {
    if (texts(c.keys.issued).length) lines.push(S.audit.keysIssued(texts(c.keys.issued)));
    if (texts(c.keys.revoked).length) lines.push(S.audit.keysRevoked(texts(c.keys.revoked)));
  }
  if (isRecord(c.campaigns)) {
    for (const [kind, label] of [
      ['added', S.audit.campaignsAdded],
      ['removed', S.audit.campaignsRemoved],
      ['changed', S.audit.campaignsChanged],
    ] as const) {
      const names = texts(c.campaigns[kind]);
      if (names.length) lines.push(label(names));
    }
  }
  if (lines.length)
    out.push(
      h(
        'ul',
        null,
        lines.map((line) => h('li', null, line)),
      ),
    );
  if (isRecord(c.messages) && (isRecord(c.messages.before) || isRecord(c.messages.after))) {
    out.push(
      h(
        'div',
        { class: 'side-by-side' },
        h(
          'div',
          null,
          h('h3', null, S.audit.messagesBefore),
          h(
            'div',
            { class: 'code-wrap', role: 'region', 'aria-label': S.audit.messagesBefore, tabindex: '0' },
            h('pre', null, show(c.messages.before)),
          ),
        ),
        h(
          'div',
          null,
          h('h3', null, S.audit.messagesAfter),
          h(
            'div',
            { class: 'code-wrap', role: 'region', 'aria-label': S.audit.messagesAfter, tabindex: '0' },
            h('pre', null, show(c.messages.after)),
          ),
        ),
      ),
    );
  }
  if (!out.length && Object.keys(c).length) {
    out.push(
      h(
        'div',
        { class: 'code-wrap', role: 'region', 'aria-label': S.audit.colDetails, tabindex: '0' },
        h('pre', null, JSON.stringify(c, null, 2)),
      ),
    );
  }
  return out;
}

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
    if (from.value) params.set('from', from.value);
    // "to" is exclusive in the API; the admin means the whole day.
    if (to.value) params.set('to', new Date(Date.parse(`${to.value}T00:00:00Z`) + 86_400_000).toISOString());
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
                h(
                  'tr',
                  null,
                  [
                    S.audit.colWhen,
                    S.audit.colWho,
                    S.audit.colWhat,
                    S.audit.colTarget,
                    S.audit.colDetails,
                  ].map((c) => h('th', { scope: 'col' }, c)),
                ),
              ),
              rows,
            ),
          )
        : notice('info', h('p', null, S.audit.empty)),
    );
    const next = page.next;
    replace(
      more,
      next
        ? button(S.audit.more, (e) => void busy(e.currentTarget as HTMLButtonElement, () => load(next)))
        : null,
    );
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
  const details = changeDetails(e);
  const detail = h(
    'tr',
    { class: 'audit-detail', id: detailsId, hidden: true },
    h('td', { colspan: '5' }, details),
  );
  const toggle = button(
    S.audit.show,
    () => {
      const open = detail.hidden;
      detail.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? S.audit.hide : S.audit.show;
      toggle.setAttribute(
        'aria-label',
        (open ? S.audit.hideLabel : S.audit.showLabel)(e.summary || e.action),
      );
    },
    'link',
    { 'aria-expanded': 'false', 'aria-controls': detailsId },
  );
  toggle.setAttribute('aria-label', S.audit.showLabel(e.summary || e.action));
  const targetLink =
    e.targetType === 'campaign'
      ? h('a', { href: `#/campaigns/${e.targetId}` }, e.targetId)
      : e.targetType === 'partner'
        ? h('a', { href: `#/partners/${e.targetId}` }, e.targetId)
        : h('a', { href: '#/publish' }, S.audit.ruleset(e.revision));
  return h(
    'tbody',
    null,
    h(
      'tr',
      null,
      h('td', null, when(e.at)),
      h('td', null, e.who),
      h('td', null, h('strong', null, S.audit.action(e.action)), e.summary ? h('br') : null, e.summary),
      h('td', null, targetLink),
      h('td', null, details.length ? toggle : ''),
    ),
    detail,
  );
}
