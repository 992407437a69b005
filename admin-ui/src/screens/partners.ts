/**
 * Partners: create, edit allowed origins, disable; issue and revoke secret keys (a new secret is shown once,
 * with a copy button, and kept nowhere: not even in this page once it is left); the widget embed snippet with
 * the partner's site key and the script's Subresource Integrity hash.
 */
import { ApiError } from '../api';
import { h, replace, uid } from '../dom';
import type { Ctx } from '../main';
import type { PartnerDoc } from '../model';
import { S } from '../strings';
import {
  badge,
  busy,
  button,
  confirmDialog,
  copyButton,
  errorNotice,
  FieldErrors,
  field,
  input,
  loading,
  notice,
  pageHeader,
  table,
  when,
} from '../ui';

/** A secret just made, to show once on the partner's page; cleared as soon as it is shown. */
let fresh: { partnerId: string; secret: string } | null = null;

const lines = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The name and allowed-origins form, for a new partner and for editing one. */
function partnerForm(
  errors: FieldErrors,
  name: HTMLInputElement,
  origins: HTMLTextAreaElement,
  submit: HTMLButtonElement,
): HTMLFormElement {
  return h(
    'form',
    { novalidate: true },
    errors.summary,
    field(name, { label: S.partners.name, path: ['name'], errors }),
    field(origins, {
      label: S.partners.origins,
      hint: S.partners.originsHint,
      path: ['allowedOrigins'],
      errors,
    }),
    submit,
  );
}

export async function partnerList(ctx: Ctx): Promise<void> {
  const list = h('div', null, loading());
  const createId = uid('h');
  const errors = new FieldErrors();
  const name = input({ autocomplete: 'off' });
  const origins = h('textarea', { rows: 3, spellcheck: 'false' });
  const create = h('button', { type: 'submit', class: 'btn primary' }, S.partners.create);
  const form = partnerForm(errors, name, origins, create);
  ctx.view.append(
    pageHeader(S.partners.title),
    list,
    h('section', { 'aria-labelledby': createId }, h('h2', { id: createId }, S.partners.createTitle), form),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    errors.clear();
    void busy(create, async () => {
      try {
        const { data } = await ctx.api.post<{ partner: PartnerDoc; secretKey: string }>(
          '/admin/v1/partners',
          {
            name: name.value,
            allowedOrigins: lines(origins.value),
          },
        );
        fresh = { partnerId: data.partner.id, secret: data.secretKey };
        ctx.navigate(`partners/${data.partner.id}`);
      } catch (error) {
        errors.show(error);
      }
    });
  });

  const { data } = await ctx.api.get<{ partners: PartnerDoc[] }>('/admin/v1/partners');
  list.replaceChildren(
    data.partners.length
      ? table(
          S.partners.caption(data.partners.length),
          [S.partners.name, S.partners.status, S.partners.origins, S.partners.siteKey, S.partners.keys],
          data.partners.map((p) => [
            h('a', { href: `#/partners/${p.id}` }, p.name),
            statusBadge(p.status),
            p.allowedOrigins.length
              ? h(
                  'ul',
                  { class: 'plain' },
                  p.allowedOrigins.map((o) => h('li', null, o)),
                )
              : S.partners.noOrigins,
            h('code', null, p.siteKey),
            S.partners.activeKeys(p.keys.filter((k) => !k.revokedAt).length),
          ]),
          { rowHeader: true },
        )
      : notice('info', h('p', null, S.partners.empty)),
  );
}

function statusBadge(status: string) {
  return badge(
    status === 'active' ? S.partners.active : S.partners.disabled,
    status === 'active' ? 'ok' : 'danger',
  );
}

