import { createRoute, z } from '@hono/zod-openapi';
import { compress } from 'hono/compress';
import { defaultCampaign } from '../core/default-campaign.js';
import {
  buildRulesFeed,
  RULES_FEED_FORMAT,
  RULES_FEED_FORMAT_VERSION,
  type RulesFeed,
} from '../core/rules-feed.js';
import type { PartnerDeps } from './deps.js';
import { errorResponse, router } from './openapi.js';
import { type PartnerAuthenticator, requirePartner } from './partner-auth.js';

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

const rulesRoute = createRoute({
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
      headers: { ETag: { schema: { type: 'string' as const }, description: 'The ruleset version, quoted.' } },
      content: { 'application/json': { schema: RulesFeedSchema } },
    },
    304: { description: 'The version named by If-None-Match is still the live one.' },
    401: errorResponse('No valid secret key.'),
    403: errorResponse('The partner is disabled.'),
    429: errorResponse('Too many requests with this key.'),
  },
});

/** `If-None-Match` names this ETag: a list, weak or strong, or `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === etag || tag === '*';
  });
}

export function rulesRoutes(deps: PartnerDeps, auth: PartnerAuthenticator) {
  const app = router();
  app.use('/v1/rules', requirePartner(auth, { siteKeys: false }), compress());
  // Published versions never change: the feed of the live one is built once and kept until the next version.
  let cached: { version: number; text: string } | null = null;

  app.openapi(rulesRoute, async (c) => {
    // The version /v1/match on this instance answers from, so both always agree.
    const live = await deps.live.current();
    const etag = `"${live.version}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, no-cache');
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    if (cached?.version !== live.version) {
      const ruleset =
        live.version === 0
          ? { version: 0, publishedAt: null, campaigns: [defaultCampaign()] }
          : await deps.rulesets.get(live.version);
      if (!ruleset) throw new Error(`Published version ${live.version} could not be read.`);
      const feed: RulesFeed = buildRulesFeed(ruleset);
      cached = { version: live.version, text: JSON.stringify(feed) };
    }
    c.header('Content-Type', 'application/json; charset=UTF-8');
    return c.body(cached.text, 200);
  });
  return app;
}
