import type { MiddlewareHandler } from 'hono';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../core/errors.js';
import type { Partner } from '../core/model.js';
import { findActiveKey, hashSecretKey } from '../core/partner-keys.js';
import type { Metrics, PartnerRepository } from '../core/ports.js';
import type { AppEnv } from './env.js';
import { type RateLimits, TokenBuckets } from './rate-limit.js';

const MAX_CACHED = 10_000;
/** After a failed lookup, the cached answer is trusted this long before the table is tried again. */
const RETRY_AFTER_FAILURE_MS = 1_000;

/** Why a key could not be checked: the partner table did not answer in time, or failed. */
export class PartnerLookupUnavailable extends Error {
  constructor(readonly reason: 'failed' | 'slow') {
    super(`The partner lookup ${reason === 'slow' ? 'ran past its budget' : 'failed'}.`);
    this.name = 'PartnerLookupUnavailable';
  }
}

export interface PartnerAuthenticatorOptions {
  now?: () => number;
  /** How long a request waits on the table for a key's partner (default 500 ms); see PartnerDeps. */
  lookupBudgetMs?: number;
  /** Per-key request limits; none when absent. */
  rateLimits?: RateLimits;
  metrics?: Metrics;
}

interface CacheEntry {
  partner: Partner | null;
  at: number;
}

/**
 * Finds the partner behind a secret or site key. Lookups (hits and misses) are cached briefly so the match path
 * does not read the table per request; a revoked key or a disabled partner stops working within `ttlMs`.
 * When the table fails or is slow, a request waits at most `lookupBudgetMs` and then goes on with the last
 * answer it had for that key (help is not withheld because DynamoDB is down); a key never seen before, with no
 * table to check it against, is PartnerLookupUnavailable, which only the help routes let through.
 */
export class PartnerAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<Partner | null>>();
  private origins: { set: Set<string>; at: number } | null = null;
  private readonly now: () => number;
  private readonly budgetMs: number;
  private readonly buckets = new TokenBuckets();

  constructor(
    private readonly partners: Pick<PartnerRepository, 'findBySecretKeyHash' | 'findBySiteKey' | 'list'>,
    private readonly ttlMs: number,
    private readonly options: PartnerAuthenticatorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.budgetMs = options.lookupBudgetMs ?? 500;
  }

  async bySecretKey(secret: string): Promise<Partner | null> {
    return this.bySecretKeyHash(hashSecretKey(secret));
  }

  /** The same as bySecretKey, for a caller that already holds the key's hash (one sha256 per request). */
  async bySecretKeyHash(hash: string): Promise<Partner | null> {
    const partner = await this.cached(`h:${hash}`, () => this.partners.findBySecretKeyHash(hash));
    return partner && findActiveKey(partner, hash) ? partner : null;
  }

  async bySiteKey(siteKey: string): Promise<Partner | null> {
    if (!/^pk_[A-Za-z0-9_-]{10,64}$/.test(siteKey)) return null;
    return this.cached(`s:${siteKey}`, () => this.partners.findBySiteKey(siteKey));
  }

  /**
   * Every active partner's allowed origins: what a CORS preflight may be answered for. Null when the table
   * cannot be read and nothing was read before.
   */
  async allowedOrigins(): Promise<Set<string> | null> {
    if (!this.origins || this.now() - this.origins.at >= this.ttlMs) {
      try {
        const partners = await withBudget(this.partners.list(), this.budgetMs);
        const set = new Set(partners.filter((p) => p.status === 'active').flatMap((p) => p.allowedOrigins));
        this.origins = { set, at: this.now() };
      } catch {
        this.options.metrics?.count('PartnerLookupFailed');
        if (!this.origins) return null;
        this.origins.at = this.now() - this.ttlMs + Math.min(this.ttlMs, RETRY_AFTER_FAILURE_MS);
      }
    }
    return this.origins.set;
  }

  get metrics(): Metrics | undefined {
    return this.options.metrics;
  }

  /** Takes a token from the key's bucket: 0 when the request may go on, else the seconds to wait. */
  take(kind: keyof RateLimits, key: string): number {
    const limit = this.options.rateLimits?.[kind];
    return limit ? this.buckets.take(`${kind}:${key}`, limit) : 0;
  }

  /** Forget everything cached, so an admin's change is seen at once (the local service calls this). */
  invalidate(): void {
    this.cache.clear();
    this.origins = null;
  }

  private async cached(key: string, load: () => Promise<Partner | null>): Promise<Partner | null> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.partner;
    let lookup = this.pending.get(key);
    if (!lookup) {
      // One lookup per key at a time, however many requests are waiting on it.
      lookup = load()
        .then((partner) => {
          if (this.cache.size >= MAX_CACHED && !this.cache.has(key)) this.cache.clear();
          this.cache.set(key, { partner, at: this.now() });
          return partner;
        })
        .finally(() => this.pending.delete(key));
      lookup.catch(() => {});
      this.pending.set(key, lookup);
    }
    try {
      return await withBudget(lookup, this.budgetMs);
    } catch (error) {
      this.options.metrics?.count('PartnerLookupFailed');
      if (hit) {
        // Trust the last answer a little longer rather than make every request wait on a failing table.
        hit.at = this.now() - this.ttlMs + Math.min(this.ttlMs, RETRY_AFTER_FAILURE_MS);
        this.options.metrics?.count('PartnerServedStale');
        return hit.partner;
      }
      throw new PartnerLookupUnavailable(error instanceof BudgetExceeded ? 'slow' : 'failed');
    }
  }
}

