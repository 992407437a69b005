/**
 * The partner routes validate with zod/mini (functions/core/partner-schemas.ts), the admin API's explain route
 * with full zod (functions/core/schemas.ts). Both must take and refuse the same match requests, with the same
 * messages, or an admin's "test a query" would disagree with what partners get.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mini from '../../functions/core/partner-schemas.js';
import * as full from '../../functions/core/schemas.js';

const outcome = (result: {
  success: boolean;
  data?: unknown;
  error?: { issues: { message: string; path: PropertyKey[] }[] };
}) =>
  result.success
    ? { ok: result.data }
    : { refused: result.error?.issues.map((i) => ({ message: i.message, path: i.path.map(String) })) };

const tag = fc.oneof(
  fc.constantFrom(
    'en',
    'es-MX',
    'es-mx',
    'EN-us',
    'zh-Hant-TW',
    'x',
    'not a locale!',
    '',
    'en_US',
    'a'.repeat(36),
  ),
  fc.string({ maxLength: 40 }),
);
const region = fc.oneof(
  fc.constantFrom('US', 'us-ca', 'US-CA', 'MX-CMX', 'USA', 'U1', 'US-CALIF', '', 'gb-eng'),
  fc.string({ maxLength: 8 }),
);
const query = fc.oneof(
  fc.string({ maxLength: 600 }),
  fc.constantFrom('', '   ', 'a'.repeat(513), ' human trafficking '),
);
const request = fc.oneof(
  fc.record({ query, locale: tag, region }, { requiredKeys: ['query'] }),
  fc.record({ query: fc.anything(), locale: fc.anything(), lang: fc.string() }, { requiredKeys: [] }),
  fc.anything(),
);

describe('the zod/mini partner schemas', () => {
  it('take and refuse exactly the match requests the full-zod schema does, with the same messages', () => {
    fc.assert(
      fc.property(request, (body) => {
        expect(outcome(mini.MatchRequestSchema.safeParse(body))).toEqual(
          outcome(full.MatchRequestSchema.safeParse(body)),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('canonicalise tags the same way: es-mx is es-MX, us-ca is US-CA, and the query is trimmed', () => {
    expect(mini.MatchRequestSchema.parse({ query: ' x ', locale: 'es-mx', region: 'us-ca' })).toEqual({
      query: 'x',
      locale: 'es-MX',
      region: 'US-CA',
    });
  });

  it('say what is wrong in English, as full zod does (zod/mini loads no messages of its own)', () => {
    const result = mini.MatchRequestSchema.safeParse({ query: 'x', lang: 'en' });
    expect(result.error?.issues[0]?.message).toBe('Unrecognized key: "lang"');
  });

  it('describe a request as JSON Schema for the OpenAPI document: what may be sent, before transforms', () => {
    expect(mini.requestJsonSchema(mini.MatchRequestSchema)).toEqual({
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 512 },
        locale: { type: 'string', maxLength: 35 },
        region: { type: 'string', maxLength: 6 },
      },
      required: ['query'],
      additionalProperties: false,
    });
  });
});
