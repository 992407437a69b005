/**
 * The zod schemas every request is validated against at the trust boundary, and stored documents are read back
 * through. The OpenAPI document is generated from these same schemas.
 */
import { z } from 'zod';
import { ACTION_TYPES, CAMPAIGN_STATUSES, MATCH_TYPES, PARTNER_STATUSES } from './model.js';
import {
  canonicalLocale,
  LOCALE_TAG_MAX,
  LOCALE_TAG_TOO_LONG,
  MAX_QUERY_LENGTH,
  NOT_A_REGION,
  notALocale,
  QUERY_MESSAGES,
  REGION_CODE,
  REGION_CODE_MAX,
  REGION_CODE_TOO_LONG,
} from './tags.js';

export { MAX_QUERY_LENGTH };

export const MAX_KEYWORDS = 100_000;

/** A BCP 47 tag, canonicalised (`es-mx` becomes `es-MX`). */
export const LocaleTag = z
  .string()
  .max(LOCALE_TAG_MAX, LOCALE_TAG_TOO_LONG)
  .transform((tag, ctx) => {
    const canonical = canonicalLocale(tag);
    if (canonical) return canonical;
    ctx.addIssue({
      code: 'custom',
      message: notALocale(tag),
    });
    return z.NEVER;
  });

/** ISO 3166-1 alpha-2 (`US`) or ISO 3166-2 (`US-CA`), upper-cased. */
export const RegionCode = z
  .string()
  .max(REGION_CODE_MAX, REGION_CODE_TOO_LONG)
  .transform((code) => code.toUpperCase())
  .refine((code) => REGION_CODE.test(code), { message: NOT_A_REGION });

const ALLOWED_HREF_PROTOCOLS = new Set(['tel:', 'sms:', 'https:']);

/** True when `href` parses as a URL with one of the only schemes a help message may link to. */
export function isAllowedHref(href: string): boolean {
  try {
    return ALLOWED_HREF_PROTOCOLS.has(new URL(href).protocol);
  } catch {
    return false;
  }
}

export const ActionSchema = z.strictObject({
  type: z.enum(ACTION_TYPES, { message: 'An action type is "call", "text" or "link".' }),
  label: z.string().trim().min(1, 'An action needs a label.').max(120),
  href: z
    .string()
    .max(2048)
    .refine(isAllowedHref, { message: 'An action link must start with tel:, sms: or https:.' }),
});

export const MessageSchema = z.strictObject({
  title: z.string().trim().min(1, 'A message needs a title.').max(200),
  body: z.string().trim().max(2000).default(''),
  actions: z.array(ActionSchema).max(6, 'A message has at most 6 actions.').default([]),
});

const MatchTypeSchema = z.enum(MATCH_TYPES, { message: 'A match type is "exact", "phrase" or "broad".' });

const KeywordText = z
  .string()
  .trim()
  .min(1, 'A keyword needs text.')
  .max(200, 'A keyword has at most 200 characters.')
  .refine((text) => /[\p{L}\p{N}]/u.test(text), { message: 'A keyword needs at least one letter or digit.' });

export const KeywordSchema = z.strictObject({
  id: z
    .string()
    .regex(/^kw_[A-Za-z0-9_-]{1,64}$/, 'A keyword id looks like "kw_..."; leave it out to have one made.')
    .optional(),
  text: KeywordText,
  match: MatchTypeSchema.default('phrase'),
  locale: LocaleTag.optional(),
});

export const NegativeKeywordSchema = z.strictObject({
  text: KeywordText,
  match: MatchTypeSchema.default('phrase'),
});

const Timestamp = z.iso.datetime({
  offset: true,
  message: 'A time is ISO 8601, such as "2026-12-01T00:00:00Z".',
});

