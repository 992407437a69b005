import type { Hono, MiddlewareHandler } from 'hono';
import type { Logger } from '../core/ports.js';
import type { AppEnv } from './env.js';
import { errorHandler, notFound } from './errors.js';

/** Headers every answer carries. No cross-origin isolation headers: the widget is loaded from partner pages. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const baseHeaders: MiddlewareHandler = async (c, next) => {
  // Set before the handler runs, so they go out with its answer: a header set on a finished answer makes Hono
  // rebuild it around a web stream, which cost more than the whole match on the local server.
  for (const [name, value] of Object.entries(BASE_HEADERS)) c.header(name, value);
  await next();
};

/** The fields of the one line logged per request. Never the URL's query, the body or the caller. */
export function accessLogLine(method: string, route: string, status: number, started: number) {
  return { method, route, status, ms: Math.round((performance.now() - started) * 100) / 100 };
}

/** One line per request: method, route pattern, status and time. */
const accessLog =
  (logger: Logger): MiddlewareHandler =>
  async (c, next) => {
    const started = performance.now();
    await next();
    logger.debug('request', accessLogLine(c.req.method, c.req.routePath, c.res.status, started));
  };

/**
 * Gives an app the headers, access log, error mapping and 404 every app shares: a plain Hono for the partner
 * function, an OpenAPIHono where routes are documented.
 */
export function withBase<App extends Hono<AppEnv>>(app: App, logger: Logger): App {
  app.use('*', baseHeaders, accessLog(logger));
  app.onError(errorHandler(logger));
  app.notFound(notFound);
  return app;
}
