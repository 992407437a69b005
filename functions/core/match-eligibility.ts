/**
 * Which campaigns may answer a request (status, schedule, locales, regions) and in which language.
 * Campaign data is read once into a `CampaignRules`; a request's locale and region once into a `RequestTarget`.
 */
import type { Campaign, Message, ResolvedMessage } from './model.js';

export interface MatchContext {
  /** BCP 47 tag of the request (`es-MX`); only its language subtag filters campaigns. */
  locale?: string;
  /** ISO 3166-1 (`US`) or ISO 3166-2 (`US-CA`) code of the request. */
  region?: string;
  now: Date;
}

export type IneligibilityReason = 'paused' | 'not_started' | 'ended' | 'locale' | 'region';

/** A campaign's targeting, parsed once. */
export interface CampaignRules {
  readonly active: boolean;
  /** Milliseconds since the epoch, or NaN for no bound (null, or a date that does not parse). */
  readonly startsAt: number;
  readonly endsAt: number;
  /** Lower-case language subtags, or null for every language. */
  readonly languages: ReadonlySet<string> | null;
  /** Upper-case region codes, or null for every region. */
  readonly regions: ReadonlySet<string> | null;
}

/** A request's targeting, parsed once per request. */
export interface RequestTarget {
  readonly now: number;
  /** Lower-case language subtag, or '' when the request has no locale. */
  readonly language: string;
  /** Lower-case full tag with `-` separators, or ''. */
  readonly tag: string;
  /** Upper-case region (`US-CA`) and its country (`US`), or '' when the request has none. */
  readonly region: string;
  readonly country: string;
}

/** The language subtag of a BCP 47 tag, lower case (`es-MX` -> `es`). */
export function languageOf(tag: string): string {
  const t = tag.trim().toLowerCase().replaceAll('_', '-');
  const dash = t.indexOf('-');
  return dash < 0 ? t : t.slice(0, dash);
}

function parseTime(iso: string | null | undefined): number {
  return typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
}

export function campaignRules(campaign: Campaign): CampaignRules {
  const languages = (campaign.locales ?? []).map(languageOf).filter((l) => l.length > 0);
  const regions = (campaign.regions ?? []).map((r) => r.trim().toUpperCase()).filter((r) => r.length > 0);
  return {
    active: campaign.status === 'active',
    startsAt: parseTime(campaign.startsAt),
    endsAt: parseTime(campaign.endsAt),
    languages: languages.length > 0 ? new Set(languages) : null,
    regions: regions.length > 0 ? new Set(regions) : null,
  };
}

export function requestTarget(ctx: MatchContext): RequestTarget {
  const locale = typeof ctx.locale === 'string' ? ctx.locale.trim().toLowerCase().replaceAll('_', '-') : '';
  const region = typeof ctx.region === 'string' ? ctx.region.trim().toUpperCase() : '';
  const dash = region.indexOf('-');
  const now = ctx.now instanceof Date ? ctx.now.getTime() : Date.now();
  return {
    now,
    tag: locale,
    language: languageOf(locale),
    region,
    country: dash < 0 ? region : region.slice(0, dash),
  };
}

/**
 * Why a campaign may not answer this request, or null when it may. Checked in this order: status, schedule
 * (`startsAt` inclusive, `endsAt` exclusive), locales, regions.
 *
 * A request without a locale passes the locale check (it is then answered in the campaign's default locale);
 * a request without a region fails a campaign that lists regions, as API.md says.
 */
export function ineligibility(rules: CampaignRules, target: RequestTarget): IneligibilityReason | null {
  if (!rules.active) return 'paused';
  if (target.now < rules.startsAt) return 'not_started';
  if (target.now >= rules.endsAt) return 'ended';
  if (rules.languages !== null && target.language !== '' && !rules.languages.has(target.language))
    return 'locale';
  if (rules.regions !== null) {
    if (target.region === '') return 'region';
    if (!rules.regions.has(target.region) && !rules.regions.has(target.country)) return 'region';
  }
  return null;
}

/** Whether a campaign may answer a request with this context (convenience for callers outside the matcher). */
export function isEligible(campaign: Campaign, ctx: MatchContext): boolean {
  return ineligibility(campaignRules(campaign), requestTarget(ctx)) === null;
}

/** A campaign's messages by lower-case tag, resolved once. */
export type MessageTable = ReadonlyMap<string, ResolvedMessage>;

function deepFreeze(message: ResolvedMessage): ResolvedMessage {
  for (const action of message.actions) Object.freeze(action);
  Object.freeze(message.actions);
  return Object.freeze(message);
}

const EMPTY_MESSAGE: Message = { title: '', body: '', actions: [] };

export function messageTable(campaign: Campaign): MessageTable {
  const table = new Map<string, ResolvedMessage>();
  for (const [tag, message] of Object.entries(campaign.messages ?? {})) {
    const key = tag.trim().toLowerCase().replaceAll('_', '-');
    if (table.has(key)) continue; // two tags differing only in case: the first one written wins
    table.set(
      key,
      deepFreeze({
        locale: tag,
        title: message.title,
        body: message.body,
        actions: message.actions.map((a) => ({ ...a })),
      }),
    );
  }
  return table;
}

/** The request's full tag, then its language, then the campaign's default locale (then any message at all). */
export function pickMessage(table: MessageTable, campaign: Campaign, target: RequestTarget): ResolvedMessage {
  const byTag = target.tag !== '' ? table.get(target.tag) : undefined;
  if (byTag) return byTag;
  const byLanguage = target.language !== '' ? table.get(target.language) : undefined;
  if (byLanguage) return byLanguage;
  const byDefault = table.get((campaign.defaultLocale ?? '').trim().toLowerCase().replaceAll('_', '-'));
  if (byDefault) return byDefault;
  // The schema requires a message for defaultLocale; should one be missing, any message beats none.
  const first = table.values().next();
  return first.done ? { locale: campaign.defaultLocale, ...EMPTY_MESSAGE } : first.value;
}

/** The message of a campaign for a request locale: full tag, then language, then `defaultLocale`; tags compare case-insensitively. */
export function resolveMessage(campaign: Campaign, locale: string | undefined): ResolvedMessage {
  return pickMessage(messageTable(campaign), campaign, requestTarget({ locale, now: new Date(0) }));
}
