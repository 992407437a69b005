/**
 * Building blocks every screen shares: headings, notices, confirmation dialogs, labelled fields whose API
 * validation messages show next to them, and tables. Accessible by construction: every control has a label,
 * every error is tied to its field with aria-describedby, dialogs are native <dialog> (focus trapped, Esc closes).
 */
import { ApiError, type ErrorDetail, messageOf } from './api';
import { append, type Child, h, uid } from './dom';
import { S } from './strings';

export type NoticeKind = 'error' | 'success' | 'info' | 'warning';

export function notice(kind: NoticeKind, ...children: Child[]): HTMLDivElement {
  return h(
    'div',
    { class: `notice ${kind}`, role: kind === 'error' || kind === 'warning' ? 'alert' : 'status' },
    ...children,
  );
}

export function errorNotice(error: unknown): HTMLDivElement {
  return notice('error', h('p', null, messageOf(error)));
}

/** A button; `kind` picks the look: primary, secondary (default), danger, link. */
export function button(
  label: string,
  onClick: (event: MouseEvent) => void,
  kind = 'secondary',
  attrs: Record<string, string | boolean> = {},
): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: `btn ${kind}`, onclick: onClick as (e: Event) => void, ...attrs },
    label,
  );
}

/** Runs an action with its button disabled and marked busy, so double clicks do not double submit. */
export async function busy<T>(control: HTMLButtonElement | null, action: () => Promise<T>): Promise<T> {
  if (control) {
    control.disabled = true;
    control.setAttribute('aria-busy', 'true');
  }
  try {
    return await action();
  } finally {
    if (control) {
      control.disabled = false;
      control.removeAttribute('aria-busy');
    }
  }
}

/** A modal confirmation: true when confirmed. One dialog, one decision. */
export function confirmDialog(opts: {
  title: string;
  body: Child;
  confirm: string;
  danger?: boolean;
}): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'dialog' });
    const close = (value: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const ok = button(opts.confirm, () => close(true), opts.danger ? 'danger' : 'primary');
    dialog.append(
      h('h2', { id: titleId }, opts.title),
      h('div', { class: 'dialog-body' }, opts.body),
      h(
        'div',
        { class: 'actions' },
        ok,
        button(S.common.cancel, () => close(false)),
      ),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    ok.focus();
  });
}

/** The heading of a screen, with optional actions beside it. */
export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'page-head' },
    h('h1', { tabindex: '-1' }, title),
    actions.length ? h('div', { class: 'actions' }, ...actions) : null,
  );
}

export function loading(): HTMLParagraphElement {
  return h('p', { class: 'muted loading', role: 'status' }, S.common.loading);
}

export type PathKey = string;

export function pathKey(path: readonly (string | number)[]): PathKey {
  return path.join('.');
}

interface Registered {
  control: HTMLElement;
  message: HTMLElement;
  /** Called before focusing, for fields on a page of a table that is not shown. */
  reveal?: () => HTMLElement | null;
}

/**
 * Maps API validation details to the fields they name (`details[].path`), the nearest registered ancestor
 * path when a leaf has no field of its own, and lists them all in a summary at the top of the form whose
 * entries move focus to the field.
 */
export class FieldErrors {
  private readonly fields = new Map<PathKey, Registered>();
  private readonly shown: Registered[] = [];
  readonly summary = h('div', { class: 'error-summary', hidden: true, tabindex: '-1' });
  /** A hook for paths no field is registered for yet (a keyword on another page of the table). */
  resolve: (path: (string | number)[]) => Registered | null = () => null;

  register(path: readonly (string | number)[], control: HTMLElement, message: HTMLElement): void {
    this.fields.set(pathKey(path), { control, message });
  }

  unregisterUnder(prefix: readonly (string | number)[]): void {
    const key = pathKey(prefix);
    for (const k of [...this.fields.keys()]) if (k === key || k.startsWith(`${key}.`)) this.fields.delete(k);
  }

  clear(): void {
    for (const field of this.shown) {
      field.message.textContent = '';
      field.message.hidden = true;
      field.control.removeAttribute('aria-invalid');
    }
    this.shown.length = 0;
    this.summary.replaceChildren();
    this.summary.hidden = true;
  }

