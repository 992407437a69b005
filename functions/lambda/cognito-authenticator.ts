/**
 * The AdminAuthenticator for Cognito access tokens. API Gateway's JWT authorizer has already checked the
 * token before the function runs; this checks it again (signature against the pool's JWKS, issuer, client,
 * token use, expiry) so the function is safe on its own, and returns the same AdminIdentity the local bearer
 * token yields: one authorization code path (the scope check in functions/http/admin/auth.ts).
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { AdminAuthenticator, AdminIdentity } from '../core/ports.js';

export interface CognitoJwtAuthenticatorOptions {
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  issuer: string;
  /** The app client id: Cognito access tokens carry it as `client_id` (they have no `aud`). */
  clientId: string;
  /** Fetches the JSON Web Key Set; a test passes its own. */
  fetchJwks?: (url: string) => Promise<unknown>;
  now?: () => number;
  /** Allowed clock skew, seconds. */
  leewaySeconds?: number;
}

interface Jwk {
  kid: string;
  kty: string;
  n: string;
  e: string;
  alg?: string;
}

/** Unknown key ids trigger a JWKS refetch at most this often, so forged kids cannot hammer Cognito. */
const REFETCH_INTERVAL_MS = 60_000;

export class CognitoJwtAuthenticator implements AdminAuthenticator {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly fetchJwks: (url: string) => Promise<unknown>;

  constructor(private readonly options: CognitoJwtAuthenticatorOptions) {
    if (!/^https:\/\/\S+$/.test(options.issuer)) {
      throw new Error(`issuer must be an https URL, got '${options.issuer}'`);
    }
    this.now = options.now ?? Date.now;
    this.fetchJwks =
      options.fetchJwks ??
      (async (url) => {
        const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
        if (!response.ok) throw new Error(`JWKS fetch failed with status ${response.status}`);
        return response.json();
      });
  }

  async authenticate(token: string): Promise<AdminIdentity | null> {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeJson(headerPart);
    const payload = decodeJson(payloadPart);
    if (!header || !payload) return null;
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') return null;

    const key = await this.key(header.kid);
    if (!key) return null;
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    if (!verify('RSA-SHA256', signed, key, Buffer.from(signaturePart, 'base64url'))) return null;

    const nowSeconds = Math.floor(this.now() / 1000);
    const leeway = this.options.leewaySeconds ?? 30;
    if (payload.iss !== this.options.issuer) return null;
    if (payload.token_use !== 'access') return null;
    if (payload.client_id !== this.options.clientId) return null;
    if (typeof payload.exp !== 'number' || payload.exp + leeway < nowSeconds) return null;
    if (typeof payload.iat === 'number' && payload.iat - leeway > nowSeconds) return null;
    const id = typeof payload.username === 'string' ? payload.username : payload.sub;
    if (typeof id !== 'string' || id === '') return null;
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter((s) => s !== '') : [];
    return { id, scopes };
  }

  private async key(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.now() - this.fetchedAt < REFETCH_INTERVAL_MS && this.keys.size > 0) return undefined;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    await this.inflight;
    return this.keys.get(kid);
  }

  private async refresh(): Promise<void> {
    this.fetchedAt = this.now();
    try {
      const body = await this.fetchJwks(`${this.options.issuer}/.well-known/jwks.json`);
      const keys = new Map<string, KeyObject>();
      const list = isRecord(body) && Array.isArray(body.keys) ? body.keys : [];
      for (const jwk of list) {
        if (!isRsaJwk(jwk)) continue;
        keys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }));
      }
      if (keys.size > 0) this.keys = keys;
    } catch {
      // Keep the keys we had; a token signed by an unknown key is refused until the next refetch.
    }
  }
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRsaJwk(value: unknown): value is Jwk {
  return (
    isRecord(value) &&
    value.kty === 'RSA' &&
    typeof value.kid === 'string' &&
    typeof value.n === 'string' &&
    typeof value.e === 'string' &&
    (value.alg === undefined || value.alg === 'RS256')
  );
}
