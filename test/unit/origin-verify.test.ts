/**
 * The origin check in front of both API functions (functions/lambda/origin-verify.ts), on its own: no network.
 * The entry-point tests (lambda-partner, lambda-admin) cover it inside the real handlers.
 */
import { describe, expect, it } from 'vitest';
import {
  forbiddenResponse,
  MIN_ORIGIN_SECRET_LENGTH,
  ORIGIN_VERIFY_HEADER,
  originCheck,
} from '../../functions/lambda/origin-verify.js';

const SECRET = 'Zk3v9QeX0aLr7TnB2cWy5HdM8sJp4UgF6oKi1';

describe('originCheck', () => {
  it('allows a request carrying the secret', () => {
    expect(originCheck(SECRET).allows({ [ORIGIN_VERIFY_HEADER]: SECRET, host: 'x' })).toBe(true);
  });

  it.each([
    ['no headers at all', undefined],
    ['no origin header', { host: 'abc.execute-api.us-east-1.amazonaws.com' }],
    ['an empty value', { [ORIGIN_VERIFY_HEADER]: '' }],
    ['a wrong value of the same length', { [ORIGIN_VERIFY_HEADER]: 'x'.repeat(SECRET.length) }],
    ['a prefix of the secret', { [ORIGIN_VERIFY_HEADER]: SECRET.slice(0, -1) }],
    ['the secret with more after it', { [ORIGIN_VERIFY_HEADER]: `${SECRET},${SECRET}` }],
    ['the secret in another case', { [ORIGIN_VERIFY_HEADER]: SECRET.toUpperCase() }],
  ])('refuses %s', (_case, headers) => {
    expect(originCheck(SECRET).allows(headers)).toBe(false);
  });

  it('finds the header whatever the case of its name, for events not built by API Gateway', () => {
    expect(originCheck(SECRET).allows({ 'X-Origin-Verify': SECRET })).toBe(true);
  });

  it('strips the header so nothing behind the check sees the secret', () => {
    const headers = { 'x-origin-verify': SECRET, 'X-Origin-Verify': SECRET, accept: 'application/json' };

    expect(originCheck(SECRET).strip(headers)).toEqual({ accept: 'application/json' });
    // The event's own object is left as it was.
    expect(headers['x-origin-verify']).toBe(SECRET);
  });

  it('is off without a secret (the local server and tests run without CloudFront)', () => {
    const check = originCheck(undefined);
    const headers = { accept: 'text/html' };

    expect(check.allows(undefined)).toBe(true);
    expect(check.allows({ [ORIGIN_VERIFY_HEADER]: 'anything' })).toBe(true);
    expect(check.strip(headers)).toBe(headers);
  });

  it('refuses to guard with a short secret', () => {
    expect(() => originCheck('short')).toThrow(
      `The origin-verify secret must be at least ${MIN_ORIGIN_SECRET_LENGTH} characters, got 5.`,
    );
  });
});

describe('forbiddenResponse', () => {
  it("answers 403 in the API's error shape, not cacheable, without naming the header", () => {
    const response = forbiddenResponse();

    expect(response.statusCode).toBe(403);
    expect(response.headers).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: { code: 'forbidden', message: expect.any(String) },
    });
    expect(response.body?.toLowerCase()).not.toContain('origin-verify');
  });
});
