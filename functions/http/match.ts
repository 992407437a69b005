import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './env.js';
import { HELP_PATHS, type HelpAnswer, type HelpEndpoint, PARTNER_BODY_LIMIT, tooLarge } from './help.js';
import { corsPreflight, type PartnerAuthenticator } from './partner-auth.js';

export { PARTNER_BODY_LIMIT };

/**
 * Refuses a body over `maxSize` before it is read: a declared Content-Length is judged from the header alone,
 * and a chunked body is counted as it streams in and cut off at the limit. (hono's bodyLimit alone reads
 * `raw.body`, which turns @hono/node-server's light request into a full web-streams Request on every call.
 * Node itself guarantees a body never runs past its declared length.)
 */
export const limitBody = (maxSize: number): MiddlewareHandler => {
  const streamed = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize);
    },
  });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(declared, 10) > maxSize) throw tooLarge(maxSize);
      return next();
    }
    return streamed(c, next);
  };
};

/**
 * `POST /v1/match` and `POST /v1/banner` on Hono: the answer is help.ts's, the same one the local server's
 * direct route gives. Documented in partner-openapi.ts.
 */
export function matchRoutes(help: HelpEndpoint, auth: PartnerAuthenticator) {
  const app = new Hono<AppEnv>();
  for (const [path, route] of Object.entries(HELP_PATHS)) {
    app.use(path, corsPreflight(auth), limitBody(PARTNER_BODY_LIMIT));
    app.post(path, async (c) =>
      send(
        c,
        await help.handle(route, {
          method: c.req.method,
          header: (name) => c.req.header(name),
          siteKeyParam: c.req.query('siteKey'),
          text: () => c.req.text(),
        }),
      ),
    );
  }
  return app;
}

function send(c: Context, answer: HelpAnswer) {
  const status = answer.status as ContentfulStatusCode;
  return answer.body === null
    ? c.body(null, 204, answer.headers)
    : c.body(answer.body, status, answer.headers);
}
