import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminAuthenticator, AdminIdentity } from '../core/ports.js';
import { ADMIN_SCOPE } from '../http/admin/auth.js';

/** The local admin: one shared bearer token (ADMIN_TOKEN, or one made at start), compared in constant time. */
export class StaticTokenAuthenticator implements AdminAuthenticator {
  private readonly digest: Buffer;
  constructor(token: string) {
    this.digest = createHash('sha256').update(token).digest();
  }
  async authenticate(token: string): Promise<AdminIdentity | null> {
    const candidate = createHash('sha256').update(token).digest();
    return timingSafeEqual(candidate, this.digest) ? { id: 'local-admin', scopes: [ADMIN_SCOPE] } : null;
  }
}

export function newAdminToken(): string {
  return `adm_${randomBytes(24).toString('base64url')}`;
}
