import { createRoute, z } from '@hono/zod-openapi';
import { EVENT_ACTIONS } from '../core/counters.js';
import { ValidationError } from '../core/errors.js';
import { MAX_TOKEN_LENGTH } from '../core/impression-token.js';
import type { PartnerDeps } from './deps.js';
import { validationError } from './errors.js';
import { limitBody } from './match.js';
import { errorResponse, router } from './openapi.js';
import { corsPreflight, type PartnerAuthenticator, requirePartner } from './partner-auth.js';

export const MAX_EVENTS = 50;
/** Fifty events of about 250 bytes each, with room to spare. */
export const EVENTS_BODY_LIMIT = 32 * 1024;

const Token = z
  .string({ message: 'A token is the impressionToken string a match answered.' })
  .max(MAX_TOKEN_LENGTH);
const EventSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ token: Token, type: z.literal('impression') }),
    z.strictObject({
      token: Token,
      type: z.literal('action'),
      action: z.enum(EVENT_ACTIONS, { message: `An action is one of ${EVENT_ACTIONS.join(', ')}.` }),
    }),
  ],
  { message: 'An event type is "impression" or "action".' },
);
export const EventsRequestSchema = z.strictObject({
  events: z
    .array(EventSchema)
    .min(1, 'Send at least one event.')
    .max(MAX_EVENTS, `Send at most ${MAX_EVENTS} events a request.`),
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

const eventsRoute = createRoute({
  method: 'post',
  path: '/v1/events',
  summary: 'What was displayed and what the person did, by impression token',
  description:
    'Each token counts one `impression` and one of each action at most, ever. Also accepts `text/plain` bodies ' +
    '(what `navigator.sendBeacon` sends) holding the same JSON, with the site key as `?siteKey=`.',
  request: {
    body: {
      required: false,
      content: {
        'application/json': { schema: EventsRequestSchema.openapi('EventsRequest') },
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
});

/** `POST /v1/events`: server to server with a secret key, or from the widget with a site key (header or query). */
export function eventRoutes(deps: PartnerDeps, auth: PartnerAuthenticator) {
  const app = router();
  app.use(
    '/v1/events',
    corsPreflight(auth),
    limitBody(EVENTS_BODY_LIMIT),
    requirePartner(auth, { siteKeys: true }),
  );

  app.openapi(eventsRoute, async (c) => {
    const json = /^application\/([a-z.-]+\+)?json/i.test(c.req.header('content-type') ?? '');
    let body: z.infer<typeof EventsRequestSchema>;
    if (json) {
      body = c.req.valid('json') as z.infer<typeof EventsRequestSchema>;
    } else {
      // sendBeacon's text/plain: the framework validates JSON bodies only, so this one is checked here.
      let parsed: unknown;
      try {
        parsed = JSON.parse(await c.req.text());
      } catch {
        throw new ValidationError(
          'The request body is not valid JSON; check its quotes, commas and brackets.',
        );
      }
      const result = EventsRequestSchema.safeParse(parsed);
      if (!result.success) throw validationError(result.error, 'request body');
      body = result.data;
    }
    if (!deps.events) throw new Error('Event counting is not configured.');
    const answer = await deps.events.record(c.get('partner').id, body.events);
    c.header('Cache-Control', 'no-store');
    return c.json(answer, 202);
  });

  return app;
}
