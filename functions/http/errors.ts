import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { $ZodError as ZodError } from 'zod/v4/core';
import { DomainError, type ErrorDetail, RateLimitedError, ValidationError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';

/** The answer to a fault (never to bad input): no detail of what went wrong. */
export const INTERNAL_ERROR = {
  code: 'internal',
  message: 'Something went wrong on our side; try again in a moment.',
} as const;

/** The API's error body: a code, a sentence, and details when there are any. */
export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: details?.length ? { code, message, details } : { code, message } };
}

export const INTERNAL_ERROR_BODY = JSON.stringify(errorBody(INTERNAL_ERROR.code, INTERNAL_ERROR.message));

export function errorJson(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: ErrorDetail[],
) {
  c.header('Cache-Control', 'no-store');
  return c.json(errorBody(code, message, details), status);
}

/** zod issues as API error details: a path and a sentence each. */
export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
}

export function validationError(error: ZodError, what = 'request'): ValidationError {
  const first = error.issues[0];
  const where = first?.path.length ? ` (at ${first.path.join('.')})` : '';
  return new ValidationError(
    `The ${what} is not valid: ${first?.message ?? 'check its fields'}${where}.`.replace(/\.+\s*\(/, ' ('),
    zodDetails(error),
  );
}

/** The one place domain errors and framework errors become HTTP answers. Never a stack trace; never a 5xx for bad input. */
export function errorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof DomainError) {
      if (error instanceof RateLimitedError) c.header('Retry-After', String(error.retryAfterSeconds));
      return errorJson(c, error.status, error.code, error.message, error.details);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      if (status === 415) {
        return errorJson(
          c,
          415,
          'unsupported_media_type',
          'Send the body as JSON with Content-Type: application/json.',
        );
      }
      if (status === 413) return errorJson(c, 413, 'payload_too_large', 'The request body is too large.');
      if (status === 400) {
        return errorJson(
          c,
          400,
          'invalid_request',
          'The request body is not valid JSON; check its quotes, commas and brackets.',
        );
      }
      if (status < 500)
        return errorJson(c, status, 'invalid_request', error.message || 'The request is not valid.');
    }
    // Only the error's name: a message can quote input, and input may be someone's search.
    logger.error('unhandled error', { error: error.name });
    return errorJson(c, 500, INTERNAL_ERROR.code, INTERNAL_ERROR.message);
  };
}

export function notFound(c: Context) {
  return errorJson(
    c,
    404,
    'not_found',
    `There is no ${c.req.method} ${new URL(c.req.url).pathname}; see /openapi.json for the routes.`,
  );
}
