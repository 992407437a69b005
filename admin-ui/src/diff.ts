/**
 * What publishing would change: the drafts against the published campaigns, campaign by campaign and field
 * by field, in sentences an admin can check before pressing Publish.
 */
import { type Campaign, comparable } from './model';
import { S } from './strings';

export interface CampaignChange {
  id: string;
  name: string;
  kind: 'added' | 'removed' | 'changed';
  details: string[];
}

export function diffCampaigns(drafts: Campaign[], published: Campaign[]): CampaignChange[] {
  const before = new Map(published.map((c) => [c.id, c]));
  const after = new Map(drafts.map((c) => [c.id, c]));
  const changes: CampaignChange[] = [];
  for (const draft of drafts) {
    const old = before.get(draft.id);
    if (!old) {
      changes.push({
        id: draft.id,
        name: draft.name,
        kind: 'added',
        details: [S.diff.keywordCount(draft.keywords.length), S.diff.languages(Object.keys(draft.messages))],
      });
    } else if (comparable(old) !== comparable(draft)) {
      changes.push({ id: draft.id, name: draft.name, kind: 'changed', details: fieldChanges(old, draft) });
    }
  }
  for (const old of published) {
    if (!after.has(old.id)) changes.push({ id: old.id, name: old.name, kind: 'removed', details: [] });
  }
  return changes;
}

const list = (items: string[]) => items.join(', ') || S.diff.none;

function fieldChanges(a: Campaign, b: Campaign): string[] {
  const out: string[] = [];
  const scalar = (label: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(S.diff.field(label, show(x), show(y)));
  };
  scalar(S.campaign.name, a.name, b.name);
  scalar(S.campaign.status, a.status, b.status);
  scalar(S.campaign.priority, a.priority, b.priority);
  scalar(S.campaign.locales, list(a.locales), list(b.locales));
  scalar(S.campaign.regions, list(a.regions), list(b.regions));
  scalar(S.campaign.startsAt, a.startsAt, b.startsAt);
  scalar(S.campaign.endsAt, a.endsAt, b.endsAt);
  scalar(S.campaign.defaultLocale, a.defaultLocale, b.defaultLocale);
  scalar(S.campaign.banner, a.banner ? S.common.yes : S.common.no, b.banner ? S.common.yes : S.common.no);

  const key = (k: { text: string; match: string }) => `${k.text}\u0000${k.match}`;
  const words = (
    before: { text: string; match: string }[],
    after: { text: string; match: string }[],
    negative: boolean,
  ) => {
    const was = new Set(before.map(key));
    const now = new Set(after.map(key));
    const added = after
      .filter((k) => !was.has(key(k)))
      .map((k) => `${k.text} (${S.match[k.match as 'exact'] ?? k.match})`);
    const removed = before
      .filter((k) => !now.has(key(k)))
      .map((k) => `${k.text} (${S.match[k.match as 'exact'] ?? k.match})`);
    if (added.length) out.push(S.diff.keywordsAdded(added.length, negative, sample(added)));
    if (removed.length) out.push(S.diff.keywordsRemoved(removed.length, negative, sample(removed)));
  };
  words(a.keywords, b.keywords, false);
  words(a.negativeKeywords ?? [], b.negativeKeywords ?? [], true);

  for (const locale of new Set([...Object.keys(a.messages), ...Object.keys(b.messages)])) {
    const x = a.messages[locale];
    const y = b.messages[locale];
    if (!x) out.push(S.diff.messageAdded(locale));
    else if (!y) out.push(S.diff.messageRemoved(locale));
    else {
      const parts: string[] = [];
      if (x.title !== y.title) parts.push(S.campaign.messageTitle);
      if (x.body !== y.body) parts.push(S.campaign.messageBody);
      if (JSON.stringify(x.actions) !== JSON.stringify(y.actions)) parts.push(S.campaign.actions);
      if (parts.length) out.push(S.diff.messageChanged(locale, parts));
    }
  }
  return out;
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return S.diff.none;
  return String(value);
}

function sample(items: string[]): string {
  const shown = items.slice(0, 8).join(', ');
  return items.length > 8 ? S.diff.andMore(shown, items.length - 8) : shown;
}
