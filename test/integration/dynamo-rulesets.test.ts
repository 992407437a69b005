import { gzipSync } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobAttributes, decodeJson, readBlob, writeBlob } from '../../functions/adapters/dynamodb/blob.js';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoRulesetRepository } from '../../functions/adapters/dynamodb/rulesets.js';
import { LiveRuleset } from '../../functions/core/live-ruleset.js';
import { compileRuleset } from '../../functions/core/matcher.js';
import type { Ruleset } from '../../functions/core/model.js';
import { aCampaign, manyKeywords } from '../helpers/campaigns.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';

let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

const published = (by = 'alice') => ({ publishedAt: '2026-11-30T12:00:00.000Z', publishedBy: by });

describe('DynamoRulesetRepository against dynalite', () => {
  it('numbers versions from 1, lists them newest first, and keeps each as published', async () => {
    const repo = new DynamoRulesetRepository(dynamo.doc, (await dynamo.newTables()).config);
    expect(await repo.liveVersion()).toBeNull();
    const first = aCampaign();
    const v1 = await repo.publish({ ...published(), campaigns: [first] });
    const v2 = await repo.publish({ ...published('bob'), campaigns: [first, aCampaign()] });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(await repo.liveVersion()).toBe(2);
    expect((await repo.get(1))?.campaigns).toEqual([first]);
    expect((await repo.list()).map((s) => [s.version, s.campaigns, s.publishedBy])).toEqual([
      [2, 2, 'bob'],
      [1, 1, 'alice'],
    ]);
    expect(await repo.get(3)).toBeNull();
  });

  it('gives concurrent publishes distinct consecutive versions', async () => {
    const repo = new DynamoRulesetRepository(dynamo.doc, (await dynamo.newTables()).config);
    const versions = await Promise.all(
      Array.from({ length: 4 }, () => repo.publish({ ...published(), campaigns: [] })),
    );
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('publishes and loads a ruleset of 100,000 keywords', async () => {
    const repo = new DynamoRulesetRepository(dynamo.doc, (await dynamo.newTables()).config);
    const campaigns = [
      aCampaign({ keywords: manyKeywords(60_000, 'a') }),
      aCampaign({ keywords: manyKeywords(40_000, 'b') }),
    ];
    const { version } = await repo.publish({ ...published(), campaigns });
    const loaded = await repo.get(version);
    expect(loaded?.campaigns.reduce((n, c) => n + c.keywords.length, 0)).toBe(100_000);
    expect(loaded?.campaigns[1]?.keywords[39_999]).toEqual(campaigns[1]?.keywords[39_999]);
    expect((await repo.list())[0]?.keywords).toBe(100_000);
    // A partner instance reads it for matching: the keywords stay columns, and answer as the decoded ruleset does.
    const input = await repo.getForMatching(version);
    expect(Array.isArray(input?.campaigns[1]?.keywords)).toBe(false);
    expect(await repo.getForMatching(version + 1)).toBeNull();
    const live = await new LiveRuleset(repo, { ttlMs: 60_000, coldBudgetMs: 5_000 }).current();
    const decoded = compileRuleset({ version, campaigns: loaded?.campaigns ?? [] });
    const ctx = { now: new Date() };
    for (const query of [
      'forced labour case 39998 near the border crossing',
      'near the border crossing, forced labour case 59999',
    ]) {
      const answer = live.match(query, ctx);
      expect(answer?.keyword.id).toMatch(/^[ab]_/);
      expect(answer).toEqual(decoded.match(query, ctx));
    }
  });

  it('stores the keywords of a published version as columns', async () => {
    const { config } = await dynamo.newTables();
    const repo = new DynamoRulesetRepository(dynamo.doc, config);
    const { version } = await repo.publish({ ...published(), campaigns: [aCampaign()] });
    const { Item } = await dynamo.doc.send(
      new GetCommand({ TableName: config, Key: keys.rulesetHead(version) }),
    );
    const stored = (await decodeJson(await readBlob(dynamo.doc, config, keys.rulesetBlob, Item ?? {}))) as {
      encoding: number;
      campaigns: Array<{ keywords: unknown }>;
    };
    expect(stored.encoding).toBe(3);
    expect(stored.campaigns[0]?.keywords).toMatchObject({
      text: 'human trafficking',
      textLength: [17],
      match: 'p',
    });
  });

  // Versions published before keyword columns were stored by the code of that time: the Ruleset itself as gzip
  // UTF-8 JSON, inline when small, in chunks when large. Written here item by item as it wrote them.
  async function storeAsEncoding1(table: string, ruleset: Ruleset): Promise<void> {
    const body = gzipSync(Buffer.from(JSON.stringify(ruleset), 'utf8'));
    const ref = await writeBlob(dynamo.doc, table, keys.rulesetBlob, body);
    await dynamo.doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.rulesetHead(ruleset.version),
          entity: 'ruleset',
          version: ruleset.version,
          publishedAt: ruleset.publishedAt,
          publishedBy: ruleset.publishedBy,
          campaigns: ruleset.campaigns.length,
          keywords: ruleset.campaigns.reduce((sum, campaign) => sum + campaign.keywords.length, 0),
          ...blobAttributes(ref),
        },
      }),
    );
  }

  it('still loads and matches versions stored before keyword columns, small and chunked', async () => {
    const { config } = await dynamo.newTables();
    const repo = new DynamoRulesetRepository(dynamo.doc, config);
    const small: Ruleset = {
      version: 1,
      ...published(),
      campaigns: [
        aCampaign({
          keywords: [
            { id: 'kw_old', text: 'forced labour', match: 'phrase' },
            { id: 'kw_es', text: 'tráfico de niñas', match: 'broad', locale: 'es' },
          ],
        }),
      ],
    };
    const large: Ruleset = {
      version: 2,
      ...published('bob'),
      campaigns: [aCampaign({ keywords: manyKeywords(60_000, 'kw_big') })],
    };
    await storeAsEncoding1(config, small);
    await storeAsEncoding1(config, large);
    const heads = await Promise.all(
      [1, 2].map((v) => dynamo.doc.send(new GetCommand({ TableName: config, Key: keys.rulesetHead(v) }))),
    );
    expect(heads.map(({ Item }) => [Item?.body !== undefined, Item?.chunks])).toEqual([
      [true, undefined],
      [false, 2],
    ]);

    expect(await repo.get(1)).toEqual(small);
    expect(await repo.get(2)).toEqual(large);
    // The live version (2, chunked) is what a partner instance loads and matches against.
    const live = await new LiveRuleset(repo, { ttlMs: 60_000, coldBudgetMs: 5_000 }).current();
    expect(live.version).toBe(2);
    const hit = live.match('forced labour case 59999 near the border crossing', { now: new Date() });
    expect(hit?.keyword.id).toBe('kw_big_59999');
    // A new publish on top of them numbers on, in the new encoding, and the old versions stay as they were.
    const v3 = await repo.publish({ ...published(), campaigns: small.campaigns });
    expect(v3.version).toBe(3);
    expect((await repo.get(3))?.campaigns).toEqual(small.campaigns);
    expect(await repo.get(1)).toEqual(small);
  });
});