class BudgetExceeded extends Error {}

function withBudget<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BudgetExceeded()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Who a help request is counted under when its key could not be checked because the partner table is down
 * and this instance has never seen that key: the message is public, so it is served rather than withheld.
 */
export const UNVERIFIED_PARTNER_ID = 'ptn_unverified';

const unverifiedPartner = (): Partner => ({
  id: UNVERIFIED_PARTNER_ID,
  name: 'Unverified (partner table unreachable)',
  allowedOrigins: [],
  siteKey: '',
  status: 'active',
  keys: [],
  createdAt: '1970-01-01T00:00:00.000Z',
  revision: 0,
});

/** What a partner request carries that says who sent it. */
export interface PartnerCredentials {
  /** `X-Api-Key`. */
  secret?: string | undefined;
  /** `X-Site-Key`, or `?siteKey=` (for `navigator.sendBeacon`, which cannot set headers). */
  siteKey?: string | undefined;
  /** `Origin`. */
  origin?: string | undefined;
}

export interface AuthenticateOptions {
  /** Whether a publishable site key is accepted (browser routes) besides a secret key. */
  siteKeys: boolean;
  /**
   * The help routes only: when a key cannot be checked because the partner table is down and this instance
   * has no earlier answer for it, the request goes on as UNVERIFIED_PARTNER_ID rather than fail: the message
   * is public and must not be withheld. Other routes answer 500 then.
   */
  serveUnverified?: boolean;
}

/**
 * Authenticates a partner request: a secret key (server to server), or, when `siteKeys` is on, a publishable
 * key whose request `Origin` is one of the partner's allowed origins. Puts the CORS headers for exactly that
 * origin into `headers`. Then takes a token from the key's rate-limit bucket (RateLimitedError, with the seconds
 * to wait, when it is empty). Framework-free: the Hono middleware below and the local server's direct route
 * for /v1/match (functions/http/help.ts) both call it.
 */
