/**
 * Keeps callers from going around CloudFront (and its WAF) to the API's own execute-api address. CloudFront
 * adds a secret header to every request it sends to the API origin (it replaces any viewer header of that
 * name); the functions refuse a request without the right value. Framework-free: it runs before Hono sees the
 * event, in functions/lambda/runtime.ts.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** As API Gateway (payload 2.0) hands it over: header names in lower case. The infra sends `X-Origin-Verify`. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** Shorter than this is not a secret worth checking: fail the cold start rather than guard with it. */
export const MIN_ORIGIN_SECRET_LENGTH = 32;

type Headers = Record<string, string | undefined> | undefined;

export interface OriginCheck {
  /** Whether the request carries the secret. Always true when the check is disabled. */
  allows(headers: Headers): boolean;
  /** The headers without the secret, so nothing behind the check can echo it. */
  strip<T extends Headers>(headers: T): T;
}

const sha256 = (value: string) => hash('sha256', value, 'buffer');

/**
 * The check for `secret`, or a disabled one when `secret` is undefined (the local server, tests: nothing sits
 * in front of them). Both sides are hashed first, so the comparison takes the same time whatever the length
 * or content of what a caller sends.
 */
export function originCheck(secret: string | undefined): OriginCheck {
  if (secret === undefined) {
    return { allows: () => true, strip: (headers) => headers };
  }
  if (secret.length < MIN_ORIGIN_SECRET_LENGTH) {
    throw new Error(
      `The origin-verify secret must be at least ${MIN_ORIGIN_SECRET_LENGTH} characters, got ${secret.length}.`,
    );
  }
  const expected = sha256(secret);
  return {
    allows(headers) {
      const sent = headerValue(headers);
      // Hash even when the header is absent, so its absence is not faster to learn than a wrong value.
      const matches = timingSafeEqual(sha256(sent ?? ''), expected);
      return sent !== undefined && matches;
    },
    strip(headers) {
      if (!headers) return headers;
      const kept: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (name.toLowerCase() !== ORIGIN_VERIFY_HEADER) kept[name] = value;
      }
      return kept as typeof headers;
    },
  };
}

function headerValue(headers: Headers): string | undefined {
  if (!headers) return undefined;
  const exact = headers[ORIGIN_VERIFY_HEADER];
  if (exact !== undefined) return exact;
  // API Gateway lower-cases names; an event built by hand (a test, a console invoke) may not.
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === ORIGIN_VERIFY_HEADER) return value;
  }
  return undefined;
}

/** The API's error shape, as functions/http/errors.ts writes it; the message does not name the header. */
export function forbiddenResponse(): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 403,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({
      error: { code: 'forbidden', message: 'Call this API through its public address.' },
    }),
    isBase64Encoded: false,
  };
}
