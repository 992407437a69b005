import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { appOnDynalite, campaignBody } from './admin-app.js';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

describe('admin writes against dynalite', () => {
  it('lets exactly one of ten concurrent writers holding one ETag win; the audit holds one entry for it', async () => {
    const s = await appOnDynalite(dynamo);
    const created = await s.call('POST', '/admin/v1/campaigns', {
      body: campaignBody('Original', [{ text: 'forced labour', match: 'phrase' }]),
    });
    const id = created.body.id as string;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.call('PUT', `/admin/v1/campaigns/${id}`, {
          body: { ...created.body, name: `Writer ${i}` },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412, 412, 412]);
    for (const lost of results.filter((r) => r.status === 412))
      expect(lost.body.error.code).toBe('precondition_failed');
    const winner = results.find((r) => r.status === 200);
    const stored = await s.call('GET', `/admin/v1/campaigns/${id}`);
    expect(stored.body.name).toBe(winner?.body.name);
    expect(stored.headers.get('etag')).toBe('"2"');

    const audit = await s.call('GET', `/admin/v1/audit?target=${id}`);
    expect(
      audit.body.entries.map((e: { action: string; target: { revision: number } }) => [
        e.action,
        e.target.revision,
      ]),
    ).toEqual([
      ['campaign.update', 2],
      ['campaign.create', 1],
    ]);
    expect(audit.body.entries[0].changes.fields.name).toEqual({
      before: 'Original',
      after: winner?.body.name,
    });
    // Every entry reached the log: nothing is left pending.
    expect(await s.pending()).toEqual([]);
    s.close();
  });

  it('records create, update, import, delete, publish and partner changes in the log, newest first, across pages', async () => {
    const s = await appOnDynalite(dynamo);
    const created = await s.call('POST', '/admin/v1/campaigns', {
      body: campaignBody('Hotline', [{ text: 'human trafficking', match: 'phrase' }]),
    });
    const id = created.body.id as string;
    await s.call('PUT', `/admin/v1/campaigns/${id}`, {
      body: { ...created.body, priority: 4 },
      headers: { 'if-match': '"1"' },
    });
    const imported = await s.call('POST', `/admin/v1/campaigns/${id}/keywords/import`, {
      raw: 'text,match\ndebt bondage,exact\n',
      headers: { 'content-type': 'text/csv', 'if-match': '"2"' },
    });
    expect(imported.status).toBe(200);
    expect((await s.call('POST', '/admin/v1/publish')).status).toBe(201);
    const partner = await s.call('POST', '/admin/v1/partners', { body: { name: 'Search' } });
    await s.call('POST', `/admin/v1/partners/${partner.body.partner.id}/keys`);
    expect(
      (await s.call('DELETE', `/admin/v1/campaigns/${id}`, { headers: { 'if-match': '"3"' } })).status,
    ).toBe(204);
    expect((await s.call('GET', `/admin/v1/campaigns/${id}`)).status).toBe(404);
    expect((await s.call('GET', '/admin/v1/campaigns')).body.campaigns).toEqual([]);

    const actions: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { entries: { action: string }[]; next: string | null } } = await s.call(
        'GET',
        `/admin/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      actions.push(...page.body.entries.map((e) => e.action));
      cursor = page.body.next;
    } while (cursor);
    expect(actions).toEqual([
      'campaign.delete',
      'partner.key.issue',
      'partner.create',
      'ruleset.publish',
      'campaign.import',
      'campaign.update',
      'campaign.create',
    ]);
    const text = (await s.call('GET', '/admin/v1/audit?limit=200')).text;
    expect(text).not.toContain(partner.body.secretKey);
    expect(await s.pending()).toEqual([]);
    // A cursor from a listing of one target is refused for another.
    const byTarget = await s.call('GET', `/admin/v1/audit?target=${id}&limit=1`);
    expect((await s.call('GET', `/admin/v1/audit?limit=1&cursor=${byTarget.body.next}`)).status).toBe(400);
    s.close();
  });
});
