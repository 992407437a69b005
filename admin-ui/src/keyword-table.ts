/**
 * Keywords (or negative keywords) as an editable table: change the text, the match type and the language,
 * remove a row, add rows. Long lists are filtered and paged, so a campaign with 100,000 keywords stays
 * usable; an API error on a row that is not on screen brings its page up.
 */
import { h, replace, uid } from './dom';
import { MATCH_TYPES, type MatchType } from './model';
import { S } from './strings';
import { button, errorSlot, type FieldErrors, select } from './ui';

export interface KeywordRow {
  id?: string;
  text: string;
  match: MatchType;
  locale?: string;
}

const PAGE_SIZE = 25;

export class KeywordTable {
  readonly element = h('div', { class: 'keyword-table' });
  private page = 0;
  private filter = '';
  private readonly body = h('div');

  constructor(
    private rows: KeywordRow[],
    private readonly opts: {
      root: 'keywords' | 'negativeKeywords';
      caption: string;
      withLocale: boolean;
      errors: FieldErrors;
      onChange: () => void;
    },
  ) {
    this.element.append(this.toolbar(), this.body, this.adder());
    this.render();
  }

  setRows(rows: KeywordRow[]): void {
    this.rows = rows;
    this.render();
  }

  /** Rows matching the filter, as indexes into the model (API error paths use those). */
  private visible(): number[] {
    const needle = this.filter.trim().toLowerCase();
    const all = this.rows.map((_, i) => i);
    return needle ? all.filter((i) => this.rows[i]?.text.toLowerCase().includes(needle)) : all;
  }

  /** Shows the page with row `index` (clearing the filter if it hides it); answers its text input. */
  revealRow(index: number): HTMLInputElement | null {
    if (index < 0 || index >= this.rows.length) return null;
    if (!this.visible().includes(index)) {
      this.filter = '';
      this.filterInput.value = '';
    }
    this.page = Math.floor(this.visible().indexOf(index) / PAGE_SIZE);
    this.render();
    return this.body.querySelector<HTMLInputElement>(`[data-row="${index}"]`);
  }

  /** For API errors on rows not on screen: a stand-in whose link brings the row up. */
  resolve(path: (string | number)[]) {
    if (path[0] !== this.opts.root || typeof path[1] !== 'number') return null;
    const index = path[1];
    return { control: h('span'), message: h('span'), reveal: () => this.revealRow(index) };
  }

  private readonly filterInput = h('input', { type: 'search', id: uid('kwf'), autocomplete: 'off' });

