/** The campaign list: status, priority, targeting, keyword counts, last change, and draft vs published. */
import { h, replace } from '../dom';
import type { Ctx } from '../main';
import { type Campaign, comparable, listCampaigns, loadPublished, type Published } from '../model';
import { S } from '../strings';
import { badge, loading, notice, pageHeader, table, when } from '../ui';

export async function campaignList(ctx: Ctx): Promise<void> {
  const body = h('div', null, loading());
  ctx.view.append(
    pageHeader(
      S.campaigns.title,
      h('a', { href: '#/campaigns/new', class: 'btn primary' }, S.campaigns.create),
    ),
    body,
  );

  const [campaigns, published] = await Promise.all([
    listCampaigns(ctx.api),
    loadPublished(ctx.api).catch((): Published => ({ version: null, campaigns: null })),
  ]);
  if (!campaigns.length) {
    body.replaceChildren(notice('info', h('p', null, S.campaigns.empty)));
    return;
  }
  const live = new Map((published.campaigns ?? []).map((c) => [c.id, c]));
  const publishState = (c: Campaign) => {
    if (!published.campaigns) return badge(S.campaigns.publishUnknown, 'neutral');
    const old = live.get(c.id);
    if (!old) return badge(S.campaigns.notPublished, 'warn');
    return comparable(old) === comparable(c)
      ? badge(S.campaigns.same, 'ok')
      : badge(S.campaigns.differs, 'warn');
  };
  const removed = (published.campaigns ?? []).filter((c) => !campaigns.some((d) => d.id === c.id));

  replace(
    body,
    published.version !== null
      ? h('p', { class: 'muted' }, S.campaigns.liveVersion(published.version))
      : null,
    table(
      S.campaigns.caption(campaigns.length),
      [
        S.campaigns.colName,
        S.campaigns.colStatus,
        S.campaigns.colPriority,
        S.campaigns.colTargeting,
        S.campaigns.colKeywords,
        S.campaigns.colChanged,
        S.campaigns.colPublished,
      ],
      campaigns.map((c) => [
        h('a', { href: `#/campaigns/${c.id}` }, c.name),
        badge(S.status[c.status], c.status === 'active' ? 'ok' : 'neutral'),
        String(c.priority),
        h(
          'span',
          null,
          S.campaigns.targeting(c.locales, c.regions),
          c.banner ? h('span', null, ' ', badge(S.campaigns.banner, 'info')) : null,
        ),
        S.campaigns.keywordCounts(c.keywords.length, c.negativeKeywords?.length ?? 0),
        h(
          'span',
          null,
          when(c.updatedAt),
          h('br'),
          h('span', { class: 'muted' }, S.campaigns.by(c.updatedBy)),
        ),
        publishState(c),
      ]),
      { rowHeader: true },
    ),
    removed.length
      ? notice('info', h('p', null, S.campaigns.deletedSincePublish(removed.map((c) => c.name))))
      : null,
    h('p', null, h('a', { href: '#/publish' }, S.campaigns.goPublish)),
  );
}
