/**
 * The two help routes, `POST /v1/match` and `POST /v1/banner` (and their CORS preflights), as one
 * framework-free function from a request to an answer. Hono serves them through it (match.ts: on Lambda and in
 * every route test), and so does the local server's node:http listener, directly, without building a fetch
 * Request and Response per search (functions/local/service.ts): the same checks, in the same order, with the
 * same answers. Order: preflight, declared size, key, content type, body, then the match.
 */
import type { z } from 'zod/mini';
import {
  DomainError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors.js';
import type { Campaign, Keyword, ResolvedMessage } from '../core/model.js';
import { BannerRequestSchema, MatchRequestSchema } from '../core/partner-schemas.js';
import type { PartnerDeps } from './deps.js';
import { errorBody, INTERNAL_ERROR_BODY, validationError } from './errors.js';
import { authenticate, type PartnerAuthenticator, preflightHeaders } from './partner-auth.js';

/** A match request is a query of at most 512 characters: 16 KB is plenty, and refuses floods early. */
export const PARTNER_BODY_LIMIT = 16 * 1024;

export type HelpRoute = 'match' | 'banner';
export const HELP_PATHS: Record<string, HelpRoute> = { '/v1/match': 'match', '/v1/banner': 'banner' };

export interface HelpRequest {
  method: string;
  /** A request header, by its lower-case name. */
  header(name: string): string | undefined;
  /** `?siteKey=`, which the browser routes also take. */
  siteKeyParam?: string | undefined;
  /** The body as text; PayloadTooLargeError when it runs past PARTNER_BODY_LIMIT. */
  text(): Promise<string>;
}

export interface HelpAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or null for an empty answer (a preflight). */
  body: string | null;
}

/** A JSON media type: `application/json` or `application/<something>+json`, with parameters. */
export const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

export interface MatchAnswer {
  match: {
    campaignId: string;
    keywordId: string | null;
    rulesetVersion: number;
    message: ResolvedMessage;
    impressionToken: string;
  } | null;
  rulesetVersion: number;
}

export class HelpEndpoint {
  constructor(
    private readonly deps: PartnerDeps,
    private readonly auth: PartnerAuthenticator,
  ) {}

  /**
   * The answer to one help request. Refusals (a DomainError) become the API's error answer; anything else is a
   * fault, thrown for the caller's error handler (which logs it and answers 500).
   */
  async handle(route: HelpRoute, request: HelpRequest): Promise<HelpAnswer> {
    const headers: Record<string, string> = {};
    try {
      if (request.method === 'OPTIONS') {
        return {
          status: 204,
          headers: await preflightHeaders(this.auth, request.header('origin')),
          body: null,
        };
      }
      const declared = request.header('content-length');
      if (declared !== undefined && Number.parseInt(declared, 10) > PARTNER_BODY_LIMIT) throw tooLarge();
      const partner = await authenticate(
        this.auth,
        {
          secret: request.header('x-api-key'),
          siteKey: request.header('x-site-key') ?? request.siteKeyParam,
          origin: request.header('origin'),
        },
        { siteKeys: true, serveUnverified: true },
        headers,
      );
      if (!JSON_CONTENT_TYPE.test(request.header('content-type') ?? '')) {
        throw new UnsupportedMediaTypeError('Send the body as JSON with Content-Type: application/json.');
      }
      const text = await request.text();
      const input =
        route === 'match'
          ? parse(MatchRequestSchema, text)
          : { query: null, ...parse(BannerRequestSchema, text) };
      const { live, clock } = this.deps;
      const ruleset = await live.current();
      const context = { locale: input.locale, region: input.region, now: clock.now() };
      const hit: { campaign: Campaign; keyword?: Keyword; message: ResolvedMessage } | null =
        input.query === null ? ruleset.banner(context) : ruleset.match(input.query, context);
      const match = hit
        ? this.served(
            partner.id,
            hit.campaign,
            hit.keyword ?? null,
            hit.message,
            ruleset.version,
            input.region,
          )
        : null;
      const answer: MatchAnswer = { match, rulesetVersion: ruleset.version };
      return { status: 200, headers: jsonHeaders(headers), body: JSON.stringify(answer) };
    } catch (error) {
      if (error instanceof DomainError) return errorAnswer(error, headers);
      throw error;
    }
  }

  private served(
    partnerId: string,
    campaign: Campaign,
    keyword: Keyword | null,
    message: ResolvedMessage,
    rulesetVersion: number,
    region: string | undefined,
  ): NonNullable<MatchAnswer['match']> {
    const impressionToken = this.deps.impressions.served({
      campaignId: campaign.id,
      keywordId: keyword?.id ?? null,
      partnerId,
      locale: message.locale,
      region: region ?? '',
      rulesetVersion,
      at: this.deps.clock.now(),
    });
    return {
      campaignId: campaign.id,
      keywordId: keyword?.id ?? null,
      rulesetVersion,
      message,
      impressionToken,
    };
  }
}

export const tooLarge = (maxSize = PARTNER_BODY_LIMIT) =>
  new PayloadTooLargeError(`The request body is larger than ${Math.round(maxSize / 1024)} KB.`);

/** The body parsed as JSON and checked against `schema`; a ValidationError (400) that says why otherwise. */
export function parse<T extends z.ZodMiniType>(schema: T, text: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON; check its quotes, commas and brackets.');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw validationError(result.error, 'request body');
  return result.data;
}

function jsonHeaders(headers: Record<string, string>): Record<string, string> {
  headers['Content-Type'] = 'application/json';
  headers['Cache-Control'] = 'no-store';
  return headers;
}

/** The API's error answer for a refusal (the same body errors.ts `errorJson` sends). */
export function errorAnswer(error: DomainError, headers: Record<string, string> = {}): HelpAnswer {
  if (error instanceof RateLimitedError) headers['Retry-After'] = String(error.retryAfterSeconds);
  const body = JSON.stringify(errorBody(error.code, error.message, error.details));
  return { status: error.status, headers: jsonHeaders(headers), body };
}

/** The answer to a fault (never to bad input), for callers without Hono's error handler. */
export function faultAnswer(): HelpAnswer {
  return { status: 500, headers: jsonHeaders({}), body: INTERNAL_ERROR_BODY };
}
