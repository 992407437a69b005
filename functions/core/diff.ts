/**
 * What changed between two states: a campaign and its next revision, a partner and its next revision, a published
 * ruleset and the next version. Keywords are compared by id (ids stay stable across edits and imports), negative
 * keywords by match type and text, messages by locale. Lists of items are sampled so that a change to a campaign
 * of 100,000 keywords is described in a few kilobytes: counts are always exact, samples are the first `sample`
 * items of each kind.
 */
import type { Campaign, Keyword, Message, NegativeKeyword, Partner } from './model.js';

/** The fields of a campaign compared one by one (keywords, negatives and messages have their own lists). */
export const CAMPAIGN_FIELDS = [
  'name',
  'status',
  'priority',
  'locales',
  'regions',
  'startsAt',
  'endsAt',
  'defaultLocale',
  'banner',
] as const;

export interface FieldChange {
  before: unknown;
  after: unknown;
}

export interface KeywordView {
  id: string;
  text: string;
  match: string;
  locale?: string;
}

export interface KeywordDiff {
  added: Keyword[];
  removed: Keyword[];
  changed: Array<{ before: Keyword; after: Keyword }>;
  unchanged: number;
}

/** Keywords compared by id: an id on both sides with another text, match type or locale is a change. */
export function diffKeywords(before: readonly Keyword[], after: readonly Keyword[]): KeywordDiff {
  const old = new Map<string, Keyword>();
  for (const keyword of before) old.set(keyword.id, keyword);
  const seen = new Set<string>();
  const diff: KeywordDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const keyword of after) {
    seen.add(keyword.id);
    const previous = old.get(keyword.id);
    if (!previous) diff.added.push(keyword);
    else if (sameKeyword(previous, keyword)) diff.unchanged++;
    else diff.changed.push({ before: previous, after: keyword });
  }
  for (const keyword of before) if (!seen.has(keyword.id)) diff.removed.push(keyword);
  return diff;
}

function sameKeyword(a: Keyword, b: Keyword): boolean {
  return a.text === b.text && a.match === b.match && (a.locale ?? null) === (b.locale ?? null);
}

export function diffNegatives(
  before: readonly NegativeKeyword[],
  after: readonly NegativeKeyword[],
): { added: NegativeKeyword[]; removed: NegativeKeyword[] } {
  const key = (k: NegativeKeyword) => `${k.match}\u0000${k.text}`;
  const old = new Set(before.map(key));
  const now = new Set(after.map(key));
  return { added: after.filter((k) => !old.has(key(k))), removed: before.filter((k) => !now.has(key(k))) };
}

export function diffMessages(
  before: Readonly<Record<string, Message>>,
  after: Readonly<Record<string, Message>>,
): { added: string[]; removed: string[]; changed: string[] } {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [locale, message] of Object.entries(after)) {
    const previous = before[locale];
    if (!previous) added.push(locale);
    else if (JSON.stringify(previous) !== JSON.stringify(message)) changed.push(locale);
  }
  const removed = Object.keys(before).filter((locale) => !(locale in after));
  return { added, removed, changed };
}

const EMPTY: Pick<Campaign, 'keywords' | 'negativeKeywords' | 'messages'> = {
  keywords: [],
  negativeKeywords: [],
  messages: {},
};

function changedFields(before: Campaign | null, after: Campaign | null): Record<string, FieldChange> {
  const fields: Record<string, FieldChange> = {};
  for (const field of CAMPAIGN_FIELDS) {
    const a = before ? before[field] : undefined;
    const b = after ? after[field] : undefined;
    if (JSON.stringify(a) !== JSON.stringify(b)) fields[field] = { before: a ?? null, after: b ?? null };
  }
  return fields;
}

/** A change to one campaign, as the audit keeps it. `before`/`after` null for a create/delete. */
export interface CampaignChanges {
  fields: Record<string, FieldChange>;
  keywords: {
    before: number;
    after: number;
    added: number;
    removed: number;
    changed: number;
    sample: {
      added: KeywordView[];
      removed: KeywordView[];
      changed: Array<{ before: KeywordView; after: KeywordView }>;
    };
  };
  negativeKeywords: { added: NegativeKeyword[]; removed: NegativeKeyword[] };
  messages: {
    added: string[];
    removed: string[];
    changed: string[];
    /** The messages as they were and became, for the locales above, when they fit. */
    before?: Record<string, Message>;
    after?: Record<string, Message>;
  };
}

export interface CampaignDiffOptions {
  /** How many keywords of each kind to list. */
  sample: number;
  /** Whether to keep the text of changed messages. */
  messageText: boolean;
}

export function diffCampaign(
  before: Campaign | null,
  after: Campaign | null,
  options: CampaignDiffOptions = { sample: 50, messageText: true },
): CampaignChanges {
  const b = before ?? EMPTY;
  const a = after ?? EMPTY;
  const keywords = diffKeywords(b.keywords, a.keywords);
  const negatives = diffNegatives(b.negativeKeywords, a.negativeKeywords);
  const messages = diffMessages(b.messages, a.messages);
  const n = options.sample;
  const changes: CampaignChanges = {
    fields: changedFields(before, after),
    keywords: {
      before: b.keywords.length,
      after: a.keywords.length,
      added: keywords.added.length,
      removed: keywords.removed.length,
      changed: keywords.changed.length,
      sample: {
        added: keywords.added.slice(0, n).map(keywordView),
        removed: keywords.removed.slice(0, n).map(keywordView),
        changed: keywords.changed
          .slice(0, n)
          .map((c) => ({ before: keywordView(c.before), after: keywordView(c.after) })),
      },
    },
    negativeKeywords: { added: negatives.added.slice(0, n), removed: negatives.removed.slice(0, n) },
    messages: { ...messages },
  };
  if (options.messageText) {
    const touched = [...messages.added, ...messages.removed, ...messages.changed];
    const pick = (from: Readonly<Record<string, Message>>) =>
      Object.fromEntries(
        touched.filter((locale) => from[locale]).map((locale) => [locale, from[locale] as Message]),
      );
    if (touched.length > 0) {
      changes.messages.before = pick(b.messages);
      changes.messages.after = pick(a.messages);
    }
  }
  return changes;
}

