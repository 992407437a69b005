import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../core/ports.js';
import { errorHandler, notFound } from './errors.js';
import { router } from './openapi.js';

/** Headers every answer carries. No cross-origin isolation headers: the widget is loaded from partner pages. */
const baseHeaders: MiddlewareHandler = async (c, next) => {
  // Set before the handler runs, so they go out with its answer: a header set on a finished answer makes Hono
  // rebuild it around a web stream, which cost more than the whole match on the local server.
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  await next();
};

/** One line per request: method, route pattern, status and time. Never the URL's query, the body or the caller. */
const accessLog =
  (logger: Logger): MiddlewareHandler =>
  async (c, next) => {
    const started = performance.now();
    await next();
    logger.debug('request', {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
  };

/** A router with the headers, access log, error mapping and 404 every app shares. */
export function base(logger: Logger) {
  const app = router();
  app.use('*', baseHeaders, accessLog(logger));
  app.onError(errorHandler(logger));
  app.notFound(notFound);
  return app;
}
