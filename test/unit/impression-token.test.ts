import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ImpressionTokens,
  parseTokenSecret,
  TOKEN_TTL_MS,
  type TokenKeyring,
} from '../../functions/core/impression-token.js';
import type { ServedEvent } from '../../functions/core/ports.js';

const keyA: TokenKeyring = { current: Buffer.alloc(32, 1), previous: [] };
const keyB: TokenKeyring = { current: Buffer.alloc(32, 2), previous: [] };
const at = new Date('2026-11-01T05:42:10Z');
const event: ServedEvent = {
  campaignId: 'cmp_us_national_hotline',
  keywordId: 'kw_passport',
  partnerId: 'ptn_search',
  locale: 'es',
  region: 'US-CA',
  rulesetVersion: 7,
  at,
};

/** Signs any claims array with `key`, as the service would: for tokens the service itself would never make. */
function craft(claims: unknown, key = keyA.current) {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', key).update(`t1.${body}`).digest().subarray(0, 16).toString('base64url');
  return `t1.${body}.${mac}`;
}

describe('impression tokens', () => {
  it('carry exactly what the counters need and verify until they expire', () => {
    const tokens = new ImpressionTokens(keyA);
    const { token, claims } = tokens.issue(event);
    expect(claims).toEqual({
      tokenId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      campaignId: 'cmp_us_national_hotline',
      keywordId: 'kw_passport',
      partnerId: 'ptn_search',
      locale: 'es',
      region: 'US-CA',
      hour: Math.floor(at.getTime() / 3_600_000),
      rulesetVersion: 7,
      expiresAt: Math.floor((at.getTime() + TOKEN_TTL_MS) / 1000),
    });
    // The readable part is the nine claims, nothing else: no query, no IP address, no secret.
    const decoded = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(decoded).toHaveLength(9);
    expect(token.length).toBeLessThan(260);

    expect(tokens.verify(token, at)).toEqual({ ok: true, claims });
    expect(tokens.verify(token, new Date(at.getTime() + TOKEN_TTL_MS - 1000)).ok).toBe(true);
    expect(tokens.verify(token, new Date(at.getTime() + TOKEN_TTL_MS))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it("keeps a banner's null keyword, and gives every token its own id", () => {
    const tokens = new ImpressionTokens(keyA);
    const { token } = tokens.issue({ ...event, keywordId: null, region: '' });
    const check = tokens.verify(token, at);
    expect(check.ok && check.claims.keywordId).toBeNull();
    const ids = new Set(Array.from({ length: 5_000 }, () => tokens.issue(event).claims.tokenId));
    expect(ids.size).toBe(5_000);
  });

  it('rejects a token signed with another key, or changed in any character, as forged', () => {
    const { token } = new ImpressionTokens(keyA).issue(event);
    expect(new ImpressionTokens(keyB).verify(token, at)).toEqual({ ok: false, reason: 'forged' });
    const [prefix, body, mac] = token.split('.') as [string, string, string];
    const other = JSON.parse(Buffer.from(body, 'base64url').toString());
    other[1] = 'cmp_someone_else';
    const swapped = `${prefix}.${Buffer.from(JSON.stringify(other)).toString('base64url')}.${mac}`;
    expect(new ImpressionTokens(keyA).verify(swapped, at)).toEqual({ ok: false, reason: 'forged' });
  });

  it('verifies old tokens during a key rotation, and signs with the new key', () => {
    const old = new ImpressionTokens(keyA).issue(event).token;
    const rotating = new ImpressionTokens({ current: keyB.current, previous: [keyA.current] });
    expect(rotating.verify(old, at).ok).toBe(true);
    const fresh = rotating.issue(event).token;
    expect(new ImpressionTokens(keyB).verify(fresh, at).ok).toBe(true);
    expect(new ImpressionTokens(keyA).verify(fresh, at).ok).toBe(false);
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['another scheme', 'tok_1'],
    ['no mac', 't1.abc'],
    ['an empty body', 't1..AAAAAAAAAAAAAAAAAAAAAA'],
    ['a short mac', 't1.abc.AAAA'],
    ['characters outside base64url', 't1.a+b/c.AAAAAAAAAAAAAAAAAAAAAA'],
    ['far too long', `t1.${'a'.repeat(2000)}.AAAAAAAAAAAAAAAAAAAAAA`],
  ])('rejects a token that is %s as malformed', (_name, token) => {
    expect(new ImpressionTokens(keyA).verify(token, at)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['not an array', { id: 'x' }],
    ['too few claims', ['AAAAAAAAAAAAAAAA', 'cmp_a']],
    ['a bad token id', ['short', 'cmp_a', null, 'ptn_a', 'en', 'US', 1, 1, 9e9]],
    ['a fractional hour', ['AAAAAAAAAAAAAAAA', 'cmp_a', null, 'ptn_a', 'en', 'US', 1.5, 1, 9e9]],
    ['an empty campaign', ['AAAAAAAAAAAAAAAA', '', null, 'ptn_a', 'en', 'US', 1, 1, 9e9]],
    ['a numeric keyword', ['AAAAAAAAAAAAAAAA', 'cmp_a', 5, 'ptn_a', 'en', 'US', 1, 1, 9e9]],
  ])('rejects correctly signed claims with %s as malformed', (_name, claims) => {
    expect(new ImpressionTokens(keyA).verify(craft(claims), at)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('never throws and never accepts arbitrary input or a mutated token', () => {
    const tokens = new ImpressionTokens(keyA);
    const { token } = tokens.issue(event);
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (input) => {
        expect(tokens.verify(input, at).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'AZaz09-_.x'), (index, char) => {
        fc.pre(token[index] !== char);
        const mutated = token.slice(0, index) + char + token.slice(index + 1);
        expect(tokens.verify(mutated, at).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a signing key shorter than 32 bytes', () => {
    expect(() => new ImpressionTokens({ current: Buffer.alloc(16), previous: [] })).toThrow(/32 bytes/);
  });
});

describe('token secrets as kept in SSM', () => {
  it('read the first secret as the signing key and the others as verify-only', () => {
    const ring = parseTokenSecret(`${'n'.repeat(40)}, ${'o'.repeat(32)}`);
    expect(Buffer.from(ring.current).toString()).toBe('n'.repeat(40));
    expect(ring.previous.map((k) => Buffer.from(k).toString())).toEqual(['o'.repeat(32)]);
  });

  it('refuse empty or short secrets without quoting them', () => {
    expect(() => parseTokenSecret('  ')).toThrow(/empty/);
    expect(() => parseTokenSecret('tooshort-secret')).toThrow(/at least 32/);
    expect(() => parseTokenSecret('tooshort-secret')).not.toThrow(/tooshort/);
  });
});

describe('token spelling', () => {
  it('accepts only the canonical spelling of the mac, so one token has no look-alike variants', () => {
    const tokens = new ImpressionTokens(keyA);
    const { token } = tokens.issue(event);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variants = [...alphabet].map((c) => token.slice(0, -1) + c).filter((t) => t !== token);
    expect(variants.filter((t) => tokens.verify(t, at).ok)).toEqual([]);
  });
});
