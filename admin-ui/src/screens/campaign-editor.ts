/**
 * Create and edit a campaign. Every validation message is the API's own, shown next to the field its
 * `details[].path` names. Saving sends the ETag the admin loaded; when someone else saved first (412) the
 * page says so and offers their version. Messages are previewed live by the widget's own rendering code.
 */
import { ApiError, isRecord } from '../api';
import { append, type Child, h, uid } from '../dom';
import { type KeywordRow, KeywordTable } from '../keyword-table';
import type { Ctx } from '../main';
import type { CampaignDoc } from '../model';
import { messagePreview } from '../preview';
import { S } from '../strings';
import {
  busy,
  button,
  confirmDialog,
  errorNotice,
  FieldErrors,
  field,
  input,
  notice,
  pageHeader,
  select,
  table,
  when,
} from '../ui';

interface ActionDraft {
  type: string;
  label: string;
  href: string;
}
interface MessageDraft {
  locale: string;
  title: string;
  body: string;
  actions: ActionDraft[];
}
interface Draft {
  name: string;
  status: string;
  priority: string;
  locales: string;
  regions: string;
  startsAt: string;
  endsAt: string;
  banner: boolean;
  keywords: KeywordRow[];
  negativeKeywords: KeywordRow[];
  messages: MessageDraft[];
  defaultLocale: string;
}

/** A notice to show on the next editor screen (after creating, the page moves to the campaign's own URL). */
let flash: string | null = null;

function draftFrom(doc: CampaignDoc | null): Draft {
  if (!doc) {
    return {
      name: '',
      status: 'active',
      priority: '0',
      locales: '',
      regions: '',
      startsAt: '',
      endsAt: '',
      banner: false,
      keywords: [],
      negativeKeywords: [],
      messages: [{ locale: 'en', title: '', body: '', actions: [] }],
      defaultLocale: 'en',
    };
  }
  return {
    name: doc.name,
    status: doc.status,
    priority: String(doc.priority),
    locales: doc.locales.join(', '),
    regions: doc.regions.join(', '),
    startsAt: toLocalInput(doc.startsAt),
    endsAt: toLocalInput(doc.endsAt),
    banner: doc.banner,
    keywords: doc.keywords.map((k) => ({ ...k })),
    negativeKeywords: (doc.negativeKeywords ?? []).map((k) => ({ ...k })),
    messages: Object.entries(doc.messages).map(([locale, m]) => ({
      locale,
      title: m.title,
      body: m.body,
      actions: m.actions.map((a) => ({ ...a })),
    })),
    defaultLocale: doc.defaultLocale,
  };
}

/** Times are edited as UTC, in a datetime-local control (which has no zone of its own). */
function toLocalInput(iso: string | null): string {
  return iso ? new Date(iso).toISOString().slice(0, 16) : '';
}
function fromLocalInput(value: string): string | null {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : null;
}

const splitList = (text: string) =>
  text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function toInput(draft: Draft): Record<string, unknown> {
  const priority = draft.priority.trim() === '' ? 0 : Number(draft.priority);
  return {
    name: draft.name,
    status: draft.status,
    // Sent as typed when it is not a number, so the API's own message explains what is wrong.
    priority: Number.isNaN(priority) ? draft.priority : priority,
    locales: splitList(draft.locales),
    regions: splitList(draft.regions),
    startsAt: fromLocalInput(draft.startsAt),
    endsAt: fromLocalInput(draft.endsAt),
    banner: draft.banner,
    keywords: draft.keywords.map((k) => ({
      ...(k.id && { id: k.id }),
      text: k.text,
      match: k.match,
      ...(k.locale && { locale: k.locale }),
    })),
    negativeKeywords: draft.negativeKeywords.map((k) => ({ text: k.text, match: k.match })),
    messages: Object.fromEntries(
      draft.messages.map((m) => [
        m.locale,
        {
          title: m.title,
          body: m.body,
          actions: m.actions.map((a) => ({ type: a.type, label: a.label, href: a.href })),
        },
      ]),
    ),
    defaultLocale: draft.defaultLocale,
  };
}

