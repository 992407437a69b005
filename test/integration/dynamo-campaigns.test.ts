import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamodb/campaigns.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../functions/core/errors.js';
import { aCampaign, manyKeywords } from '../helpers/campaigns.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';

let dynamo: TestDynamo;
let repo: DynamoCampaignRepository;

beforeAll(async () => {
  dynamo = await startDynalite();
  repo = new DynamoCampaignRepository(dynamo.doc, (await dynamo.newTables()).config);
});
afterAll(() => dynamo.close());

describe('DynamoCampaignRepository against dynalite', () => {
  it('creates, reads, lists, updates and deletes with revisions', async () => {
    const campaign = aCampaign();
    const created = await repo.create(campaign, 'alice');
    expect(created.revision).toBe(1);
    expect(await repo.get(campaign.id)).toMatchObject({ campaign, revision: 1, updatedBy: 'alice' });
    expect((await repo.list()).map((s) => s.campaign.id)).toContain(campaign.id);

    const renamed = { ...campaign, name: 'Renamed' };
    const updated = await repo.update(renamed, 1, 'bob');
    expect(updated.revision).toBe(2);
    expect((await repo.get(campaign.id))?.campaign.name).toBe('Renamed');

    await repo.delete(campaign.id, 2);
    expect(await repo.get(campaign.id)).toBeNull();
  });

  it('refuses a second create with the same id', async () => {
    const campaign = aCampaign();
    await repo.create(campaign, 'alice');
    await expect(repo.create(campaign, 'alice')).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses a stale update and delete, and tells a missing campaign apart', async () => {
    const campaign = aCampaign();
    await repo.create(campaign, 'alice');
    await repo.update(campaign, 1, 'alice');
    await expect(repo.update(campaign, 1, 'bob')).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(repo.delete(campaign.id, 1)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(repo.update(aCampaign(), 1, 'bob')).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.delete('cmp_missing', 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets exactly one of ten concurrent writers holding one revision win', async () => {
    const campaign = aCampaign();
    await repo.create(campaign, 'alice');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        repo.update({ ...campaign, name: `writer ${i}` }, 1, `writer${i}`),
      ),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected' && r.reason instanceof PreconditionFailedError),
    ).toHaveLength(9);
    const stored = await repo.get(campaign.id);
    expect(stored?.revision).toBe(2);
    expect(stored?.updatedBy).toBe(
      (winners[0] as PromiseFulfilledResult<{ updatedBy: string }>).value.updatedBy,
    );
  });

  it('stores a campaign of 100,000 keywords across chunks and reads it back whole', async () => {
    const campaign = aCampaign({ keywords: manyKeywords(100_000) });
    await repo.create(campaign, 'alice');
    const stored = await repo.get(campaign.id);
    expect(stored?.campaign.keywords).toHaveLength(100_000);
    expect(stored?.campaign.keywords[99_999]).toEqual(campaign.keywords[99_999]);
    // Replacing it with a small one removes the old chunks and still reads back.
    await repo.update({ ...campaign, keywords: campaign.keywords.slice(0, 2) }, 1, 'alice');
    expect((await repo.get(campaign.id))?.campaign.keywords).toHaveLength(2);
  });
});
