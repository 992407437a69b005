/**
 * "No change is ever saved without its audit entry, even when a write fails half way." Each test fails one write
 * of a change on purpose (a fault injected into the DynamoDB client, in front of a real dynalite) and checks what
 * was saved and what the audit log then lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { appOnDynalite, type Call, campaignBody } from './admin-app.js';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

/** The write that copies an entry into the browsable log. */
const logWrite = (c: Call) => /Put/.test(c.command) && c.pk.startsWith('AUDIT#');
/** The write of the change itself: a campaign head (or its tombstone). */
const campaignWrite = (c: Call) => /Put/.test(c.command) && c.pk === 'CAMPAIGN';

async function withCampaign(s: Awaited<ReturnType<typeof appOnDynalite>>) {
  const created = await s.call('POST', '/admin/v1/campaigns', {
    body: campaignBody('Hotline', [{ text: 'human trafficking', match: 'phrase' }]),
  });
  expect(created.status).toBe(201);
  return created.body as Record<string, unknown> & { id: string };
}

const revisions = async (s: Awaited<ReturnType<typeof appOnDynalite>>, target: string) =>
  (await s.call('GET', `/admin/v1/audit?target=${target}`)).body.entries.map(
    (e: { action: string; target: { revision: number } }) => `${e.action}@${e.target.revision}`,
  );

