/**
 * Domain errors. Core and adapters throw these; the HTTP layer maps each to a status and an API error code once
 * (functions/http/errors.ts). Every message is a sentence a person can act on.
 */
export interface ErrorDetail {
  path?: (string | number)[];
  message: string;
  [key: string]: unknown;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 428 | 429;
  constructor(
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'invalid_request';
  readonly status = 400;
}
export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
  readonly status = 401;
}
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
  readonly status = 403;
}
export class NotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly status = 404;
}
export class ConflictError extends DomainError {
  readonly code = 'conflict';
  readonly status = 409;
}
/** The caller's `If-Match` no longer names the current revision: someone else changed it first. */
export class PreconditionFailedError extends DomainError {
  readonly code = 'precondition_failed';
  readonly status = 412;
}
export class PreconditionRequiredError extends DomainError {
  readonly code = 'precondition_required';
  readonly status = 428;
}
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
  readonly status = 413;
}
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
  readonly status = 415;
}
export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
