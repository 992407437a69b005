/**
 * Stored documents back into domain objects, explicitly and without unchecked casts. What is stored was
 * validated on the way in, so these checks guard against corruption, not against users: they throw plainly.
 */
import type { Action, Campaign, Keyword, Message, NegativeKeyword } from '../../core/model.js';
import { ACTION_TYPES, CAMPAIGN_STATUSES, MATCH_TYPES } from '../../core/model.js';

type Obj = Record<string, unknown>;

function obj(value: unknown, what: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`Stored ${what} is not an object.`);
  return value as Obj;
}
function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`Stored ${what} is not a string.`);
  return value;
}
function num(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new Error(`Stored ${what} is not a number.`);
  return value;
}
function arr(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`Stored ${what} is not an array.`);
  return value;
}
function oneOf<T extends string>(values: readonly T[], value: unknown, what: string): T {
  const found = values.find((candidate) => candidate === value);
  if (!found) throw new Error(`Stored ${what} is not one of ${values.join(', ')}.`);
  return found;
}
function nullableStr(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : str(value, what);
}

function toKeyword(value: unknown): Keyword {
  const o = obj(value, 'keyword');
  const keyword: Keyword = {
    id: str(o.id, 'keyword id'),
    text: str(o.text, 'keyword text'),
    match: oneOf(MATCH_TYPES, o.match, 'match'),
  };
  if (typeof o.locale === 'string') keyword.locale = o.locale;
  return keyword;
}

function toNegative(value: unknown): NegativeKeyword {
  const o = obj(value, 'negative keyword');
  return { text: str(o.text, 'negative keyword text'), match: oneOf(MATCH_TYPES, o.match, 'match') };
}

function toAction(value: unknown): Action {
  const o = obj(value, 'action');
  return {
    type: oneOf(ACTION_TYPES, o.type, 'action type'),
    label: str(o.label, 'label'),
    href: str(o.href, 'href'),
  };
}

function toMessage(value: unknown): Message {
  const o = obj(value, 'message');
  return {
    title: str(o.title, 'title'),
    body: str(o.body, 'body'),
    actions: arr(o.actions, 'actions').map(toAction),
  };
}

/** The keywords of a stored campaign as they were always stored: an array of keyword objects. */
export function keywordObjects(value: unknown): Keyword[] {
  return arr(value, 'keywords').map(toKeyword);
}

/**
 * A stored campaign; `readKeywords` reads its `keywords` field, which a published ruleset may store in another
 * shape (ruleset-encoding.ts).
 */
export function toCampaign(
  value: unknown,
  readKeywords: (stored: unknown) => Keyword[] = keywordObjects,
): Campaign {
  return toCampaignWith(value, readKeywords);
}

/** toCampaign with its keywords in whatever shape `readKeywords` gives (the matcher also takes columns). */
export function toCampaignWith<K>(
  value: unknown,
  readKeywords: (stored: unknown) => K,
): Omit<Campaign, 'keywords'> & { keywords: K } {
  const o = obj(value, 'campaign');
  const messages: Record<string, Message> = {};
  for (const [locale, message] of Object.entries(obj(o.messages, 'messages')))
    messages[locale] = toMessage(message);
  return {
    id: str(o.id, 'campaign id'),
    name: str(o.name, 'campaign name'),
    status: oneOf(CAMPAIGN_STATUSES, o.status, 'status'),
    priority: num(o.priority, 'priority'),
    locales: arr(o.locales, 'locales').map((v) => str(v, 'locale')),
    regions: arr(o.regions, 'regions').map((v) => str(v, 'region')),
    startsAt: nullableStr(o.startsAt, 'startsAt'),
    endsAt: nullableStr(o.endsAt, 'endsAt'),
    keywords: readKeywords(o.keywords),
    negativeKeywords: arr(o.negativeKeywords, 'negativeKeywords').map(toNegative),
    messages,
    defaultLocale: str(o.defaultLocale, 'defaultLocale'),
    banner: o.banner === true,
  };
}
