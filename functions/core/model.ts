/**
 * The domain model: what admins edit (campaigns, partners) and what partners are served (published rulesets).
 * Plain data, no behaviour: the matcher, selection and storage work on these shapes.
 */

export const MATCH_TYPES = ['exact', 'phrase', 'broad'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

export const ACTION_TYPES = ['call', 'text', 'link'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const CAMPAIGN_STATUSES = ['active', 'paused'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface Keyword {
  id: string;
  text: string;
  match: MatchType;
  /** Optional language the keyword was written in (from CSV import); informational, not a filter. */
  locale?: string;
}

export interface NegativeKeyword {
  text: string;
  match: MatchType;
}

export interface Action {
  type: ActionType;
  label: string;
  /** Only `tel:`, `sms:` and `https:`: checked by the schema on the way in and by the widget on the way out. */
  href: string;
}

export interface Message {
  title: string;
  body: string;
  actions: Action[];
}

/** What an admin edits. `messages` is keyed by BCP 47 tag (`en`, `es`, `es-MX`). */
export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  priority: number;
  locales: string[];
  regions: string[];
  startsAt: string | null;
  endsAt: string | null;
  keywords: Keyword[];
  negativeKeywords: NegativeKeyword[];
  messages: Record<string, Message>;
  defaultLocale: string;
  banner: boolean;
}

/** A campaign as stored: the campaign plus its optimistic-locking revision and last change. */
export interface StoredCampaign {
  campaign: Campaign;
  revision: number;
  updatedAt: string;
  updatedBy: string;
}

/** An immutable, numbered snapshot of every campaign, made by publish (or restore). */
export interface Ruleset {
  version: number;
  publishedAt: string;
  publishedBy: string;
  /** When this version re-publishes an older one (restore), the version it came from. */
  restoredFrom?: number;
  campaigns: Campaign[];
}

export const PARTNER_STATUSES = ['active', 'disabled'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** A secret key as stored: never the key itself, only its SHA-256 hash and a short prefix to recognise it. */
export interface PartnerKey {
  id: string;
  hash: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface Partner {
  id: string;
  name: string;
  allowedOrigins: string[];
  siteKey: string;
  status: PartnerStatus;
  keys: PartnerKey[];
  createdAt: string;
  revision: number;
}

/** The message chosen for a request, in the shape of the API's `match.message`. */
export interface ResolvedMessage extends Message {
  locale: string;
}