export async function authenticate(
  auth: PartnerAuthenticator,
  credentials: PartnerCredentials,
  options: AuthenticateOptions,
  headers: Record<string, string>,
): Promise<Partner> {
  const checked = async (lookup: Promise<Partner | null>): Promise<Partner | null | 'unverified'> => {
    try {
      return await lookup;
    } catch (error) {
      if (!(options.serveUnverified && error instanceof PartnerLookupUnavailable)) throw error;
      return 'unverified';
    }
  };
  const { secret, origin } = credentials;
  const siteKey = options.siteKeys ? credentials.siteKey : undefined;
  let partner: Partner | null | 'unverified' = null;
  let bucket: [keyof RateLimits, string];
  if (secret) {
    const hash = hashSecretKey(secret);
    partner = await checked(auth.bySecretKeyHash(hash));
    if (!partner)
      throw new UnauthorizedError(
        'The X-Api-Key header is not a valid secret key; check it or ask for a new one.',
      );
    bucket = ['secretKey', hash];
  } else if (siteKey) {
    partner = await checked(auth.bySiteKey(siteKey));
    if (!partner)
      throw new UnauthorizedError('The site key is not valid; check the data-site-key of the widget.');
    if (partner !== 'unverified' && (!origin || !partner.allowedOrigins.includes(origin))) {
      throw new ForbiddenError(
        "This page's origin is not allowed for this site key; add it to the partner's allowed origins.",
      );
    }
    if (origin) headers['Access-Control-Allow-Origin'] = origin;
    headers.Vary = 'Origin';
    bucket = ['siteKey', siteKey];
  } else {
    throw new UnauthorizedError(
      options.siteKeys
        ? 'Send your secret key in the X-Api-Key header (or, from a browser, your site key in X-Site-Key).'
        : 'Send your secret key in the X-Api-Key header.',
    );
  }
  if (partner === 'unverified') {
    auth.metrics?.count('PartnerUnverifiedServed');
    partner = unverifiedPartner();
  }
  if (partner.status !== 'active')
    throw new ForbiddenError('This partner is disabled; contact the Signpost administrators.');
  const wait = auth.take(...bucket);
  if (wait > 0) {
    auth.metrics?.count('RateLimited');
    throw new RateLimitedError(
      `Too many requests with this key; wait ${wait} second${wait === 1 ? '' : 's'} and try again.`,
      wait,
    );
  }
  return partner;
}

/** `authenticate` as Hono middleware: the partner goes into the context, the CORS headers onto the answer. */
export function requirePartner(
  auth: PartnerAuthenticator,
  options: AuthenticateOptions,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const headers: Record<string, string> = {};
    const credentials = {
      secret: c.req.header('x-api-key'),
      siteKey: c.req.header('x-site-key') ?? c.req.query('siteKey'),
      origin: c.req.header('origin'),
    };
    try {
      c.set('partner', await authenticate(auth, credentials, options, headers));
    } finally {
      // Set even when a later check refuses (a disabled partner, a rate limit): the browser may read that error.
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
    }
    await next();
  };
}

/**
 * The answer to a CORS preflight of the browser routes: the headers allowing `origin` when some active
 * partner allows it, none otherwise. When the partner table cannot be read and this instance never read it,
 * any origin is allowed: the routes behind it serve public help messages to callers without credentials, and
 * withholding help is worse.
 */
export async function preflightHeaders(
  auth: PartnerAuthenticator,
  origin: string | undefined,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = { Vary: 'Origin' };
  const allowed = origin ? await auth.allowedOrigins() : undefined;
  if (origin && (allowed === null || allowed?.has(origin))) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Allow-Methods'] = 'POST, OPTIONS';
    headers['Access-Control-Allow-Headers'] = 'Content-Type, X-Site-Key';
    headers['Access-Control-Max-Age'] = '600';
  }
  return headers;
}

/** Answers CORS preflights (204) with preflightHeaders; other methods go on. */
export function corsPreflight(auth: PartnerAuthenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'OPTIONS') return next();
    for (const [name, value] of Object.entries(await preflightHeaders(auth, c.req.header('origin'))))
      c.header(name, value);
    return c.body(null, 204);
  };
}