  /** Shows an API error on the form: each detail next to its field, all of them in the summary. */
  show(error: unknown): void {
    this.clear();
    const details: ErrorDetail[] = error instanceof ApiError ? error.details : [];
    const items: HTMLElement[] = [];
    for (const detail of details) {
      const path = detail.path ?? [];
      const field = this.find(path);
      if (field) {
        field.message.textContent = field.message.textContent
          ? `${field.message.textContent} ${detail.message}`
          : detail.message;
        field.message.hidden = false;
        // aria-invalid only where ARIA allows it (a button, say, may not carry it).
        if (field.control.matches('input, select, textarea'))
          field.control.setAttribute('aria-invalid', 'true');
        this.shown.push(field);
      }
      const where = path.length ? S.errors.at(path) : '';
      items.push(
        h(
          'li',
          null,
          field
            ? h(
                'a',
                {
                  href: '#',
                  onclick: (e: Event) => {
                    e.preventDefault();
                    (field.reveal?.() ?? field.control).focus();
                  },
                },
                detail.message,
                where ? h('span', { class: 'muted' }, ` (${where})`) : null,
              )
            : `${detail.message}${where ? ` (${where})` : ''}`,
        ),
      );
    }
    append(this.summary, [
      h('h2', null, S.errors.summaryTitle),
      h('p', null, messageOf(error)),
      items.length ? h('ul', null, items) : null,
    ]);
    this.summary.hidden = false;
    this.summary.setAttribute('role', 'alert');
    this.summary.focus();
  }

  private find(path: (string | number)[]): Registered | null {
    for (let n = path.length; n > 0; n--) {
      const key = pathKey(path.slice(0, n));
      const known = this.fields.get(key);
      if (known) return known;
      const late = this.resolve(path.slice(0, n));
      if (late) return late;
    }
    return null;
  }
}

/** A field's error slot, hidden until the API names the field. */
export function errorSlot(id: string): HTMLParagraphElement {
  return h('p', { class: 'field-error', id, hidden: true });
}

export interface FieldOptions {
  label: string;
  hint?: string;
  path?: (string | number)[];
  errors?: FieldErrors;
  /** Hide the label visually (in tables, where a column header names it): it stays for screen readers. */
  hiddenLabel?: boolean;
}

/** Wraps a control with its label, hint and error slot, and registers it for its API path. */
export function field<T extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
  control: T,
  opts: FieldOptions,
): HTMLDivElement {
  const id = control.id || uid('in');
  control.id = id;
  const describedBy: string[] = [];
  const hint = opts.hint ? h('p', { class: 'hint', id: `${id}-hint` }, opts.hint) : null;
  if (hint) describedBy.push(hint.id);
  const error = errorSlot(`${id}-error`);
  describedBy.push(error.id);
  control.setAttribute('aria-describedby', describedBy.join(' '));
  if (opts.path && opts.errors) opts.errors.register(opts.path, control, error);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id, class: opts.hiddenLabel ? 'visually-hidden' : null }, opts.label),
    hint,
    error,
    control,
  );
}

export function input(
  attrs: Record<string, string | number | boolean | undefined | null> = {},
): HTMLInputElement {
  return h('input', { type: 'text', ...attrs });
}

export function select(
  options: [value: string, label: string][],
  value: string,
  attrs: Record<string, string | boolean> = {},
): HTMLSelectElement {
  const control = h(
    'select',
    attrs,
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
  control.value = value;
  return control;
}

/** A table with a caption and column headers; rows are arrays of cells (the first may be a row header). */
export function table(
  caption: string,
  headers: string[],
  rows: Child[][],
  opts: { rowHeader?: boolean; captionHidden?: boolean } = {},
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    h(
      'table',
      null,
      h('caption', { class: opts.captionHidden ? 'visually-hidden' : null }, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((label) => h('th', { scope: 'col' }, label)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((cells) =>
          h(
            'tr',
            null,
            cells.map((cell, i) =>
              i === 0 && opts.rowHeader ? h('th', { scope: 'row' }, cell) : h('td', null, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

export function badge(text: string, kind = 'neutral'): HTMLSpanElement {
  return h('span', { class: `badge ${kind}` }, text);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A time for people: local, with the exact UTC instant in a <time> element. */
export function when(iso: string | null | undefined): Child {
  if (!iso) return S.common.never;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, dateTime.format(date));
}

export function formatTime(date: Date): string {
  return dateTime.format(date);
}

/** Copies text, with a visible confirmation; falls back to selecting it for Ctrl+C. */
export function copyButton(label: string, text: () => string, target?: HTMLElement): HTMLSpanElement {
  const control = button(label, async () => {
    try {
      await navigator.clipboard.writeText(text());
      status.textContent = S.common.copied;
    } catch {
      if (target) {
        const range = document.createRange();
        range.selectNodeContents(target);
        const selection = getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
      }
      status.textContent = S.common.copyFallback;
    }
    setTimeout(() => {
      status.textContent = '';
    }, 4000);
  });
  const status = h('span', { class: 'copy-status', role: 'status' });
  return h('span', { class: 'copy' }, control, status);
}
