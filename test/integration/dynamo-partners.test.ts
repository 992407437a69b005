import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoPartnerRepository } from '../../functions/adapters/dynamodb/partners.js';
import { PreconditionFailedError } from '../../functions/core/errors.js';
import type { Partner } from '../../functions/core/model.js';
import { hashSecretKey, newPartnerKey, newSecretKey, newSiteKey } from '../../functions/core/partner-keys.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';

let dynamo: TestDynamo;
let repo: DynamoPartnerRepository;

beforeAll(async () => {
  dynamo = await startDynalite();
  repo = new DynamoPartnerRepository(dynamo.doc, (await dynamo.newTables()).config);
});
afterAll(() => dynamo.close());

function aPartner(secret: string, id = `ptn_${Math.random().toString(36).slice(2)}`): Partner {
  const now = new Date('2026-11-30T12:00:00Z');
  return {
    id,
    name: 'Example',
    allowedOrigins: ['https://example.org'],
    siteKey: newSiteKey(),
    status: 'active',
    keys: [newPartnerKey(`key_${id}`, secret, now)],
    createdAt: now.toISOString(),
    revision: 1,
  };
}

describe('DynamoPartnerRepository against dynalite', () => {
  it('finds a partner by secret-key hash and by site key, and stores no secret', async () => {
    const secret = newSecretKey();
    const partner = await repo.create(aPartner(secret));
    expect((await repo.findBySecretKeyHash(hashSecretKey(secret)))?.id).toBe(partner.id);
    expect((await repo.findBySiteKey(partner.siteKey))?.id).toBe(partner.id);
    expect(await repo.findBySecretKeyHash(hashSecretKey(newSecretKey()))).toBeNull();
    expect(JSON.stringify(await repo.list())).not.toContain(secret);
  });

  it('updates with a revision check, adds and revokes keys', async () => {
    const secret = newSecretKey();
    const partner = await repo.create(aPartner(secret));
    const second = newSecretKey();
    const withKey = await repo.update(
      { ...partner, keys: [...partner.keys, newPartnerKey('key_two', second, new Date())] },
      1,
    );
    expect(withKey.revision).toBe(2);
    expect((await repo.findBySecretKeyHash(hashSecretKey(second)))?.id).toBe(partner.id);
    await expect(repo.update({ ...partner, name: 'stale' }, 1)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );

    const revoked = withKey.keys.map((k) =>
      k.id === 'key_two' ? { ...k, revokedAt: new Date().toISOString() } : k,
    );
    await repo.update({ ...withKey, keys: revoked }, 2);
    expect(await repo.findBySecretKeyHash(hashSecretKey(second))).toBeNull();
    expect((await repo.get(partner.id))?.keys.find((k) => k.id === 'key_two')?.revokedAt).not.toBeNull();
  });
});