export function keywordView(keyword: Keyword): KeywordView {
  const view: KeywordView = { id: keyword.id, text: keyword.text, match: keyword.match };
  if (keyword.locale) view.locale = keyword.locale;
  return view;
}

/** Whether a campaign diff holds any change at all. */
export function isEmptyCampaignDiff(changes: CampaignChanges): boolean {
  const k = changes.keywords;
  const m = changes.messages;
  return (
    Object.keys(changes.fields).length === 0 &&
    k.added + k.removed + k.changed === 0 &&
    changes.negativeKeywords.added.length + changes.negativeKeywords.removed.length === 0 &&
    m.added.length + m.removed.length + m.changed.length === 0
  );
}

// ---------------------------------------------------------------------------------------------------------
// Published versions.

export interface CampaignRef {
  id: string;
  name: string;
}

export interface VersionCampaignChange extends CampaignRef {
  /** What differs: campaign fields by name, and `keywords`, `negativeKeywords`, `messages`. */
  fields: string[];
  keywords: { added: number; removed: number; changed: number };
}

/** What a published version changed against the one before it. */
export interface VersionChanges {
  campaigns: {
    added: CampaignRef[];
    removed: CampaignRef[];
    changed: VersionCampaignChange[];
    /** How many of each, when the lists above were cut short. */
    counts: { added: number; removed: number; changed: number };
  };
  keywords: { added: number; removed: number; changed: number };
}

/** Campaigns added, removed and changed, and keyword totals, from one published ruleset to the next. */
export function diffRulesets(
  before: readonly Campaign[],
  after: readonly Campaign[],
  sample = 100,
): VersionChanges {
  const old = new Map(before.map((c) => [c.id, c]));
  const now = new Map(after.map((c) => [c.id, c]));
  const added: CampaignRef[] = [];
  const removed: CampaignRef[] = [];
  const changed: VersionCampaignChange[] = [];
  const keywords = { added: 0, removed: 0, changed: 0 };
  for (const campaign of after) {
    const prior = old.get(campaign.id);
    if (!prior) {
      added.push(ref(campaign));
      keywords.added += campaign.keywords.length;
      continue;
    }
    const k = diffKeywords(prior.keywords, campaign.keywords);
    const fields = Object.keys(changedFields(prior, campaign));
    if (k.added.length + k.removed.length + k.changed.length > 0) fields.push('keywords');
    const n = diffNegatives(prior.negativeKeywords, campaign.negativeKeywords);
    if (n.added.length + n.removed.length > 0) fields.push('negativeKeywords');
    const m = diffMessages(prior.messages, campaign.messages);
    if (m.added.length + m.removed.length + m.changed.length > 0) fields.push('messages');
    if (fields.length === 0) continue;
    const counts = { added: k.added.length, removed: k.removed.length, changed: k.changed.length };
    keywords.added += counts.added;
    keywords.removed += counts.removed;
    keywords.changed += counts.changed;
    changed.push({ ...ref(campaign), fields, keywords: counts });
  }
  for (const campaign of before) {
    if (now.has(campaign.id)) continue;
    removed.push(ref(campaign));
    keywords.removed += campaign.keywords.length;
  }
  return {
    campaigns: {
      added: added.slice(0, sample),
      removed: removed.slice(0, sample),
      changed: changed.slice(0, sample),
      counts: { added: added.length, removed: removed.length, changed: changed.length },
    },
    keywords,
  };
}

function ref(campaign: Campaign): CampaignRef {
  return { id: campaign.id, name: campaign.name };
}

// ---------------------------------------------------------------------------------------------------------
// Partners. Only what admins may see: never a key hash.

export interface PartnerChanges {
  fields: Record<string, FieldChange>;
  keys: {
    issued: Array<{ id: string; prefix: string; createdAt: string }>;
    revoked: Array<{ id: string; prefix: string; revokedAt: string }>;
  };
}

export function diffPartner(before: Partner | null, after: Partner): PartnerChanges {
  const fields: Record<string, FieldChange> = {};
  for (const field of ['name', 'allowedOrigins', 'status', 'siteKey'] as const) {
    const a = before ? before[field] : null;
    const b = after[field];
    if (JSON.stringify(a) !== JSON.stringify(b)) fields[field] = { before: a, after: b };
  }
  const old = new Map((before?.keys ?? []).map((k) => [k.id, k]));
  const issued: PartnerChanges['keys']['issued'] = [];
  const revoked: PartnerChanges['keys']['revoked'] = [];
  for (const key of after.keys) {
    const prior = old.get(key.id);
    if (!prior) issued.push({ id: key.id, prefix: key.prefix, createdAt: key.createdAt });
    if (key.revokedAt && !prior?.revokedAt)
      revoked.push({ id: key.id, prefix: key.prefix, revokedAt: key.revokedAt });
  }
  return { fields, keys: { issued, revoked } };
}