describe('audit entries when a write fails half way', () => {
  it('keeps the entry of a saved change whose log write failed, and lists it', async () => {
    const s = await appOnDynalite(dynamo);
    const campaign = await withCampaign(s);
    s.faults.fail = logWrite;
    const put = await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: { ...campaign, name: 'Renamed' },
      headers: { 'if-match': '"1"' },
    });
    s.faults.fail = null;
    expect(s.faults.failed).toBe(1);
    // The change is saved (its entry went with it, inside the campaign's item)...
    expect(put.status).toBe(200);
    expect((await s.call('GET', `/admin/v1/campaigns/${campaign.id}`)).body.name).toBe('Renamed');
    expect(await s.pending()).toHaveLength(1);
    // ...and the next reader of the log finds the entry and copies it.
    expect(await revisions(s, campaign.id)).toEqual(['campaign.update@2', 'campaign.create@1']);
    expect(await s.pending()).toEqual([]);
    s.close();
  });

  it('saves nothing, and records nothing, when the change itself fails', async () => {
    const s = await appOnDynalite(dynamo);
    const campaign = await withCampaign(s);
    s.faults.fail = campaignWrite;
    const put = await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: { ...campaign, name: 'Never saved' },
      headers: { 'if-match': '"1"' },
    });
    s.faults.fail = null;
    expect(put.status).toBe(500);
    expect(put.text).not.toContain('injected');
    const stored = await s.call('GET', `/admin/v1/campaigns/${campaign.id}`);
    expect(stored.body.name).toBe('Hotline');
    expect(stored.headers.get('etag')).toBe('"1"');
    expect(await revisions(s, campaign.id)).toEqual(['campaign.create@1']);
    s.close();
  });

  it('copies a pending entry before the next change replaces it, without any reader', async () => {
    const s = await appOnDynalite(dynamo);
    const campaign = await withCampaign(s);
    s.faults.fail = logWrite;
    await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: { ...campaign, name: 'Two' },
      headers: { 'if-match': '"1"' },
    });
    s.faults.fail = null;
    const third = await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: { ...campaign, name: 'Three' },
      headers: { 'if-match': '"2"' },
    });
    expect(third.status).toBe(200);
    // Revision 2's entry was copied by the writer of revision 3, before it replaced the item.
    expect(await s.pending()).toEqual([]);
    expect(await s.deps.audit.get({ type: 'campaign', id: campaign.id }, 2)).toMatchObject({
      changes: { fields: { name: { before: 'Hotline', after: 'Two' } } },
    });
    expect(await revisions(s, campaign.id)).toEqual([
      'campaign.update@3',
      'campaign.update@2',
      'campaign.create@1',
    ]);
    s.close();
  });

  it('refuses the next change while the entry it would replace cannot be copied', async () => {
    const s = await appOnDynalite(dynamo);
    const campaign = await withCampaign(s);
    s.faults.fail = logWrite;
    await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: { ...campaign, name: 'Two' },
      headers: { 'if-match': '"1"' },
    });
    // The log is still failing: replacing revision 2 would lose its entry, so the write does not go ahead.
    const blocked = await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: { ...campaign, name: 'Three' },
      headers: { 'if-match': '"2"' },
    });
    expect(blocked.status).toBe(500);
    expect((await s.call('GET', `/admin/v1/campaigns/${campaign.id}`)).body.name).toBe('Two');
    s.faults.fail = null;
    const retried = await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: { ...campaign, name: 'Three' },
      headers: { 'if-match': '"2"' },
    });
    expect(retried.status).toBe(200);
    expect(await revisions(s, campaign.id)).toEqual([
      'campaign.update@3',
      'campaign.update@2',
      'campaign.create@1',
    ]);
    s.close();
  });

  it('keeps the entry of a delete whose log write failed, and then removes the tombstone', async () => {
    const s = await appOnDynalite(dynamo);
    const campaign = await withCampaign(s);
    s.faults.fail = logWrite;
    const deleted = await s.call('DELETE', `/admin/v1/campaigns/${campaign.id}`, {
      headers: { 'if-match': '"1"' },
    });
    s.faults.fail = null;
    expect(deleted.status).toBe(204);
    expect((await s.call('GET', `/admin/v1/campaigns/${campaign.id}`)).status).toBe(404);
    expect((await s.call('GET', '/admin/v1/campaigns')).body.campaigns).toEqual([]);
    // A stale writer cannot bring it back.
    const stale = await s.call('PUT', `/admin/v1/campaigns/${campaign.id}`, {
      body: campaign,
      headers: { 'if-match': '"2"' },
    });
    expect(stale.status).toBe(404);
    expect(await s.pending()).toHaveLength(1);
    expect(await revisions(s, campaign.id)).toEqual(['campaign.delete@2', 'campaign.create@1']);
    expect(await s.pending()).toEqual([]);
    s.close();
  });

  it('keeps the entry of a partner change whose log write failed', async () => {
    const s = await appOnDynalite(dynamo);
    s.faults.fail = logWrite;
    const created = await s.call('POST', '/admin/v1/partners', { body: { name: 'Search' } });
    s.faults.fail = null;
    expect(created.status).toBe(201);
    const entries = (await s.call('GET', `/admin/v1/audit?target=${created.body.partner.id}`)).body.entries;
    expect(entries).toMatchObject([{ action: 'partner.create', target: { revision: 1 } }]);
    expect(JSON.stringify(entries)).not.toContain(created.body.secretKey);
    s.close();
  });

  it('lists a publish whose log write failed, from the published version itself', async () => {
    const s = await appOnDynalite(dynamo);
    await withCampaign(s);
    s.faults.fail = logWrite;
    const first = await s.call('POST', '/admin/v1/publish');
    s.faults.fail = null;
    expect(first.status).toBe(201);
    expect(s.faults.failed).toBe(1);
    expect(s.logLines.join('\n')).toMatch(/publish saved; its audit entry will be recorded/);
    expect(await revisions(s, 'ruleset')).toEqual(['ruleset.publish@1']);
    s.close();
  });

  it('fills a gap of publishes that lost their entries when the next publish comes', async () => {
    const s = await appOnDynalite(dynamo);
    await withCampaign(s);
    await s.call('POST', '/admin/v1/publish');
    s.faults.fail = logWrite;
    await s.call('POST', '/admin/v1/publish');
    await s.call('POST', '/admin/v1/publish');
    s.faults.fail = null;
    expect(await s.deps.audit.get({ type: 'ruleset', id: 'ruleset' }, 3)).toBeNull();
    await s.call('POST', '/admin/v1/publish');
    for (const version of [1, 2, 3, 4]) {
      expect(await s.deps.audit.get({ type: 'ruleset', id: 'ruleset' }, version)).toMatchObject({
        action: 'ruleset.publish',
        actor: 'local-admin',
      });
    }
    s.close();
  });
});
