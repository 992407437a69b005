import type { Campaign, Keyword } from './model.js';
import type { IdGenerator } from './ports.js';
import type { CampaignInput } from './schemas.js';

/**
 * A validated campaign input becomes a campaign: every keyword gets an id (kept when sent, or taken from the
 * previous revision's keyword of the same text and match type, so ids stay stable across edits and imports).
 */
export function campaignFromInput(
  input: CampaignInput,
  id: string,
  ids: IdGenerator,
  previous?: Campaign,
): Campaign {
  const previousIds = new Map(previous?.keywords.map((k) => [keywordKey(k), k.id]));
  const keywords: Keyword[] = input.keywords.map((k) => {
    const keyword: Keyword = {
      id: k.id ?? previousIds.get(keywordKey(k)) ?? ids.next('kw'),
      text: k.text,
      match: k.match,
    };
    if (k.locale) keyword.locale = k.locale;
    return keyword;
  });
  return {
    id,
    name: input.name,
    status: input.status,
    priority: input.priority,
    locales: unique(input.locales),
    regions: unique(input.regions),
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    keywords,
    negativeKeywords: input.negativeKeywords,
    messages: input.messages,
    defaultLocale: input.defaultLocale,
    banner: input.banner,
  };
}

export function keywordKey(keyword: { text: string; match: string }): string {
  return `${keyword.match}\u0000${keyword.text}`;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
