import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Partner, PartnerKey } from './model.js';

/** A new secret key, `sk_` and 32 random bytes. Shown once; only its hash is kept. */
export function newSecretKey(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

/** A new publishable site key, `pk_` and 18 random bytes. Public by design: origins guard its use. */
export function newSiteKey(): string {
  return `pk_${randomBytes(18).toString('base64url')}`;
}

export function hashSecretKey(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The unrevoked key of `partner` whose stored hash equals `hash`, compared in constant time. */
export function findActiveKey(partner: Partner, hash: string): PartnerKey | undefined {
  const wanted = Buffer.from(hash, 'hex');
  let found: PartnerKey | undefined;
  for (const key of partner.keys) {
    const stored = Buffer.from(key.hash, 'hex');
    // Compare every key so the time taken does not tell which one (if any) matched.
    if (stored.length === wanted.length && timingSafeEqual(stored, wanted) && !key.revokedAt) found = key;
  }
  return found;
}

export function newPartnerKey(id: string, secret: string, now: Date): PartnerKey {
  return {
    id,
    hash: hashSecretKey(secret),
    prefix: secret.slice(0, 7),
    createdAt: now.toISOString(),
    revokedAt: null,
  };
}

/** A partner as admins see it: key hashes stay inside. */
export function publicPartner(partner: Partner) {
  return {
    id: partner.id,
    name: partner.name,
    allowedOrigins: partner.allowedOrigins,
    siteKey: partner.siteKey,
    status: partner.status,
    createdAt: partner.createdAt,
    keys: partner.keys.map(({ id, prefix, createdAt, revokedAt }) => ({ id, prefix, createdAt, revokedAt })),
  };
}