export async function partnerDetail(ctx: Ctx, id: string): Promise<void> {
  let { data: partner, etag } = await ctx.api.get<PartnerDoc>(`/admin/v1/partners/${id}`);
  const flash = h('div', { class: 'flash', tabindex: '-1' });
  const secretArea = h('div', { class: 'secret-area', tabindex: '-1' });
  const header = h('div');
  const editBox = h('div');
  const keysBox = h('div');
  const embedBox = h('div', null, loading());
  const ids = { edit: uid('h'), keys: uid('h'), embed: uid('h') };
  ctx.view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/partners' }, S.partners.back)),
    header,
    flash,
    secretArea,
    h('section', { 'aria-labelledby': ids.edit }, h('h2', { id: ids.edit }, S.partners.editTitle), editBox),
    h('section', { 'aria-labelledby': ids.keys }, h('h2', { id: ids.keys }, S.partners.keysTitle), keysBox),
    h(
      'section',
      { 'aria-labelledby': ids.embed },
      h('h2', { id: ids.embed }, S.partners.embedTitle),
      embedBox,
    ),
  );

  /** A notice, focused so a screen reader reads it. */
  const say = (node: HTMLElement) => {
    flash.replaceChildren(node);
    flash.focus();
  };

  const showSecret = (secret: string) => {
    const code = h('code', { class: 'secret' }, secret);
    secretArea.replaceChildren(
      notice(
        'warning',
        h('h2', null, S.partners.secretTitle),
        h('p', null, S.partners.secretOnce),
        h('p', null, code),
        copyButton(S.partners.copySecret, () => secret, code),
      ),
    );
    secretArea.focus();
  };

  /** A write that failed because someone else changed the partner first: explain, offer a reload. */
  const stale = () => {
    const reload = button(
      S.editor.staleReload,
      async () => {
        await busy(reload, refresh);
        say(notice('success', h('p', null, S.editor.reloaded)));
      },
      'primary',
    );
    say(notice('warning', h('h2', null, S.partners.staleTitle), h('p', null, S.partners.staleBody), reload));
  };

  const failed = (error: unknown) => {
    if (error instanceof ApiError && error.status === 412) return stale();
    say(errorNotice(error));
  };

  const refresh = async () => {
    const res = await ctx.api.get<PartnerDoc>(`/admin/v1/partners/${id}`);
    partner = res.data;
    etag = res.etag;
    render();
  };

  const render = () => {
    const toggle =
      partner.status === 'active'
        ? button(
            S.partners.disable,
            async () => {
              const ok = await confirmDialog({
                title: S.partners.disableTitle(partner.name),
                body: h('p', null, S.partners.disableBody),
                confirm: S.partners.disable,
                danger: true,
              });
              if (ok) await setStatus('disabled');
            },
            'danger',
          )
        : button(S.partners.enable, () => void setStatus('active'));
    header.replaceChildren(
      pageHeader(partner.name, toggle),
      h('p', null, statusBadge(partner.status), ' ', S.partners.created, ' ', when(partner.createdAt)),
    );

    const errors = new FieldErrors();
    const name = input({ value: partner.name, autocomplete: 'off' });
    const origins = h('textarea', {
      rows: Math.max(3, partner.allowedOrigins.length + 1),
      spellcheck: 'false',
    });
    origins.value = partner.allowedOrigins.join('\n');
    const save = h('button', { type: 'submit', class: 'btn primary' }, S.partners.save);
    const form = partnerForm(errors, name, origins, save);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      errors.clear();
      void busy(save, async () => {
        try {
          const res = await ctx.api.patch<PartnerDoc>(
            `/admin/v1/partners/${id}`,
            { name: name.value, allowedOrigins: lines(origins.value) },
            { ifMatch: etag },
          );
          partner = res.data;
          etag = res.etag;
          render();
          say(notice('success', h('p', null, S.partners.saved)));
        } catch (error) {
          if (error instanceof ApiError && error.status === 400) errors.show(error);
          else failed(error);
        }
      });
    });
    editBox.replaceChildren(form);

    const issue = button(
      S.partners.issueKey,
      () =>
        void busy(issue, async () => {
          try {
            const res = await ctx.api.post<{ key: { prefix: string }; secretKey: string }>(
              `/admin/v1/partners/${id}/keys`,
              undefined,
              { ifMatch: etag },
            );
            await refresh();
            showSecret(res.data.secretKey);
          } catch (error) {
            failed(error);
          }
        }),
      'primary',
    );
    keysBox.replaceChildren(
      partner.keys.length
        ? table(
            S.partners.keysCaption(partner.keys.length),
            [S.partners.keyPrefix, S.partners.keyCreated, S.partners.status, S.common.actions],
            partner.keys.map((k) => [
              h('code', null, `${k.prefix}…`),
              when(k.createdAt),
              k.revokedAt
                ? h('span', null, badge(S.partners.revoked, 'danger'), ' ', when(k.revokedAt))
                : badge(S.partners.active, 'ok'),
              k.revokedAt
                ? ''
                : button(
                    S.partners.revoke,
                    async () => {
                      const ok = await confirmDialog({
                        title: S.partners.revokeTitle(k.prefix),
                        body: h('p', null, S.partners.revokeBody),
                        confirm: S.partners.revoke,
                        danger: true,
                      });
                      if (!ok) return;
                      try {
                        const res = await ctx.api.delete<PartnerDoc>(
                          `/admin/v1/partners/${id}/keys/${k.id}`,
                          { ifMatch: etag },
                        );
                        partner = res.data;
                        etag = res.etag;
                        render();
                        say(notice('success', h('p', null, S.partners.revokedDone(k.prefix))));
                      } catch (error) {
                        failed(error);
                      }
                    },
                    'danger',
                    { 'aria-label': S.partners.revokeLabel(k.prefix) },
                  ),
            ]),
            { rowHeader: true },
          )
        : h('p', null, S.partners.noKeys),
      issue,
    );
  };

  const setStatus = async (status: 'active' | 'disabled') => {
    try {
      const res = await ctx.api.patch<PartnerDoc>(`/admin/v1/partners/${id}`, { status }, { ifMatch: etag });
      partner = res.data;
      etag = res.etag;
      render();
      const text = status === 'active' ? S.partners.enabledDone : S.partners.disabledDone;
      say(notice('success', h('p', null, text)));
    } catch (error) {
      failed(error);
    }
  };

  render();
  if (fresh?.partnerId === id) {
    showSecret(fresh.secret);
    fresh = null;
  }
  await renderEmbed(ctx, embedBox, partner);
}

