import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { type CompiledRuleset, compileRuleset } from '../../core/matcher.js';
import { MatchRequestSchema } from '../../core/schemas.js';
import type { AdminDeps } from '../deps.js';
import { errorResponse, jsonBody, router } from '../openapi.js';

const ExplainRequest = MatchRequestSchema.extend({
  ruleset: z.enum(['draft', 'published'], { message: 'A ruleset is "draft" or "published".' }),
  version: z
    .number()
    .int('A version is a whole number.')
    .min(1, 'Versions start at 1.')
    .optional()
    .openapi({ description: 'With `published`: an older published version instead of the live one.' }),
  at: z.iso
    .datetime({ offset: true, message: 'A time is ISO 8601, such as "2026-12-01T00:00:00Z".' })
    .optional()
    .openapi({ description: 'Explain as of this time (schedules); default now.' }),
}).openapi('ExplainRequest');

const KeywordOut = z.object({
  id: z.string().optional(),
  text: z.string(),
  match: z.string(),
  locale: z.string().optional(),
});
const HitOut = z.object({
  campaignId: z.string(),
  campaignName: z.string(),
  keyword: KeywordOut,
  variant: z
    .string()
    .nullable()
    .openapi({ description: '`plural`, `disguise`, `plural+disguise`, or null when literal.' }),
  matchedText: z.string(),
});
const MessageOut = z.object({
  locale: z.string(),
  title: z.string(),
  body: z.string(),
  actions: z.array(z.object({ type: z.string(), label: z.string(), href: z.string() })),
});
const ExplainOut = z
  .object({
    ruleset: z.object({ kind: z.enum(['draft', 'published']), version: z.number().int().nullable() }),
    at: z.string(),
    normalizedQuery: z.string(),
    tokens: z.array(z.string()),
    match: HitOut.extend({ message: MessageOut }).nullable(),
    hits: z.array(
      HitOut.extend({
        outcome: z.enum(['selected', 'excluded']),
        reason: z
          .object({
            code: z.enum([
              'negative_keyword',
              'paused',
              'not_started',
              'ended',
              'locale',
              'region',
              'lower_priority',
              'weaker_keyword',
            ]),
            message: z.string(),
            negativeKeyword: z.object({ text: z.string(), match: z.string() }).optional(),
          })
          .optional(),
      }),
    ),
  })
  .openapi('Explanation');

/**
 * Which campaign a query would trigger and why, against the drafts or a published version. It runs the very
 * matcher /v1/match runs (`CompiledRuleset.explain` shares its evaluation with `match`). The query is neither
 * stored nor logged: it lives in this request only.
 */
export function explainRoutes(deps: AdminDeps) {
  const app = router();
  // Compiling 100,000 keywords takes a few hundred milliseconds: keep the last draft and version compiled.
  let draft: { signature: string; compiled: CompiledRuleset } | null = null;
  let stored: CompiledRuleset | null = null;

  const compiledDrafts = async (): Promise<CompiledRuleset> => {
    const drafts = (await deps.campaigns.list()).sort((a, b) => (a.campaign.id < b.campaign.id ? -1 : 1));
    const signature = drafts.map((d) => `${d.campaign.id}:${d.revision}`).join(',');
    if (draft?.signature !== signature) {
      draft = {
        signature,
        compiled: compileRuleset({ version: 0, campaigns: drafts.map((d) => d.campaign) }),
      };
    }
    return draft.compiled;
  };

  const compiledVersion = async (version: number): Promise<CompiledRuleset> => {
    const live = await deps.live.current();
    if (live.version === version) return live;
    if (stored?.version !== version) {
      const ruleset = await deps.rulesets.get(version);
      if (!ruleset)
        throw new NotFoundError(
          `There is no published version ${version}; GET /admin/v1/versions lists them.`,
        );
      stored = compileRuleset(ruleset);
    }
    return stored;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/explain',
      summary: 'Which campaign a query would trigger, and why the others did not',
      request: { body: jsonBody(ExplainRequest) },
      responses: {
        200: { description: 'The explanation.', content: { 'application/json': { schema: ExplainOut } } },
        400: errorResponse('The body is not valid.'),
        401: errorResponse('No valid admin token.'),
        404: errorResponse('No such published version.'),
        415: errorResponse('The body is not JSON.'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (body.ruleset === 'draft' && body.version !== undefined) {
        throw new ValidationError('A version goes with "published"; drafts have none.');
      }
      const at = body.at ? new Date(body.at) : deps.clock.now();
      const compiled =
        body.ruleset === 'draft'
          ? await compiledDrafts()
          : body.version !== undefined
            ? await compiledVersion(body.version)
            : await deps.live.current();
      const explanation = compiled.explain(body.query, { locale: body.locale, region: body.region, now: at });
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          ruleset: { kind: body.ruleset, version: body.ruleset === 'draft' ? null : compiled.version },
          at: at.toISOString(),
          ...explanation,
        },
        200,
      );
    },
  );
  return app;
}