  private toolbar(): HTMLElement {
    this.filterInput.addEventListener('input', () => {
      this.filter = this.filterInput.value;
      this.page = 0;
      this.render();
    });
    this.filterInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') event.preventDefault();
    });
    return h(
      'div',
      { class: 'toolbar' },
      h('label', { for: this.filterInput.id }, S.keywords.filter),
      this.filterInput,
    );
  }

  private adder(): HTMLElement {
    const textId = uid('kwa');
    const text = h('input', { id: textId, autocomplete: 'off' });
    const match = select(
      MATCH_TYPES.map((m) => [m, S.match[m]]),
      'phrase',
      { id: uid('kwm') },
    );
    const locale = this.opts.withLocale ? h('input', { id: uid('kwl'), size: 6, autocomplete: 'off' }) : null;
    const error = errorSlot(`${textId}-error`);
    text.setAttribute('aria-describedby', error.id);
    this.opts.errors.register([this.opts.root], text, error);
    const add = () => {
      const value = text.value.trim();
      if (!value) {
        text.focus();
        return;
      }
      const row: KeywordRow = { text: value, match: match.value as MatchType };
      if (locale?.value.trim()) row.locale = locale.value.trim();
      this.rows.push(row);
      this.filter = '';
      this.filterInput.value = '';
      this.page = Math.floor((this.rows.length - 1) / PAGE_SIZE);
      text.value = '';
      this.opts.onChange();
      this.render();
      text.focus();
    };
    text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        add();
      }
    });
    return h(
      'div',
      { class: 'adder' },
      h(
        'div',
        { class: 'field' },
        h(
          'label',
          { for: textId },
          this.opts.root === 'keywords' ? S.keywords.addLabel : S.keywords.addNegativeLabel,
        ),
        error,
        text,
      ),
      h('div', { class: 'field' }, h('label', { for: match.id }, S.keywords.match), match),
      locale ? h('div', { class: 'field' }, h('label', { for: locale.id }, S.keywords.locale), locale) : null,
      button(this.opts.root === 'keywords' ? S.keywords.add : S.keywords.addNegative, add),
    );
  }

  private render(): void {
    const { errors, root, withLocale } = this.opts;
    errors.unregisterUnder([root]);
    const indexes = this.visible();
    const pages = Math.max(1, Math.ceil(indexes.length / PAGE_SIZE));
    this.page = Math.min(this.page, pages - 1);
    const shown = indexes.slice(this.page * PAGE_SIZE, (this.page + 1) * PAGE_SIZE);

    const rows = shown.map((i) => {
      const row = this.rows[i] as KeywordRow;
      const n = i + 1;
      const textId = uid('kw');
      const text = h('input', { id: textId, value: row.text, 'data-row': String(i), autocomplete: 'off' });
      const textError = errorSlot(`${textId}-error`);
      text.setAttribute('aria-label', S.keywords.rowText(n));
      text.setAttribute('aria-describedby', textError.id);
      text.addEventListener('input', () => {
        row.text = text.value;
        this.opts.onChange();
      });
      errors.register([root, i, 'text'], text, textError);
      errors.register([root, i], text, textError);
      errors.register([root, i, 'id'], text, textError);

      const match = select(
        MATCH_TYPES.map((m) => [m, S.match[m]]),
        row.match,
        { 'aria-label': S.keywords.rowMatch(n) },
      );
      const matchError = errorSlot(uid('kwe'));
      match.setAttribute('aria-describedby', matchError.id);
      match.addEventListener('change', () => {
        row.match = match.value as MatchType;
        this.opts.onChange();
      });
      errors.register([root, i, 'match'], match, matchError);

      let localeCell: HTMLElement | null = null;
      if (withLocale) {
        const locale = h('input', {
          value: row.locale ?? '',
          size: 6,
          'aria-label': S.keywords.rowLocale(n),
          autocomplete: 'off',
        });
        const localeError = errorSlot(uid('kwe'));
        locale.setAttribute('aria-describedby', localeError.id);
        locale.addEventListener('input', () => {
          if (locale.value.trim()) row.locale = locale.value.trim();
          else delete row.locale;
          this.opts.onChange();
        });
        errors.register([root, i, 'locale'], locale, localeError);
        localeCell = h('td', null, localeError, locale);
      }
      const remove = button(
        S.common.remove,
        () => {
          this.rows.splice(i, 1);
          this.opts.onChange();
          this.render();
          this.filterInput.focus();
        },
        'link',
      );
      remove.setAttribute('aria-label', S.keywords.removeRow(row.text || String(n)));
      return h(
        'tr',
        null,
        h('td', { class: 'num' }, String(n)),
        h('td', null, textError, text),
        h('td', null, matchError, match),
        localeCell,
        h('td', null, remove),
      );
    });

    const status = indexes.length
      ? S.keywords.showing(
          this.page * PAGE_SIZE + 1,
          this.page * PAGE_SIZE + shown.length,
          indexes.length,
          this.rows.length,
        )
      : this.rows.length
        ? S.keywords.noneMatch
        : root === 'keywords'
          ? S.keywords.empty
          : S.keywords.emptyNegative;

    const pager =
      pages > 1
        ? h(
            'div',
            { class: 'pager' },
            button(
              S.keywords.previous,
              () => {
                this.page -= 1;
                this.render();
              },
              'secondary',
              { disabled: this.page === 0 },
            ),
            h('span', null, S.keywords.page(this.page + 1, pages)),
            button(
              S.keywords.next,
              () => {
                this.page += 1;
                this.render();
              },
              'secondary',
              { disabled: this.page >= pages - 1 },
            ),
          )
        : null;

    replace(
      this.body,
      h('p', { class: 'muted', role: 'status' }, status),
      rows.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'edit-table' },
              h('caption', { class: 'visually-hidden' }, this.opts.caption),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, '#'),
                  h('th', { scope: 'col' }, S.keywords.colText),
                  h('th', { scope: 'col' }, S.keywords.match),
                  withLocale ? h('th', { scope: 'col' }, S.keywords.locale) : null,
                  h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, S.common.actions)),
                ),
              ),
              h('tbody', null, rows),
            ),
          )
        : null,
      pager,
    );
  }
}
