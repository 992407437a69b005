import { Hono } from 'hono';
import { UnsupportedMediaTypeError } from '../core/errors.js';
import { EventsRequestSchema } from '../core/partner-schemas.js';
import type { PartnerDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { JSON_CONTENT_TYPE, parse } from './help.js';
import { limitBody } from './match.js';
import { corsPreflight, type PartnerAuthenticator, requirePartner } from './partner-auth.js';

export { MAX_EVENTS } from '../core/partner-schemas.js';
/** Fifty events of about 250 bytes each, with room to spare. */
export const EVENTS_BODY_LIMIT = 32 * 1024;

/**
 * `POST /v1/events`: server to server with a secret key, or from the widget with a site key (header or query).
 * JSON, or the same JSON as `text/plain` (what `navigator.sendBeacon` sends). Documented in partner-openapi.ts.
 */
export function eventRoutes(deps: PartnerDeps, auth: PartnerAuthenticator) {
  const app = new Hono<AppEnv>();
  app.use(
    '/v1/events',
    corsPreflight(auth),
    limitBody(EVENTS_BODY_LIMIT),
    requirePartner(auth, { siteKeys: true }),
  );

  app.post('/v1/events', async (c) => {
    const type = c.req.header('content-type');
    if (type !== undefined && !JSON_CONTENT_TYPE.test(type) && !/^text\/plain\s*(;|$)/i.test(type)) {
      throw new UnsupportedMediaTypeError(
        'Send the events as JSON with Content-Type: application/json (or text/plain, as sendBeacon does).',
      );
    }
    const body = parse(EventsRequestSchema, await c.req.text());
    if (!deps.events) throw new Error('Event counting is not configured.');
    const answer = await deps.events.record(c.get('partner').id, body.events);
    c.header('Cache-Control', 'no-store');
    return c.json(answer, 202);
  });

  return app;
}
