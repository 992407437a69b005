/**
 * The adapters' lists read every page of a Query (DynamoDB stops a page at 1 MB; the tests' tables stay far below
 * that, so a real server never pages them): aws-sdk-client-mock answers two pages, the second only when asked for
 * with the first page's LastEvaluatedKey.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoPartnerReader } from '../../functions/adapters/dynamodb/partners.js';
import { DynamoRulesetRepository } from '../../functions/adapters/dynamodb/rulesets.js';

const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const mock = mockClient(doc);
afterEach(() => mock.reset());

const PAGE_END = { pk: 'page', sk: 'end-of-first' };

/** Two pages of `items`: the first with LastEvaluatedKey, the second only for a Query that continues from it. */
function twoPages(first: Record<string, unknown>[], second: Record<string, unknown>[]) {
  mock.on(QueryCommand).resolves({ Items: first, LastEvaluatedKey: PAGE_END });
  mock.on(QueryCommand, { ExclusiveStartKey: PAGE_END }).resolves({ Items: second });
}

const partner = (id: string) => ({
  id,
  name: id,
  siteKey: `pk_${id}`,
  status: 'active',
  allowedOrigins: [],
  createdAt: '2026-11-30T00:00:00.000Z',
  revision: 1,
  keys: [],
});

const head = (version: number) => ({
  version,
  publishedAt: '2026-11-30T00:00:00.000Z',
  publishedBy: 'alice',
  campaigns: 1,
  keywords: 3,
});

describe('lists over more than one page', () => {
  it('partners: every page, the second asked for from where the first ended', async () => {
    twoPages([partner('ptn_a'), partner('ptn_b')], [partner('ptn_c')]);
    const partners = await new DynamoPartnerReader(doc, 'config').list();
    expect(partners.map((p) => p.id)).toEqual(['ptn_a', 'ptn_b', 'ptn_c']);
    expect(mock).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(mock).toHaveReceivedNthCommandWith(QueryCommand, 2, { ExclusiveStartKey: PAGE_END });
  });

  it('published versions: every page, newest first as stored', async () => {
    twoPages([head(3), head(2)], [head(1)]);
    const versions = await new DynamoRulesetRepository(doc, 'config').list();
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(mock).toHaveReceivedCommandTimes(QueryCommand, 2);
  });
});
