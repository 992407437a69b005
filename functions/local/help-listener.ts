/**
 * The local server's direct route for `POST /v1/match` and `POST /v1/banner` (and their preflights): node:http
 * straight into help.ts's HelpEndpoint, the very function Hono serves them through on Lambda and in the route
 * tests. A search then costs no fetch Request, Response or web stream: on this machine, Hono on
 * @hono/node-server answered a trivial JSON route at about 70% of a bare node:http server's rate, which left
 * no room for the match itself (bench/http.ts measures the whole route against bare node:http).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/ports.js';
import { accessLogLine, BASE_HEADERS } from '../http/base.js';
import {
  faultAnswer,
  HELP_PATHS,
  type HelpEndpoint,
  type HelpRoute,
  PARTNER_BODY_LIMIT,
  tooLarge,
} from '../http/help.js';

/** A request for one of the help routes: which one, its path, and `?siteKey=` if given. */
export interface HelpTarget {
  route: HelpRoute;
  path: string;
  siteKey: string | undefined;
}

/** The help route a request is for, or undefined for everything else (which Hono serves). */
export function helpRouteOf(req: IncomingMessage): HelpTarget | undefined {
  if (req.method !== 'POST' && req.method !== 'OPTIONS') return undefined;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const route = HELP_PATHS[path];
  if (!route) return undefined;
  return {
    route,
    path,
    siteKey: q < 0 ? undefined : (new URLSearchParams(url.slice(q + 1)).get('siteKey') ?? undefined),
  };
}

/** The body as text, read only when asked for (a refused request's body is never read: Node discards it). */
function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > PARTNER_BODY_LIMIT) {
        req.off('data', onData);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString()),
    );
    req.once('error', reject);
  });
}

export function serveHelp(
  help: HelpEndpoint,
  logger: Logger,
  /** True once the server is closing: every answer then tells its client to hang up. */
  closing: () => boolean,
) {
  return (req: IncomingMessage, res: ServerResponse, target: HelpTarget) => {
    const started = performance.now();
    const send = (status: number, headers: Record<string, string>, body: string | null) => {
      const out: Record<string, string | number> = { ...BASE_HEADERS, ...headers };
      if (body !== null) out['Content-Length'] = Buffer.byteLength(body);
      // Once closing, or when a body was cut off at the limit (not read to its end): hang up after this answer.
      if (closing() || (status === 413 && !req.complete)) out.Connection = 'close';
      res.writeHead(status, out);
      res.end(body ?? undefined);
      logger.debug('request', accessLogLine(req.method ?? '', target.path, status, started));
    };
    help
      .handle(target.route, {
        method: req.method ?? 'POST',
        header: (name) => {
          const value = req.headers[name];
          return Array.isArray(value) ? value.join(', ') : value;
        },
        siteKeyParam: target.siteKey,
        text: () => readText(req),
      })
      .then(
        (answer) => send(answer.status, answer.headers, answer.body),
        (error: unknown) => {
          // Only the error's name: a message can quote input, and input may be someone's search.
          logger.error('unhandled error', { error: error instanceof Error ? error.name : 'unknown' });
          const fault = faultAnswer();
          send(fault.status, fault.headers, fault.body);
        },
      );
  };
}
