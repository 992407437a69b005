import type { MiddlewareHandler } from 'hono';
import {
  ForbiddenError,
  PreconditionFailedError,
  PreconditionRequiredError,
  UnauthorizedError,
} from '../../core/errors.js';
import type { AdminAuthenticator } from '../../core/ports.js';
import type { AppEnv } from '../openapi.js';

/** The scope every admin route needs; the Cognito resource server grants it, the local token carries it. */
export const ADMIN_SCOPE = 'signpost/admin';

/** Bearer-token authentication and the one authorization check, for local tokens and Cognito JWTs alike. */
export function requireAdmin(auth: AdminAuthenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError('Send the admin token as "Authorization: Bearer <token>".');
    const identity = await auth.authenticate(match[1]);
    if (!identity) throw new UnauthorizedError('The admin token is not valid or has expired; sign in again.');
    if (!identity.scopes.includes(ADMIN_SCOPE))
      throw new ForbiddenError(`The token lacks the ${ADMIN_SCOPE} scope.`);
    c.set('admin', identity);
    await next();
  };
}

export function etag(revision: number): string {
  return `"${revision}"`;
}

/** The revision named by `If-Match`: 428 without one, 412 when it cannot be a revision of ours. */
export function expectedRevision(ifMatch: string | undefined, what: string): number {
  if (!ifMatch) {
    throw new PreconditionRequiredError(
      `Send If-Match with the ETag of the ${what} you loaded, so no one's change is overwritten.`,
    );
  }
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(ifMatch);
  if (!match?.[1]) {
    throw new PreconditionFailedError(
      `If-Match ${JSON.stringify(ifMatch.slice(0, 40))} is not an ETag of this ${what}; reload it.`,
    );
  }
  return Number(match[1]);
}
