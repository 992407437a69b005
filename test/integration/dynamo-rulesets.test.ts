import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRulesetRepository } from '../../functions/adapters/dynamodb/rulesets.js';
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
  });
});
