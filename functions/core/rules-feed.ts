/**
 * The rules feed (`GET /v1/rules`): the published ruleset in the documented, versioned JSON format partners use
 * to match in their own systems exactly as the service does. docs/rules-feed.md is its specification; this
 * module builds it and reads it back (`campaignsFromFeed`), which is how the tests prove that matching the feed's
 * normalized keywords with the service's matcher answers like /v1/match.
 */
import type { Campaign, MatchType, Message } from './model.js';
import { normalize } from './normalize.js';

export const RULES_FEED_FORMAT = 'signpost.rules';
/** Raised on any change a partner's reader could trip over; additions of optional fields keep it. */
export const RULES_FEED_FORMAT_VERSION = 1;

export interface FeedKeyword {
  id: string;
  /** As the admin wrote it, for display. */
  text: string;
  /** Normalized as the service normalizes (docs/rules-feed.md, "Normalization"): tokens joined by one space. */
  normalized: string;
  match: MatchType;
}

export interface FeedNegativeKeyword {
  text: string;
  normalized: string;
  match: MatchType;
}

export interface FeedCampaign {
  id: string;
  priority: number;
  /** Language subtags or tags; empty for every language. */
  locales: string[];
  /** ISO 3166-1 or 3166-2 codes; empty for every region. */
  regions: string[];
  startsAt: string | null;
  endsAt: string | null;
  banner: boolean;
  defaultLocale: string;
  keywords: FeedKeyword[];
  negativeKeywords: FeedNegativeKeyword[];
  messages: Record<string, Message>;
}

export interface RulesFeed {
  format: typeof RULES_FEED_FORMAT;
  formatVersion: typeof RULES_FEED_FORMAT_VERSION;
  rulesetVersion: number;
  /** Null for version 0, the bundled default served before any ruleset could be read. */
  publishedAt: string | null;
  /** Active campaigns only, in selection order: priority high to low, then id. */
  campaigns: FeedCampaign[];
}

export function buildRulesFeed(ruleset: {
  version: number;
  publishedAt?: string | null;
  campaigns: readonly Campaign[];
}): RulesFeed {
  const campaigns = ruleset.campaigns
    .filter((c) => c.status === 'active')
    .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(
      (c): FeedCampaign => ({
        id: c.id,
        priority: c.priority,
        locales: [...c.locales],
        regions: [...c.regions],
        startsAt: c.startsAt,
        endsAt: c.endsAt,
        banner: c.banner,
        defaultLocale: c.defaultLocale,
        // A keyword that normalizes to nothing matches nothing: left out.
        keywords: c.keywords
          .map((k) => ({ id: k.id, text: k.text, normalized: normalize(k.text), match: k.match }))
          .filter((k) => k.normalized !== ''),
        negativeKeywords: c.negativeKeywords
          .map((k) => ({ text: k.text, normalized: normalize(k.text), match: k.match }))
          .filter((k) => k.normalized !== ''),
        messages: c.messages,
      }),
    );
  return {
    format: RULES_FEED_FORMAT,
    formatVersion: RULES_FEED_FORMAT_VERSION,
    rulesetVersion: ruleset.version,
    publishedAt: ruleset.publishedAt ?? null,
    campaigns,
  };
}

/** A feed back into campaigns, keyword texts being the normalized ones: what a TypeScript partner compiles. */
export function campaignsFromFeed(feed: RulesFeed): Campaign[] {
  return feed.campaigns.map((c) => ({
    id: c.id,
    name: c.id,
    status: 'active',
    priority: c.priority,
    locales: c.locales,
    regions: c.regions,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    keywords: c.keywords.map((k) => ({ id: k.id, text: k.normalized, match: k.match })),
    negativeKeywords: c.negativeKeywords.map((k) => ({ text: k.normalized, match: k.match })),
    messages: c.messages,
    defaultLocale: c.defaultLocale,
    banner: c.banner,
  }));
}
