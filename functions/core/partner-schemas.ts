/**
 * The schemas of the partner routes' requests (match, banner, events), in zod/mini: the hot function's bundle
 * then holds a few KB of zod instead of all of it, and imports that much faster. They are the single source
 * of those requests' shapes: the OpenAPI document takes their JSON Schema (functions/http/partner-openapi.ts).
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { EVENT_ACTIONS } from './counters.js';
import { MAX_TOKEN_LENGTH } from './impression-token.js';
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

// zod/mini loads no error messages of its own: the English ones, as full zod has them ("Unrecognized key ...").
z.config(en());

/** A BCP 47 tag, canonicalised (`es-mx` becomes `es-MX`). */
export const LocaleTag = z.pipe(
  z.string().check(z.maxLength(LOCALE_TAG_MAX, LOCALE_TAG_TOO_LONG)),
  z.transform((tag: string, ctx) => {
    const canonical = canonicalLocale(tag);
    if (canonical) return canonical;
    ctx.issues.push({ code: 'custom', message: notALocale(tag), input: tag });
    return z.NEVER;
  }),
);

/** ISO 3166-1 alpha-2 (`US`) or ISO 3166-2 (`US-CA`), upper-cased. */
export const RegionCode = z
  .pipe(
    z.string().check(z.maxLength(REGION_CODE_MAX, REGION_CODE_TOO_LONG)),
    z.transform((code: string) => code.toUpperCase()),
  )
  .check(z.refine((code: string) => REGION_CODE.test(code), NOT_A_REGION));

export const MatchRequestSchema = z.strictObject({
  query: z
    .string({ error: QUERY_MESSAGES.type })
    .check(
      z.trim(),
      z.minLength(1, QUERY_MESSAGES.empty),
      z.maxLength(MAX_QUERY_LENGTH, QUERY_MESSAGES.long),
    ),
  locale: z.optional(LocaleTag),
  region: z.optional(RegionCode),
});
export type MatchRequest = z.output<typeof MatchRequestSchema>;

export const BannerRequestSchema = z.strictObject({
  locale: z.optional(LocaleTag),
  region: z.optional(RegionCode),
});

export const MAX_EVENTS = 50;

const Token = z
  .string({ error: 'A token is the impressionToken string a match answered.' })
  .check(z.maxLength(MAX_TOKEN_LENGTH));

const EventSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ token: Token, type: z.literal('impression') }),
    z.strictObject({
      token: Token,
      type: z.literal('action'),
      action: z.enum(EVENT_ACTIONS, { error: `An action is one of ${EVENT_ACTIONS.join(', ')}.` }),
    }),
  ],
  { error: 'An event type is "impression" or "action".' },
);

export const EventsRequestSchema = z.strictObject({
  events: z
    .array(EventSchema)
    .check(
      z.minLength(1, 'Send at least one event.'),
      z.maxLength(MAX_EVENTS, `Send at most ${MAX_EVENTS} events a request.`),
    ),
});

/** A request schema's JSON Schema (what the request may hold, before transforms), for the OpenAPI document. */
export function requestJsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return json;
}
