/**
 * Test a query: explain it against the drafts and the published ruleset side by side. The query is sent in a
 * request body only; it never enters the page's address, its history or storage.
 */
import { isRecord } from '../api';
import { h, replace, uid } from '../dom';
import type { Ctx } from '../main';
import { messagePreview } from '../preview';
import { S } from '../strings';
import { busy, errorNotice, FieldErrors, field, input, notice, pageHeader, table } from '../ui';

interface Hit {
  campaignId: string;
  campaignName: string;
  keyword: { text: string; match: string };
  variant: string | null;
  matchedText: string;
  outcome?: string;
  reason?: { code: string; message: string; negativeKeyword?: { text: string; match: string } };
  message?: { locale: string; title: string; body: string; actions: { label: string; href: string }[] };
}

interface Explanation {
  normalizedQuery: string;
  tokens?: string[];
  match: Hit | null;
  hits: Hit[];
  ruleset?: { kind: string; version: number | null };
}

export function testQuery(ctx: Ctx): void {
  const errors = new FieldErrors();
  const query = input({ autocomplete: 'off', spellcheck: 'false', maxlength: 512 });
  const locale = input({ autocomplete: 'off', size: 8 });
  const region = input({ autocomplete: 'off', size: 6 });
  const run = h('button', { type: 'submit', class: 'btn primary' }, S.test.run);
  const results = h('div', { class: 'results', tabindex: '-1' });
  const form = h(
    'form',
    { novalidate: true, role: 'search', 'aria-label': S.test.title },
    field(query, { label: S.test.query, hint: S.test.queryHint, path: ['query'], errors }),
    h(
      'div',
      { class: 'row' },
      field(locale, { label: S.test.locale, hint: S.test.localeHint, path: ['locale'], errors }),
      field(region, { label: S.test.region, hint: S.test.regionHint, path: ['region'], errors }),
    ),
    run,
  );
  ctx.view.append(pageHeader(S.test.title), h('p', null, S.test.intro), errors.summary, form, results);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    errors.clear();
    void busy(run, async () => {
      const body = {
        query: query.value,
        ...(locale.value.trim() && { locale: locale.value.trim() }),
        ...(region.value.trim() && { region: region.value.trim() }),
      };
      const ask = (ruleset: 'draft' | 'published') =>
        ctx.api.post<Explanation>('/admin/v1/explain', { ...body, ruleset }).then(
          (res) => ({ ok: true as const, data: res.data }),
          (error: unknown) => ({ ok: false as const, error }),
        );
      const [draft, published] = await Promise.all([ask('draft'), ask('published')]);
      if (!draft.ok && !published.ok) {
        errors.show(draft.error);
        results.replaceChildren();
        return;
      }
      const same = draft.ok && published.ok && outcome(draft.data) === outcome(published.data);
      replace(
        results,
        draft.ok && published.ok
          ? notice(same ? 'info' : 'warning', h('p', null, same ? S.test.same : S.test.differs))
          : null,
        h(
          'div',
          { class: 'side-by-side' },
          panel(S.test.draft, draft.ok ? draft.data : null, draft.ok ? null : draft.error),
          panel(
            S.test.published,
            published.ok ? published.data : null,
            published.ok ? null : published.error,
          ),
        ),
      );
      ctx.announce(draft.ok ? summary(draft.data) : S.test.failed);
      results.focus();
    });
  });
  query.focus();
}

function outcome(e: Explanation): string {
  return e.match ? `${e.match.campaignId}/${e.match.keyword.text}/${e.match.keyword.match}` : '';
}

function summary(e: Explanation): string {
  return e.match ? S.test.matchSummary(e.match.campaignName, e.match.keyword.text) : S.test.noMatch;
}

function panel(title: string, e: Explanation | null, error: unknown): HTMLElement {
  const headingId = uid('h');
  const section = h(
    'section',
    { class: 'panel', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title, e?.ruleset?.version ? ` · ${S.test.version(e.ruleset.version)}` : ''),
  );
  if (!e) {
    section.append(errorNotice(error));
    return section;
  }
  section.append(
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, S.test.normalized),
      h('dd', null, h('code', null, e.normalizedQuery || S.diff.none)),
    ),
  );
  const m = e.match;
  if (m) {
    section.append(
      h(
        'div',
        { class: 'hit' },
        h(
          'p',
          null,
          h('strong', null, S.test.matches),
          ' ',
          h('a', { href: `#/campaigns/${m.campaignId}` }, m.campaignName),
        ),
        h(
          'dl',
          { class: 'facts' },
          h('dt', null, S.test.keyword),
          h(
            'dd',
            null,
            h('code', null, m.keyword.text),
            ` (${S.match[m.keyword.match as 'exact'] ?? m.keyword.match})`,
          ),
          h('dt', null, S.test.matchedText),
          h('dd', null, h('code', null, m.matchedText)),
          h('dt', null, S.test.variant),
          h('dd', null, m.variant ? (S.variants[m.variant as 'plural'] ?? m.variant) : S.test.literal),
        ),
      ),
    );
    if (m.message && isRecord(m.message)) {
      const preview = messagePreview(S.test.messageCaption(m.message.locale));
      preview.update(m.message.locale, m.message);
      section.append(preview.element);
    }
  } else {
    section.append(h('p', null, h('strong', null, S.test.noMatch)));
  }
  const hits = Array.isArray(e.hits) ? e.hits : [];
  if (hits.length) {
    section.append(
      table(
        S.test.hitsCaption(hits.length),
        [S.test.colCampaign, S.test.colKeyword, S.test.colOutcome, S.test.colReason],
        hits.map((hit) => [
          h('a', { href: `#/campaigns/${hit.campaignId}` }, hit.campaignName),
          h(
            'span',
            null,
            h('code', null, hit.keyword.text),
            ` (${S.match[hit.keyword.match as 'exact'] ?? hit.keyword.match}${hit.variant ? `, ${S.variants[hit.variant as 'plural'] ?? hit.variant}` : ''})`,
          ),
          hit.outcome === 'selected' ? S.test.selected : S.test.excluded,
          hit.reason ? reasonText(hit.reason) : '',
        ]),
        { rowHeader: true },
      ),
    );
  } else {
    section.append(h('p', { class: 'muted' }, S.test.noHits));
  }
  return section;
}

function reasonText(reason: NonNullable<Hit['reason']>): string {
  const label = S.reasons[reason.code as 'paused'] ?? reason.code;
  const negative = reason.negativeKeyword ? ` "${reason.negativeKeyword.text}"` : '';
  return reason.message ? `${label}${negative}: ${reason.message}` : `${label}${negative}`;
}