export async function campaignEditor(ctx: Ctx, id?: string): Promise<void> {
  let doc: CampaignDoc | null = null;
  let etag: string | null = null;
  if (id) {
    const res = await ctx.api.get<CampaignDoc>(`/admin/v1/campaigns/${id}`);
    doc = res.data;
    etag = res.etag;
  }
  let draft = draftFrom(doc);
  let dirty = false;
  const changed = () => {
    if (!dirty) {
      dirty = true;
      unsaved.hidden = false;
      ctx.setDirty(true);
    }
  };
  const clean = () => {
    dirty = false;
    unsaved.hidden = true;
    ctx.setDirty(false);
  };

  const errors = new FieldErrors();
  const flashArea = h('div', { class: 'flash', tabindex: '-1' });
  const importArea = h('div', { class: 'import-result', tabindex: '-1' });
  const form = h('form', { novalidate: true, class: 'editor' });
  const unsaved = h('span', { class: 'unsaved', hidden: true }, S.editor.unsaved);
  const save = h('button', { type: 'submit', class: 'btn primary' }, id ? S.editor.save : S.editor.create);

  const header = pageHeader(
    doc?.name ?? S.editor.newTitle,
    id ? button(S.editor.delete, () => void remove(), 'danger') : null,
  );
  append(ctx.view, [
    h('p', { class: 'crumbs' }, h('a', { href: '#/campaigns' }, S.editor.back)),
    header,
    doc
      ? h(
          'p',
          { class: 'muted' },
          S.editor.lastChange(doc.revision),
          ' ',
          when(doc.updatedAt),
          ' ',
          S.campaigns.by(doc.updatedBy),
        )
      : null,
    flashArea,
    errors.summary,
    form,
  ]);
  if (flash) {
    flashArea.replaceChildren(notice('success', h('p', null, flash)));
    ctx.announce(flash);
    flash = null;
  }

  let keywordTable: KeywordTable;
  let negativeTable: KeywordTable;
  errors.resolve = (path) => keywordTable?.resolve(path) ?? negativeTable?.resolve(path) ?? null;

  const renderForm = () => {
    errors.clear();
    form.replaceChildren(
      basics(),
      targeting(),
      keywordsSection(),
      negativesSection(),
      messagesSection(),
      h('div', { class: 'save-bar' }, save, unsaved),
    );
  };

  const basics = () => {
    const name = input({ value: draft.name, autocomplete: 'off' });
    name.addEventListener('input', () => {
      draft.name = name.value;
      changed();
    });
    const status = select(
      [
        ['active', S.status.active],
        ['paused', S.status.paused],
      ],
      draft.status,
    );
    status.addEventListener('change', () => {
      draft.status = status.value;
      changed();
    });
    const priority = input({ type: 'number', step: 1, value: draft.priority, inputmode: 'numeric' });
    priority.addEventListener('input', () => {
      draft.priority = priority.value;
      changed();
    });
    const banner = h('input', { type: 'checkbox', checked: draft.banner, id: uid('ban') });
    banner.addEventListener('change', () => {
      draft.banner = banner.checked;
      changed();
    });
    const bannerError = h('p', { class: 'field-error', hidden: true, id: `${banner.id}-error` });
    errors.register(['banner'], banner, bannerError);
    return h(
      'fieldset',
      null,
      h('legend', null, S.editor.basics),
      field(name, { label: S.campaign.name, path: ['name'], errors }),
      h(
        'div',
        { class: 'row' },
        field(status, { label: S.campaign.status, hint: S.editor.statusHint, path: ['status'], errors }),
        field(priority, {
          label: S.campaign.priority,
          hint: S.editor.priorityHint,
          path: ['priority'],
          errors,
        }),
      ),
      h(
        'div',
        { class: 'field check' },
        bannerError,
        banner,
        h('label', { for: banner.id }, S.editor.bannerLabel),
        h('p', { class: 'hint' }, S.editor.bannerHint),
      ),
    );
  };

  const targeting = () => {
    const locales = input({ value: draft.locales, autocomplete: 'off' });
    locales.addEventListener('input', () => {
      draft.locales = locales.value;
      changed();
    });
    const regions = input({ value: draft.regions, autocomplete: 'off' });
    regions.addEventListener('input', () => {
      draft.regions = regions.value;
      changed();
    });
    const starts = input({ type: 'datetime-local', value: draft.startsAt });
    starts.addEventListener('input', () => {
      draft.startsAt = starts.value;
      changed();
    });
    const ends = input({ type: 'datetime-local', value: draft.endsAt });
    ends.addEventListener('input', () => {
      draft.endsAt = ends.value;
      changed();
    });
    return h(
      'fieldset',
      null,
      h('legend', null, S.editor.targeting),
      h(
        'div',
        { class: 'row' },
        field(locales, { label: S.campaign.locales, hint: S.editor.localesHint, path: ['locales'], errors }),
        field(regions, { label: S.campaign.regions, hint: S.editor.regionsHint, path: ['regions'], errors }),
      ),
      h(
        'div',
        { class: 'row' },
        field(starts, { label: S.campaign.startsAt, hint: S.editor.timeHint, path: ['startsAt'], errors }),
        field(ends, { label: S.campaign.endsAt, hint: S.editor.timeHint, path: ['endsAt'], errors }),
      ),
    );
  };

  /** A section around a keyword table: heading, hint, the table, and what follows it. */
  const tableSection = (table: KeywordTable, heading: string, hint: string, ...after: Node[]) => {
    const headingId = uid('h');
    return h(
      'section',
      { 'aria-labelledby': headingId },
      h('h2', { id: headingId }, heading),
      h('p', { class: 'hint' }, hint),
      table.element,
      ...after,
    );
  };

  const keywordsSection = () => {
    keywordTable = new KeywordTable(draft.keywords, {
      root: 'keywords',
      caption: S.editor.keywords,
      withLocale: true,
      errors,
      onChange: changed,
    });
    return tableSection(keywordTable, S.editor.keywords, S.editor.keywordsHint, importSection());
  };

  const negativesSection = () => {
    negativeTable = new KeywordTable(draft.negativeKeywords, {
      root: 'negativeKeywords',
      caption: S.editor.negatives,
      withLocale: false,
      errors,
      onChange: changed,
    });
    return tableSection(negativeTable, S.editor.negatives, S.editor.negativesHint);
  };

  const importSection = () => {
    const file = h('input', { type: 'file', accept: '.csv,text/csv', id: uid('csv') });
    const run = button(S.importCsv.button, () => void runImport(file, run));
    const headingId = uid('h');
    return h(
      'section',
      { class: 'import', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, S.importCsv.title),
      h('p', { class: 'hint' }, S.importCsv.hint),
      h(
        'div',
        { class: 'adder' },
        h('div', { class: 'field' }, h('label', { for: file.id }, S.importCsv.fileLabel), file),
        run,
      ),
      importArea,
    );
  };

  const runImport = async (file: HTMLInputElement, control: HTMLButtonElement) => {
    const show = (...children: Child[]) => {
      importArea.replaceChildren(...children.filter((c): c is Node => c instanceof Node));
      importArea.focus();
    };
    if (!id) return show(notice('warning', h('p', null, S.importCsv.saveFirst)));
    if (dirty) return show(notice('warning', h('p', null, S.importCsv.unsavedFirst)));
    const chosen = file.files?.[0];
    if (!chosen) return show(notice('warning', h('p', null, S.importCsv.chooseFile)));
    await busy(control, async () => {
      try {
        const text = await chosen.text();
        const res = await ctx.api.call<unknown>('POST', `/admin/v1/campaigns/${id}/keywords/import`, {
          text,
          contentType: 'text/csv; charset=utf-8',
          ifMatch: etag,
        });
        const r = isRecord(res.data) ? res.data : {};
        const refused = (Array.isArray(r.refused) ? r.refused : []).filter(isRecord);
        const counts = S.importCsv.result(
          Number(r.added ?? 0),
          Number(r.updated ?? 0),
          Number(r.unchanged ?? 0),
          refused.length,
        );
        await reload(false);
        show(
          notice(
            refused.length ? 'warning' : 'success',
            h('p', null, counts),
            refused.length
              ? table(
                  S.importCsv.refusedCaption(refused.length),
                  [S.importCsv.colLine, S.importCsv.colReason],
                  refused.map((row) => [String(row.line ?? ''), String(row.reason ?? row.message ?? '')]),
                )
              : null,
          ),
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) return stale();
        show(errorNotice(error));
      }
    });
  };

  const messagesSection = () => {
    const headingId = uid('h');
    const defaultSelect = select(
      draft.messages.map((m) => [m.locale, languageName(m.locale)]),
      draft.defaultLocale,
    );
    defaultSelect.addEventListener('change', () => {
      draft.defaultLocale = defaultSelect.value;
      changed();
    });
    const newLocale = input({ autocomplete: 'off', size: 8 });
    const addLanguage = () => {
      const tag = newLocale.value.trim();
      if (!tag) return newLocale.focus();
      if (!draft.messages.some((m) => m.locale === tag)) {
        draft.messages.push({ locale: tag, title: '', body: '', actions: [] });
        if (draft.messages.length === 1) draft.defaultLocale = tag;
        changed();
      }
      const section = messagesSection();
      messagesBox.replaceWith(section);
      section.querySelector<HTMLInputElement>(`[data-title="${CSS.escape(tag)}"]`)?.focus();
    };
    newLocale.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        addLanguage();
      }
    });
    const messagesBox = h(
      'section',
      { 'aria-labelledby': headingId, class: 'messages' },
      h('h2', { id: headingId }, S.editor.messages),
      h('p', { class: 'hint' }, S.editor.messagesHint),
      h(
        'div',
        { class: 'row' },
        field(defaultSelect, {
          label: S.campaign.defaultLocale,
          hint: S.editor.defaultLocaleHint,
          path: ['defaultLocale'],
          errors,
        }),
        h(
          'div',
          { class: 'adder' },
          field(newLocale, {
            label: S.editor.addLanguageLabel,
            hint: S.editor.addLanguageHint,
            path: ['messages'],
            errors,
          }),
          button(S.editor.addLanguage, addLanguage),
        ),
      ),
      draft.messages.map((m) =>
        messageEditor(m, () => {
          const i = draft.messages.indexOf(m);
          if (i >= 0) draft.messages.splice(i, 1);
          if (draft.defaultLocale === m.locale) draft.defaultLocale = draft.messages[0]?.locale ?? '';
          changed();
          const section = messagesSection();
          messagesBox.replaceWith(section);
          section.querySelector('h2')?.setAttribute('tabindex', '-1');
          section.querySelector<HTMLElement>('h2')?.focus();
        }),
      ),
    );
    return messagesBox;
  };

  const messageEditor = (m: MessageDraft, onRemove: () => void) => {
    const path = ['messages', m.locale];
    const preview = messagePreview(S.editor.previewCaption(languageName(m.locale)));
    const refresh = () => preview.update(m.locale, m);
    const title = input({ value: m.title, autocomplete: 'off', 'data-title': m.locale });
    title.addEventListener('input', () => {
      m.title = title.value;
      changed();
      refresh();
    });
    const body = h('textarea', { rows: 4 });
    body.value = m.body;
    body.addEventListener('input', () => {
      m.body = body.value;
      changed();
      refresh();
    });
    const localeError = h('p', { class: 'field-error', hidden: true, id: uid('mle') });
    errors.register(path, title, localeError);
    const actionsBox = h('div', { class: 'actions-list' });
    const renderActions = () => {
      errors.unregisterUnder([...path, 'actions']);
      actionsBox.replaceChildren(
        ...m.actions.map((a, j) => {
          const n = j + 1;
          const type = select(
            [
              ['call', S.actionTypes.call],
              ['text', S.actionTypes.text],
              ['link', S.actionTypes.link],
            ],
            a.type,
          );
          type.addEventListener('change', () => {
            a.type = type.value;
            changed();
          });
          const label = input({ value: a.label, autocomplete: 'off' });
          label.addEventListener('input', () => {
            a.label = label.value;
            changed();
            refresh();
          });
          const href = input({ value: a.href, autocomplete: 'off', inputmode: 'url', spellcheck: 'false' });
          href.addEventListener('input', () => {
            a.href = href.value;
            changed();
            refresh();
          });
          const actionPath = [...path, 'actions', j];
          const drop = button(
            S.common.remove,
            () => {
              m.actions.splice(j, 1);
              changed();
              renderActions();
              refresh();
            },
            'link',
          );
          drop.setAttribute('aria-label', S.editor.removeAction(n));
          return h(
            'fieldset',
            { class: 'action' },
            h('legend', null, S.editor.actionLegend(n)),
            h(
              'div',
              { class: 'row' },
              field(type, { label: S.editor.actionType, path: [...actionPath, 'type'], errors }),
              field(label, { label: S.editor.actionLabel, path: [...actionPath, 'label'], errors }),
              field(href, {
                label: S.editor.actionHref,
                hint: S.editor.actionHrefHint,
                path: [...actionPath, 'href'],
                errors,
              }),
            ),
            drop,
          );
        }),
      );
      errors.register([...path, 'actions'], title, localeError);
    };
    renderActions();
    refresh();
    const legendId = uid('lg');
    return h(
      'fieldset',
      { class: 'message', 'aria-labelledby': legendId },
      h('legend', { id: legendId }, S.editor.messageLegend(languageName(m.locale))),
      localeError,
      h(
        'div',
        { class: 'message-grid' },
        h(
          'div',
          null,
          field(title, { label: S.campaign.messageTitle, path: [...path, 'title'], errors }),
          field(body, {
            label: S.campaign.messageBody,
            hint: S.editor.bodyHint,
            path: [...path, 'body'],
            errors,
          }),
          h('h3', null, S.campaign.actions),
          actionsBox,
          h(
            'div',
            { class: 'actions' },
            button(S.editor.addAction, () => {
              m.actions.push({ type: 'call', label: '', href: '' });
              changed();
              renderActions();
              actionsBox.querySelector<HTMLElement>('fieldset:last-child select')?.focus();
            }),
            draft.messages.length > 1
              ? button(S.editor.removeLanguage(languageName(m.locale)), () => onRemove(), 'danger')
              : null,
          ),
        ),
        preview.element,
      ),
    );
  };

  /** Loads the campaign again (someone else's version, or after an import); drops local edits. */
  const reload = async (announce = true) => {
    if (!id) return;
    const res = await ctx.api.get<CampaignDoc>(`/admin/v1/campaigns/${id}`);
    doc = res.data;
    etag = res.etag;
    draft = draftFrom(doc);
    const h1 = header.querySelector('h1');
    if (h1) h1.textContent = doc.name;
    renderForm();
    clean();
    if (announce) ctx.announce(S.editor.reloaded);
  };

  const stale = async () => {
    let who: Child = null;
    if (id) {
      const latest = await ctx.api.get<CampaignDoc>(`/admin/v1/campaigns/${id}`).catch(() => null);
      if (latest)
        who = h('p', null, S.editor.staleWho(latest.data.updatedBy), ' ', when(latest.data.updatedAt));
    }
    const reloadButton = button(
      S.editor.staleReload,
      async () => {
        await busy(reloadButton, () => reload());
        flashArea.replaceChildren(notice('success', h('p', null, S.editor.reloaded)));
        flashArea.focus();
      },
      'primary',
    );
    flashArea.replaceChildren(
      notice(
        'warning',
        h('h2', null, S.editor.staleTitle),
        h('p', null, S.editor.staleBody),
        who,
        h(
          'div',
          { class: 'actions' },
          reloadButton,
          button(S.editor.staleKeep, () => flashArea.replaceChildren()),
        ),
      ),
    );
    flashArea.focus();
  };

  const remove = async () => {
    if (!id || !doc) return;
    const ok = await confirmDialog({
      title: S.editor.deleteTitle(doc.name),
      body: h('p', null, S.editor.deleteBody),
      confirm: S.editor.delete,
      danger: true,
    });
    if (!ok) return;
    try {
      await ctx.api.delete(`/admin/v1/campaigns/${id}`, { ifMatch: etag });
      clean();
      ctx.announce(S.editor.deleted(doc.name));
      ctx.navigate('campaigns');
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) return stale();
      flashArea.replaceChildren(errorNotice(error));
      flashArea.focus();
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(save, async () => {
      flashArea.replaceChildren();
      errors.clear();
      const body = toInput(draft);
      try {
        if (!id) {
          const res = await ctx.api.post<CampaignDoc>('/admin/v1/campaigns', body);
          clean();
          flash = S.editor.created(res.data.name);
          ctx.navigate(`campaigns/${res.data.id}`);
          return;
        }
        const res = await ctx.api.put<CampaignDoc>(`/admin/v1/campaigns/${id}`, body, { ifMatch: etag });
        doc = res.data;
        etag = res.etag;
        draft = draftFrom(doc);
        const h1 = header.querySelector('h1');
        if (h1) h1.textContent = doc.name;
        renderForm();
        clean();
        flashArea.replaceChildren(notice('success', h('p', null, S.editor.saved(doc.name))));
        flashArea.focus();
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) return stale();
        if (error instanceof ApiError && error.status === 404) {
          flashArea.replaceChildren(
            notice(
              'error',
              h('p', null, S.editor.goneElsewhere),
              h('p', null, h('a', { href: '#/campaigns' }, S.editor.back)),
            ),
          );
          flashArea.focus();
          return;
        }
        if (error instanceof ApiError) {
          // Bring the first keyword row with an error onto the page, so its message shows beside it.
          for (const d of error.details) {
            const [root, index] = d.path ?? [];
            if (typeof index !== 'number') continue;
            if (root === 'keywords') keywordTable.revealRow(index);
            else if (root === 'negativeKeywords') negativeTable.revealRow(index);
            else continue;
            break;
          }
        }
        errors.show(error);
      }
    });
  });

  renderForm();
}

const names = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' });
  } catch {
    return null;
  }
})();

/** "Spanish (es)" for a tag; the tag itself when it is not one Intl knows. */
export function languageName(tag: string): string {
  try {
    const name = names?.of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}
