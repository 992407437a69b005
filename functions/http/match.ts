import { createRoute, type RouteHandler, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../core/errors.js';
import type { Campaign, Keyword, ResolvedMessage } from '../core/model.js';
import { BannerRequestSchema, MatchRequestSchema } from '../core/schemas.js';
import type { PartnerDeps } from './deps.js';
import { type AppEnv, errorResponse, jsonBody, router } from './openapi.js';
import { corsPreflight, type PartnerAuthenticator, requirePartner } from './partner-auth.js';

/** A match request is a query of at most 512 characters: 16 KB is plenty, and refuses floods early. */
export const PARTNER_BODY_LIMIT = 16 * 1024;

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

const responses = {
  200: {
    description: 'The message to show, or `match: null`.',
    content: { 'application/json': { schema: MatchOut } },
  },
  400: errorResponse('The body is not valid.'),
  401: errorResponse('No valid key.'),
  403: errorResponse('The origin is not allowed, or the partner is disabled.'),
  413: errorResponse('The body is too large.'),
  415: errorResponse('The body is not JSON.'),
};

const matchRoute = createRoute({
  method: 'post',
  path: '/v1/match',
  summary: 'The help message for one search, if it should show one',
  request: { body: jsonBody(MatchRequestSchema.openapi('MatchRequest')) },
  responses,
});

const bannerRoute = createRoute({
  method: 'post',
  path: '/v1/banner',
  summary: 'The message for pages that always show help',
  request: { body: jsonBody(BannerRequestSchema.openapi('BannerRequest')) },
  responses,
});

/**
 * Refuses a body over `maxSize` before it is read: a declared Content-Length is judged from the header alone,
 * and a chunked body is counted as it streams in and cut off at the limit. (hono's bodyLimit alone reads
 * `raw.body`, which turns @hono/node-server's light request into a full web-streams Request on every call:
 * most of a match's cost over HTTP. Node itself guarantees a body never runs past its declared length.)
 */
export const limitBody = (maxSize: number): MiddlewareHandler => {
  const tooLarge = () =>
    new PayloadTooLargeError(`The request body is larger than ${Math.round(maxSize / 1024)} KB.`);
  const streamed = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(declared, 10) > maxSize) throw tooLarge();
      return next();
    }
    return streamed(c, next);
  };
};

/** The two checks zod-openapi and hono's json validator make of a Content-Type before reading a body as JSON. */
const OPENAPI_JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
const HONO_JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * The body validation zod-openapi puts in front of a JSON route (a 415 gate, hono's json validator, then zod's
 * `safeParseAsync` and our hook) done at once, synchronously, for the case every real request is: a JSON
 * content type and a body the schema accepts. The route's handler is then called with the very data the
 * library would have handed it. Anything else (no or another content type, malformed JSON, a body the schema
 * refuses) goes on to the library's own validators, which answer exactly as before. The library's chain (a
 * promise and a closure per step, an async parse) cost a fifth of a match over HTTP.
 */
function validJsonFastPath(
  schema: z.ZodType,
  handler: (c: Context<AppEnv>) => Response | Promise<Response>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const contentType = c.req.header('content-type');
    if (
      contentType &&
      OPENAPI_JSON_REQUEST.test(contentType) &&
      HONO_JSON_MEDIA_TYPE.test((contentType.split(';')[0] as string).trim().toLowerCase())
    ) {
      let body: unknown;
      try {
        // Cached by hono: on failure the library's validator reads the same rejection and answers its 400.
        body = await c.req.json();
      } catch {
        return next();
      }
      const result = schema.safeParse(body);
      if (result.success) {
        c.req.addValidatedData('json', result.data as object);
        return handler(c);
      }
    }
    return next();
  };
}

export function matchRoutes(deps: PartnerDeps, auth: PartnerAuthenticator) {
  const app = router();
  // Help routes: a key that cannot be checked while the partner table is down is still answered.
  const partnerOnly = requirePartner(auth, { siteKeys: true, serveUnverified: true });
  for (const path of ['/v1/match', '/v1/banner']) {
    app.use(path, corsPreflight(auth), limitBody(PARTNER_BODY_LIMIT), partnerOnly);
  }

  const matchHandler: RouteHandler<typeof matchRoute, AppEnv> = async (c) => {
    const { query, locale, region } = c.req.valid('json');
    const ruleset = await deps.live.current();
    const hit = ruleset.match(query, { locale, region, now: deps.clock.now() });
    const match = hit
      ? served(c, deps, hit.campaign, hit.keyword, hit.message, ruleset.version, region)
      : null;
    return answer(c, { match, rulesetVersion: ruleset.version });
  };
  app.openapi(
    { ...matchRoute, middleware: [validJsonFastPath(MatchRequestSchema, asHandler(matchHandler))] },
    matchHandler,
  );

  const bannerHandler: RouteHandler<typeof bannerRoute, AppEnv> = async (c) => {
    const { locale, region } = c.req.valid('json');
    const ruleset = await deps.live.current();
    const hit = ruleset.banner({ locale, region, now: deps.clock.now() });
    const match = hit ? served(c, deps, hit.campaign, null, hit.message, ruleset.version, region) : null;
    return answer(c, { match, rulesetVersion: ruleset.version });
  };
  app.openapi(
    { ...bannerRoute, middleware: [validJsonFastPath(BannerRequestSchema, asHandler(bannerHandler))] },
    bannerHandler,
  );

  return app;
}

/** A route handler as the plain function it is at run time (its typed input is what the fast path set). */
const asHandler = (handler: unknown) => handler as (c: Context<AppEnv>) => Response | Promise<Response>;

function served(
  c: Context<AppEnv>,
  deps: PartnerDeps,
  campaign: Campaign,
  keyword: Keyword | null,
  message: ResolvedMessage,
  rulesetVersion: number,
  region: string | undefined,
) {
  const impressionToken = deps.impressions.served({
    campaignId: campaign.id,
    keywordId: keyword?.id ?? null,
    partnerId: c.get('partner').id,
    locale: message.locale,
    region: region ?? '',
    rulesetVersion,
    at: deps.clock.now(),
  });
  return {
    campaignId: campaign.id,
    keywordId: keyword?.id ?? null,
    rulesetVersion,
    message,
    impressionToken,
  };
}

function answer(c: Context<AppEnv>, body: z.infer<typeof MatchOut>) {
  c.header('Cache-Control', 'no-store');
  return c.json(body, 200);
}