/** What an admin sends to create or replace a campaign. Read-only fields from a GET may be sent back and are ignored. */
export const CampaignInputSchema = z
  .strictObject({
    id: z.string().optional(),
    name: z.string().trim().min(1, 'A campaign needs a name.').max(200),
    status: z.enum(CAMPAIGN_STATUSES, { message: 'A status is "active" or "paused".' }).default('active'),
    priority: z.number().int('A priority is a whole number.').min(-1000).max(1000).default(0),
    locales: z.array(LocaleTag).max(100).default([]),
    regions: z.array(RegionCode).max(300).default([]),
    startsAt: Timestamp.nullable().default(null),
    endsAt: Timestamp.nullable().default(null),
    keywords: z
      .array(KeywordSchema)
      .max(MAX_KEYWORDS, `A campaign has at most ${MAX_KEYWORDS} keywords.`)
      .default([]),
    negativeKeywords: z.array(NegativeKeywordSchema).max(10_000).default([]),
    messages: z.record(z.string(), MessageSchema).refine((messages) => Object.keys(messages).length > 0, {
      message: 'A campaign needs at least one message.',
    }),
    defaultLocale: LocaleTag,
    banner: z.boolean().default(false),
    // Read-only, from GET: accepted so a fetched campaign can be edited and sent back as it is.
    revision: z.number().optional(),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .superRefine((campaign, ctx) => {
    const locales = Object.keys(campaign.messages);
    for (const tag of locales) {
      const parsed = LocaleTag.safeParse(tag);
      if (!parsed.success || parsed.data !== tag) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', tag],
          message: parsed.success
            ? `Write the message locale "${tag}" as "${parsed.data}".`
            : `"${tag}" is not a BCP 47 language tag such as "en" or "es-MX".`,
        });
      }
    }
    if (!locales.includes(campaign.defaultLocale)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultLocale'],
        message: `The default locale "${campaign.defaultLocale}" needs a message in "messages".`,
      });
    }
    if (
      campaign.startsAt &&
      campaign.endsAt &&
      Date.parse(campaign.startsAt) >= Date.parse(campaign.endsAt)
    ) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'A campaign must end after it starts.' });
    }
    const ids = new Set<string>();
    campaign.keywords.forEach((keyword, index) => {
      if (!keyword.id) return;
      if (ids.has(keyword.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['keywords', index, 'id'],
          message: `The keyword id ${keyword.id} is used twice.`,
        });
      }
      ids.add(keyword.id);
    });
  });

export type CampaignInput = z.output<typeof CampaignInputSchema>;

/**
 * A match request, for the admin API's explain route. The partner routes validate with the zod/mini twin in
 * partner-schemas.ts (the hot function's bundle holds no full zod); test/unit/partner-schemas.test.ts holds
 * the two to the same answers.
 */
export const MatchRequestSchema = z.strictObject({
  query: z
    .string({ message: QUERY_MESSAGES.type })
    .trim()
    .min(1, QUERY_MESSAGES.empty)
    .max(MAX_QUERY_LENGTH, QUERY_MESSAGES.long),
  locale: LocaleTag.optional(),
  region: RegionCode.optional(),
});

/** An origin: scheme, host and optional port, no path. `http:` only for localhost and 127.0.0.1. */
export const OriginSchema = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an origin such as "https://example.org".` });
      return z.NEVER;
    }
    const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" must use https: (http: only for localhost and 127.0.0.1).`,
      });
      return z.NEVER;
    }
    if (url.origin !== value.replace(/\/$/, '') || url.pathname !== '/' || url.search || url.hash) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" must be an origin only: scheme, host and port, no path.`,
      });
      return z.NEVER;
    }
    return url.origin;
  });

export const PartnerCreateSchema = z.strictObject({
  name: z.string().trim().min(1, 'A partner needs a name.').max(200),
  allowedOrigins: z.array(OriginSchema).max(50, 'A partner has at most 50 allowed origins.').default([]),
});

export const PartnerPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'A partner needs a name.').max(200).optional(),
    allowedOrigins: z.array(OriginSchema).max(50, 'A partner has at most 50 allowed origins.').optional(),
    status: z.enum(PARTNER_STATUSES, { message: 'A partner status is "active" or "disabled".' }).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    message: 'Send at least one of name, allowedOrigins, status.',
  });
