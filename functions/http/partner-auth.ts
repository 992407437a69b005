import type { MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthorizedError } from '../core/errors.js';
import type { Partner } from '../core/model.js';
import { findActiveKey, hashSecretKey } from '../core/partner-keys.js';
import type { PartnerRepository } from '../core/ports.js';
import type { AppEnv } from './openapi.js';

const MAX_CACHED = 10_000;

/**
 * Finds the partner behind a secret or site key. Lookups (hits and misses) are cached briefly so the match path
 * does not read the table per request; a revoked key or a disabled partner stops working within `ttlMs`.
 */
export class PartnerAuthenticator {
  private readonly cache = new Map<string, { partner: Partner | null; at: number }>();
  private origins: { set: Set<string>; at: number } | null = null;

  constructor(
    private readonly partners: Pick<PartnerRepository, 'findBySecretKeyHash' | 'findBySiteKey' | 'list'>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async bySecretKey(secret: string): Promise<Partner | null> {
    const hash = hashSecretKey(secret);
    const partner = await this.cached(`h:${hash}`, () => this.partners.findBySecretKeyHash(hash));
    return partner && findActiveKey(partner, hash) ? partner : null;
  }

  async bySiteKey(siteKey: string): Promise<Partner | null> {
    if (!/^pk_[A-Za-z0-9_-]{10,64}$/.test(siteKey)) return null;
    return this.cached(`s:${siteKey}`, () => this.partners.findBySiteKey(siteKey));
  }

  /** Every active partner's allowed origins: what a CORS preflight may be answered for. */
  async allowedOrigins(): Promise<Set<string>> {
    if (!this.origins || this.now() - this.origins.at >= this.ttlMs) {
      const partners = await this.partners.list();
      const set = new Set(partners.filter((p) => p.status === 'active').flatMap((p) => p.allowedOrigins));
      this.origins = { set, at: this.now() };
    }
    return this.origins.set;
  }

  /** Forget everything cached, so an admin's change is seen at once (the local service calls this). */
  invalidate(): void {
    this.cache.clear();
    this.origins = null;
  }

  private async cached(key: string, load: () => Promise<Partner | null>): Promise<Partner | null> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.partner;
    const partner = await load();
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { partner, at: this.now() });
    return partner;
  }
}

/**
 * Authenticates a partner request: a secret key in `X-Api-Key` (server to server), or, when `siteKeys` is on, a
 * publishable key in `X-Site-Key` (or `?siteKey=`, for `navigator.sendBeacon`, which cannot set headers) whose
 * request `Origin` is one of the partner's allowed origins. Sets CORS headers for exactly those origins.
 */
export function requirePartner(
  auth: PartnerAuthenticator,
  options: { siteKeys: boolean },
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const secret = c.req.header('x-api-key');
    const siteKey = options.siteKeys ? (c.req.header('x-site-key') ?? c.req.query('siteKey')) : undefined;
    let partner: Partner | null = null;
    if (secret) {
      partner = await auth.bySecretKey(secret);
      if (!partner)
        throw new UnauthorizedError(
          'The X-Api-Key header is not a valid secret key; check it or ask for a new one.',
        );
    } else if (siteKey) {
      const origin = c.req.header('origin');
      partner = await auth.bySiteKey(siteKey);
      if (!partner)
        throw new UnauthorizedError('The site key is not valid; check the data-site-key of the widget.');
      if (!origin || !partner.allowedOrigins.includes(origin)) {
        throw new ForbiddenError(
          "This page's origin is not allowed for this site key; add it to the partner's allowed origins.",
        );
      }
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    } else {
      throw new UnauthorizedError(
        options.siteKeys
          ? 'Send your secret key in the X-Api-Key header (or, from a browser, your site key in X-Site-Key).'
          : 'Send your secret key in the X-Api-Key header.',
      );
    }
    if (partner.status !== 'active')
      throw new ForbiddenError('This partner is disabled; contact the Signpost administrators.');
    c.set('partner', partner);
    await next();
  };
}

/** Answers CORS preflights for the browser routes, for the origins some active partner allows, and no other. */
export function corsPreflight(auth: PartnerAuthenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'OPTIONS') return next();
    const origin = c.req.header('origin');
    c.header('Vary', 'Origin');
    if (origin && (await auth.allowedOrigins()).has(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      c.header('Access-Control-Allow-Headers', 'Content-Type, X-Site-Key');
      c.header('Access-Control-Max-Age', '600');
    }
    return c.body(null, 204);
  };
}
