/**
 * The OpenAPI description of the partner routes (match, banner, events, rules, health). The partner function
 * serves these routes with plain Hono and zod/mini, so their description lives here, in the admin side's
 * import graph only: the request bodies as the JSON Schema of the very zod/mini schemas that validate them,
 * the answers as documentation-only schemas.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  BannerRequestSchema,
  EventsRequestSchema,
  MatchRequestSchema,
  requestJsonSchema,
} from '../core/partner-schemas.js';
import { RULES_FEED_FORMAT, RULES_FEED_FORMAT_VERSION } from '../core/rules-feed.js';
import type { AppEnv } from './env.js';
import { errorResponse } from './openapi.js';

const ActionOut = z.object({ type: z.enum(['call', 'text', 'link']), label: z.string(), href: z.string() });
const MatchOut = z
  .object({
    match: z
      .object({
        campaignId: z.string(),
        keywordId: z.string().nullable(),
        rulesetVersion: z.number().int(),
        message: z.object({
          locale: z.string(),
          title: z.string(),
          body: z.string(),
          actions: z.array(ActionOut),
        }),
        impressionToken: z.string(),
      })
      .nullable(),
    rulesetVersion: z.number().int(),
  })
  .openapi('MatchResponse');

const helpResponses = {
  200: {
    description: 'The message to show, or `match: null`.',
    content: { 'application/json': { schema: MatchOut } },
  },
  400: errorResponse('The body is not valid.'),
  401: errorResponse('No valid key.'),
  403: errorResponse('The origin is not allowed, or the partner is disabled.'),
  413: errorResponse('The body is too large.'),
  415: errorResponse('The body is not JSON.'),
  429: errorResponse('Too many requests with this key.'),
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonRequest = (name: string) => ({
  required: true,
  content: { 'application/json': { schema: ref(name) } },
});

const EventsOut = z
  .object({
    accepted: z.number().int().openapi({ description: 'Events counted now (or kept to be recounted).' }),
    rejected: z
      .number()
      .int()
      .openapi({ description: 'Events with an expired, forged, replayed or malformed token.' }),
  })
  .openapi('EventsResponse');

const MatchType = z.enum(['exact', 'phrase', 'broad']);
const FeedMessage = z.object({
  title: z.string(),
  body: z.string(),
  actions: z.array(z.object({ type: z.enum(['call', 'text', 'link']), label: z.string(), href: z.string() })),
});
const RulesFeedSchema = z
  .object({
    format: z.literal(RULES_FEED_FORMAT),
    formatVersion: z.literal(RULES_FEED_FORMAT_VERSION),
    rulesetVersion: z.number().int(),
    publishedAt: z.string().nullable(),
    campaigns: z.array(
      z.object({
        id: z.string(),
        priority: z.number().int(),
        locales: z.array(z.string()),
        regions: z.array(z.string()),
        startsAt: z.string().nullable(),
        endsAt: z.string().nullable(),
        banner: z.boolean(),
        defaultLocale: z.string(),
        keywords: z.array(
          z.object({ id: z.string(), text: z.string(), normalized: z.string(), match: MatchType }),
        ),
        negativeKeywords: z.array(z.object({ text: z.string(), normalized: z.string(), match: MatchType })),
        messages: z.record(z.string(), FeedMessage),
      }),
    ),
  })
  .openapi('RulesFeed', { description: 'Specified in docs/rules-feed.md.' });

const routes = [
  createRoute({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness, and the ruleset version being served',
    responses: {
      200: {
        description: 'Serving.',
        content: {
          'application/json': {
            schema: z.object({ status: z.literal('ok'), rulesetVersion: z.number().int() }),
          },
        },
      },
    },
  }),
  createRoute({
    method: 'post',
    path: '/v1/match',
    summary: 'The help message for one search, if it should show one',
    request: { body: jsonRequest('MatchRequest') },
    responses: helpResponses,
  }),
  createRoute({
    method: 'post',
    path: '/v1/banner',
    summary: 'The message for pages that always show help',
    request: { body: jsonRequest('BannerRequest') },
    responses: helpResponses,
  }),
  createRoute({
    method: 'post',
    path: '/v1/events',
    summary: 'What was displayed and what the person did, by impression token',
    description:
      'Each token counts one `impression` and one of each action at most, ever. Also accepts `text/plain` bodies ' +
      '(what `navigator.sendBeacon` sends) holding the same JSON, with the site key as `?siteKey=`.',
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: ref('EventsRequest') },
          'text/plain': {
            schema: z.string().openapi({ description: 'The same JSON document, as sent by sendBeacon.' }),
          },
        },
      },
    },
    responses: {
      202: { description: 'Counted what could be.', content: { 'application/json': { schema: EventsOut } } },
      400: errorResponse('The body is not valid.'),
      401: errorResponse('No valid key.'),
      403: errorResponse('The origin is not allowed, or the partner is disabled.'),
      413: errorResponse('The body is too large.'),
      415: errorResponse('The body is neither JSON nor text/plain.'),
      429: errorResponse('Too many requests with this key.'),
    },
  }),
  createRoute({
    method: 'get',
    path: '/v1/rules',
    summary: 'The published ruleset, for partners that match in their own systems (secret key only)',
    description:
      'The format is specified in docs/rules-feed.md. `ETag` is the ruleset version: poll with `If-None-Match` and get ' +
      '304 until a new version is published. Answered gzip-compressed when asked (`Accept-Encoding: gzip`).',
    request: {
      headers: z.object({ 'if-none-match': z.string().optional(), 'x-api-key': z.string().optional() }),
    },
    responses: {
      200: {
        description: 'The live ruleset.',
        headers: {
          ETag: { schema: { type: 'string' as const }, description: 'The ruleset version, quoted.' },
        },
        content: { 'application/json': { schema: RulesFeedSchema } },
      },
      304: { description: 'The version named by If-None-Match is still the live one.' },
      401: errorResponse('No valid secret key.'),
      403: errorResponse('The partner is disabled.'),
      429: errorResponse('Too many requests with this key.'),
    },
  }),
];

/** Adds the partner routes to an OpenAPIHono app's document (the app serves them through its own routes). */
export function documentPartnerRoutes(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent('schemas', 'MatchRequest', requestJsonSchema(MatchRequestSchema));
  registry.registerComponent('schemas', 'BannerRequest', requestJsonSchema(BannerRequestSchema));
  registry.registerComponent('schemas', 'EventsRequest', requestJsonSchema(EventsRequestSchema));
  for (const route of routes) registry.registerPath(route);
}