/** The widget's pinned URL, named by its hash as GET /widget/v1.<hash>.js serves it. */
function pinnedName(sri: string): string {
  const bytes = atob(sri.replace(/^sha384-/, ''));
  let hex = '';
  for (let i = 0; i < 6; i++) hex += bytes.charCodeAt(i).toString(16).padStart(2, '0');
  return `v1.${hex}.js`;
}

async function renderEmbed(ctx: Ctx, box: HTMLElement, partner: PartnerDoc): Promise<void> {
  let sri: string;
  try {
    const res = await ctx.api.get<string>('/widget/v1.js.sri', { anonymous: true, accept: 'text/plain' });
    sri = String(res.data).trim();
  } catch (error) {
    box.replaceChildren(errorNotice(error));
    return;
  }
  const snippet = `<script src="${location.origin}/widget/${pinnedName(sri)}"
        integrity="${sri}" crossorigin="anonymous"
        data-site-key="${partner.siteKey}" data-query="${S.partners.queryPlaceholder}" async></script>`;
  const code = h('code', { class: 'snippet' }, snippet);
  replace(
    box,
    h('p', null, S.partners.embedIntro),
    h(
      'div',
      { class: 'code-wrap', role: 'region', 'aria-label': S.partners.embedTitle, tabindex: '0' },
      h('pre', null, code),
    ),
    copyButton(S.partners.copySnippet, () => snippet, code),
    h('p', { class: 'hint' }, S.partners.embedHint),
    partner.allowedOrigins.length ? null : notice('warning', h('p', null, S.partners.embedNoOrigins)),
  );
}
