import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { defaultCampaign } from '../core/default-campaign.js';
import { buildRulesFeed, type RulesFeed } from '../core/rules-feed.js';
import type { PartnerDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { type PartnerAuthenticator, requirePartner } from './partner-auth.js';

/** `If-None-Match` names this ETag: a list, weak or strong, or `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === etag || tag === '*';
  });
}

/** `GET /v1/rules`: the live ruleset for partners that match in their own systems. Documented in partner-openapi.ts. */
export function rulesRoutes(deps: PartnerDeps, auth: PartnerAuthenticator) {
  const app = new Hono<AppEnv>();
  app.use('/v1/rules', requirePartner(auth, { siteKeys: false }), compress());
  // Published versions never change: the feed of the live one is built once and kept until the next version.
  let cached: { version: number; text: string } | null = null;

  app.get('/v1/rules', async (c) => {
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
