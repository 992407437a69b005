import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { send } from '../helpers/http.js';
import { appOnDynalite, campaignBody } from './admin-app.js';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

describe('versions and restore against dynalite', () => {
  it('round-trips: a restore publishes the old version again, live at once, and leaves every version as it was', async () => {
    const s = await appOnDynalite(dynamo);
    const partner = await s.call('POST', '/admin/v1/partners', { body: { name: 'Search' } });
    const match = async (query: string) =>
      (
        await send(s.app, 'POST', '/v1/match', {
          headers: { 'x-api-key': partner.body.secretKey },
          body: { query },
        })
      ).body;

    const good = await s.call('POST', '/admin/v1/campaigns', {
      body: campaignBody('Good', [{ text: 'forced to work', match: 'phrase' }]),
    });
    expect((await s.call('POST', '/admin/v1/publish')).body.version).toBe(1);
    expect((await match('i am forced to work')).match?.campaignId).toBe(good.body.id);

    // A bad edit is published: the keyword is gone.
    await s.call('PUT', `/admin/v1/campaigns/${good.body.id}`, {
      body: { ...good.body, keywords: [{ text: 'something else', match: 'exact' }] },
      headers: { 'if-match': '"1"' },
    });
    expect((await s.call('POST', '/admin/v1/publish')).body.version).toBe(2);
    expect(await match('i am forced to work')).toMatchObject({ match: null, rulesetVersion: 2 });
    const before = await Promise.all([1, 2].map((n) => s.call('GET', `/admin/v1/versions/${n}`)));

    const restored = await s.call('POST', '/admin/v1/versions/1/restore');
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({ version: 3, restoredFrom: 1, keywords: 1 });
    expect(restored.body.changes.campaigns.changed).toEqual([
      expect.objectContaining({
        id: good.body.id,
        fields: ['keywords'],
        keywords: { added: 1, removed: 1, changed: 0 },
      }),
    ]);
    // Live at once for matches, without waiting for the version check.
    expect(await match('i am forced to work')).toMatchObject({
      rulesetVersion: 3,
      match: { campaignId: good.body.id },
    });
    expect((await send(s.app, 'GET', '/healthz')).body.rulesetVersion).toBe(3);

    const v3 = await s.call('GET', '/admin/v1/versions/3');
    expect(v3.body.campaigns).toEqual(before[0]?.body.campaigns);
    const after = await Promise.all([1, 2].map((n) => s.call('GET', `/admin/v1/versions/${n}`)));
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
    // The drafts are left as they were.
    expect((await s.call('GET', `/admin/v1/campaigns/${good.body.id}`)).body.keywords[0].text).toBe(
      'something else',
    );

    const listed = await s.call('GET', '/admin/v1/versions');
    expect(
      listed.body.versions.map((v: { version: number; restoredFrom: number | null; live: boolean }) => [
        v.version,
        v.restoredFrom,
        v.live,
      ]),
    ).toEqual([
      [3, 1, true],
      [2, null, false],
      [1, null, false],
    ]);
    expect(listed.body.versions[1].changes.keywords).toEqual({ added: 1, removed: 1, changed: 0 });
    const audit = await s.call('GET', '/admin/v1/audit?target=ruleset');
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'ruleset.restore',
      'ruleset.publish',
      'ruleset.publish',
    ]);
    s.close();
  });

  it('lists versions published before the audit existed (or by the seed), recording their entries on the way', async () => {
    const s = await appOnDynalite(dynamo);
    const created = await s.call('POST', '/admin/v1/campaigns', {
      body: campaignBody('Seeded', [{ text: 'trata de personas', match: 'phrase' }]),
    });
    // Straight through the repository, as the seed does: no audit entry is written for it.
    const stored = await s.deps.campaigns.get(created.body.id);
    if (!stored) throw new Error('the campaign was not stored');
    await s.deps.rulesets.publish({
      publishedAt: new Date().toISOString(),
      publishedBy: 'seed',
      campaigns: [stored.campaign],
    });
    await s.deps.rulesets.publish({
      publishedAt: new Date().toISOString(),
      publishedBy: 'seed',
      campaigns: [],
    });
    const listed = await s.call('GET', '/admin/v1/versions');
    expect(listed.body.versions.map((v: { summary: string }) => v.summary)).toEqual([
      'Published version 2: 0 campaigns added, 1 removed, 0 changed; keywords +0 −1 ~0.',
      'Published version 1: 1 campaigns added, 0 removed, 0 changed; keywords +1 −0 ~0.',
    ]);
    expect(await s.deps.audit.get({ type: 'ruleset', id: 'ruleset' }, 1)).toMatchObject({ actor: 'seed' });
    s.close();
  });
});
