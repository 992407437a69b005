/**
 * Publish and restore: what publishing would change (the drafts against the live version) before the button,
 * then the version list with who and when, and restore with one confirmation.
 */
import { ApiError } from '../api';
import { diffCampaigns } from '../diff';
import { h, replace, uid } from '../dom';
import type { Ctx } from '../main';
import { listCampaigns, listVersions, loadPublished, type Version, type VersionPage } from '../model';
import { S } from '../strings';
import {
  badge,
  busy,
  button,
  confirmDialog,
  errorNotice,
  loading,
  notice,
  pageHeader,
  table,
  when,
} from '../ui';

export async function publishScreen(ctx: Ctx): Promise<void> {
  const changesId = uid('h');
  const versionsId = uid('h');
  const outcome = h('div', { class: 'flash', tabindex: '-1' });
  const changes = h('div', null, loading());
  const versions = h('div', null, loading());
  ctx.view.append(
    pageHeader(S.publish.title),
    outcome,
    h(
      'section',
      { 'aria-labelledby': changesId },
      h('h2', { id: changesId }, S.publish.changesTitle),
      changes,
    ),
    h(
      'section',
      { 'aria-labelledby': versionsId },
      h('h2', { id: versionsId }, S.publish.versionsTitle),
      versions,
    ),
  );

  const show = (kind: 'success' | 'error', text: string) => {
    outcome.replaceChildren(
      kind === 'success' ? notice('success', h('p', null, text)) : errorNotice(new ApiError(0, 'x', text)),
    );
    // Focused, so a screen reader reads it: no separate announcement.
    outcome.focus();
  };

  const loadChanges = async () => {
    const [drafts, published] = await Promise.all([listCampaigns(ctx.api), loadPublished(ctx.api)]);
    const publishButton = button(S.publish.button, () => void publish(publishButton), 'primary');
    if (!published.campaigns) {
      changes.replaceChildren(notice('info', h('p', null, S.publish.noDiff)), publishButton);
      return;
    }
    const diff = diffCampaigns(drafts, published.campaigns);
    if (!diff.length) {
      replace(
        changes,
        h(
          'p',
          null,
          published.version === null ? S.publish.nothingYet : S.publish.upToDate(published.version),
        ),
        published.version === null ? publishButton : null,
      );
      return;
    }
    changes.replaceChildren(
      h('p', null, S.publish.intro(diff.length, published.version)),
      h(
        'ul',
        { class: 'diff' },
        diff.map((c) =>
          h(
            'li',
            { class: `diff-${c.kind}` },
            badge(
              S.publish.kind[c.kind],
              c.kind === 'removed' ? 'danger' : c.kind === 'added' ? 'ok' : 'warn',
            ),
            ' ',
            c.kind === 'removed'
              ? h('strong', null, c.name)
              : h('a', { href: `#/campaigns/${c.id}` }, c.name),
            c.details.length
              ? h(
                  'ul',
                  null,
                  c.details.map((d) => h('li', null, d)),
                )
              : null,
          ),
        ),
      ),
      publishButton,
    );
  };

  const publish = async (control: HTMLButtonElement) => {
    await busy(control, async () => {
      try {
        const { data } = await ctx.api.post<{ version: number; campaigns?: number; keywords?: number }>(
          '/admin/v1/publish',
        );
        show('success', S.publish.published(data.version));
        await Promise.all([loadChanges(), loadVersions()]);
      } catch (error) {
        show('error', error instanceof ApiError ? error.message : S.errors.unexpected);
      }
    });
  };

  let shown: Version[] = [];
  let live: number | null = null;
  const loadVersions = async (before?: number) => {
    let page: VersionPage;
    try {
      page = await listVersions(ctx.api, before);
    } catch (error) {
      versions.replaceChildren(errorNotice(error));
      return;
    }
    live = page.live;
    shown = before ? [...shown, ...page.versions] : page.versions;
    const older = page.next;
    const more = older ? button(S.publish.older, () => void busy(more, () => loadVersions(older))) : null;
    replace(
      versions,
      shown.length
        ? table(
            S.publish.versionsCaption(shown.length),
            [
              S.publish.colVersion,
              S.publish.colWhen,
              S.publish.colWho,
              S.publish.colContents,
              S.publish.colChanges,
              S.common.actions,
            ],
            shown.map((v) => [
              h(
                'span',
                null,
                String(v.version),
                v.version === live ? h('span', null, ' ', badge(S.publish.live, 'ok')) : null,
              ),
              when(v.publishedAt),
              v.publishedBy,
              S.publish.contents(v.campaigns, v.keywords),
              [
                v.restoredFrom !== null ? h('p', null, S.publish.restoredFrom(v.restoredFrom)) : null,
                v.changes ?? '',
              ],
              v.version === live ? '' : button(S.publish.restore(v.version), () => void restore(v)),
            ]),
            { rowHeader: true },
          )
        : h('p', null, S.publish.nothingYet),
      more,
    );
  };

  const restore = async (v: Version) => {
    const ok = await confirmDialog({
      title: S.publish.restoreTitle(v.version),
      body: h('p', null, S.publish.restoreBody(v.version)),
      confirm: S.publish.restore(v.version),
    });
    if (!ok) return;
    try {
      const { data } = await ctx.api.post<{ version?: number }>(`/admin/v1/versions/${v.version}/restore`);
      show('success', S.publish.restored(v.version, typeof data?.version === 'number' ? data.version : null));
      await Promise.all([loadChanges(), loadVersions()]);
    } catch (error) {
      show('error', error instanceof ApiError ? error.message : S.errors.unexpected);
    }
  };

  await Promise.all([
    loadChanges().catch((error: unknown) => changes.replaceChildren(errorNotice(error))),
    loadVersions(),
  ]);
}
