/**
 * Impression tokens: what a match answers so that a later `impression` or `action` event can be counted against
 * the message that was served, and only once. A token is `t1.<claims>.<mac>`:
 * - claims: base64url of a JSON array of exactly what the counters need (campaign, keyword, partner, locale,
 *   region, the hour served, the ruleset version), a random token id for dedup, and the expiry. Nothing about
 *   who searched or what they typed: no query, no IP address, no user agent, no partner secret.
 * - mac: HMAC-SHA256 over `t1.<claims>` with the service's token key, truncated to 128 bits.
 * Tokens are not encrypted: a partner may read them, and there is nothing in them it did not already get.
 */
import { createHmac, createSecretKey, type KeyObject, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { ServedEvent } from './ports.js';

export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** Tokens longer than this are refused before any decoding (a real one is about 180 characters). */
export const MAX_TOKEN_LENGTH = 1024;
const PREFIX = 't1.';
const MAC_BYTES = 16;
const HOUR_MS = 3_600_000;

/** The keys tokens are signed and verified with. During a rotation the old keys still verify for a day. */
export interface TokenKeyring {
  /** Signs every new token. */
  current: Uint8Array;
  /** Verify only: keys being rotated out. */
  previous: Uint8Array[];
}

/** Where the keyring comes from: the data store locally, SSM on AWS (functions/adapters/dynamodb/secrets.ts). */
export type TokenKeySource = () => Promise<TokenKeyring>;

/** What a token carries. `hour` is whole hours since the Unix epoch; `expiresAt` is Unix seconds. */
export interface TokenClaims {
  tokenId: string;
  campaignId: string;
  keywordId: string | null;
  partnerId: string;
  locale: string;
  region: string;
  hour: number;
  rulesetVersion: number;
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

export class ImpressionTokens {
  // Imported once: HMAC with a KeyObject skips re-importing raw key bytes on every match.
  private readonly signKey: KeyObject;
  private readonly verifyKeys: KeyObject[];
  private readonly pool = Buffer.alloc(12 * 256);
  private poolAt = this.pool.length;

  constructor(
    keyring: TokenKeyring,
    private readonly ttlMs: number = TOKEN_TTL_MS,
  ) {
    if (keyring.current.length < 32) throw new Error('The token signing key must be at least 32 bytes.');
    this.signKey = createSecretKey(keyring.current);
    this.verifyKeys = [keyring.current, ...keyring.previous].map((key) => createSecretKey(key));
  }

  /** A new token for a served message, and the claims it carries. */
  issue(event: ServedEvent): { token: string; claims: TokenClaims } {
    const at = event.at.getTime();
    const claims: TokenClaims = {
      tokenId: this.randomId(),
      campaignId: event.campaignId,
      keywordId: event.keywordId,
      partnerId: event.partnerId,
      locale: event.locale,
      region: event.region,
      hour: Math.floor(at / HOUR_MS),
      rulesetVersion: event.rulesetVersion,
      expiresAt: Math.floor((at + this.ttlMs) / 1000),
    };
    const body = Buffer.from(
      JSON.stringify([
        claims.tokenId,
        claims.campaignId,
        claims.keywordId,
        claims.partnerId,
        claims.locale,
        claims.region,
        claims.hour,
        claims.rulesetVersion,
        claims.expiresAt,
      ]),
      'utf8',
    ).toString('base64url');
    const signed = `${PREFIX}${body}`;
    return { token: `${signed}.${mac(this.signKey, signed).toString('base64url')}`, claims };
  }

  /** Checks a token from the outside world. Never throws, whatever the input. */
  verify(token: unknown, now: Date): TokenCheck {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) {
      return { ok: false, reason: 'malformed' };
    }
    const dot = token.lastIndexOf('.');
    const signed = token.slice(0, dot);
    const macText = token.slice(dot + 1);
    const body = signed.slice(PREFIX.length);
    if (dot <= PREFIX.length || !B64URL.test(body) || !B64URL.test(macText))
      return { ok: false, reason: 'malformed' };
    const given = Buffer.from(macText, 'base64url');
    // Only the canonical spelling: base64url leaves spare bits in the last character, which must not make variants.
    if (given.length !== MAC_BYTES || given.toString('base64url') !== macText)
      return { ok: false, reason: 'malformed' };
    // Every key is tried, so the time taken does not tell which one (if any) matched.
    let valid = false;
    for (const key of this.verifyKeys) valid = timingSafeEqual(mac(key, signed), given) || valid;
    if (!valid) return { ok: false, reason: 'forged' };
    const claims = decodeClaims(body);
    if (!claims) return { ok: false, reason: 'malformed' };
    if (claims.expiresAt * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  /** 12 random bytes as 16 base64url characters, drawn from a pool so a match costs no extra system call. */
  private randomId(): string {
    if (this.poolAt >= this.pool.length) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    const id = this.pool.toString('base64url', this.poolAt, this.poolAt + 12);
    this.poolAt += 12;
    return id;
  }
}

function mac(key: KeyObject, signed: string): Buffer {
  return createHmac('sha256', key).update(signed, 'utf8').digest().subarray(0, MAC_BYTES);
}

const isShort = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function decodeClaims(body: string): TokenClaims | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 9) return null;
  const [tokenId, campaignId, keywordId, partnerId, locale, region, hour, rulesetVersion, expiresAt] = parsed;
  if (typeof tokenId !== 'string' || !ID_PATTERN.test(tokenId)) return null;
  if (!isShort(campaignId, 200) || !campaignId || !isShort(partnerId, 200) || !partnerId) return null;
  if (keywordId !== null && !isShort(keywordId, 200)) return null;
  if (!isShort(locale, 35) || !isShort(region, 6)) return null;
  if (!isCount(hour) || !isCount(rulesetVersion) || !isCount(expiresAt)) return null;
  return { tokenId, campaignId, keywordId, partnerId, locale, region, hour, rulesetVersion, expiresAt };
}

const MIN_SECRET_LENGTH = 32;

/** A keyring from a secret string as kept in SSM. Throws, naming no secret, when it is unusable. */
export function parseTokenSecret(value: string): TokenKeyring {
  const secrets = value.split(/[\s,]+/).filter(Boolean);
  if (secrets.length === 0) throw new Error('The token secret is empty.');
  if (secrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    throw new Error(`Each token secret must be at least ${MIN_SECRET_LENGTH} characters long.`);
  }
  const [current, ...previous] = secrets.map((s) => Buffer.from(s, 'utf8'));
  return { current: current as Buffer, previous };
}
