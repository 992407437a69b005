import { beforeEach, describe, expect, it } from 'vitest';
import { byteLength, campaignNote, MAX_ENTRY_BYTES } from '../../functions/core/audit.js';
import { defaultCampaign } from '../../functions/core/default-campaign.js';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { aCampaign, manyKeywords } from '../helpers/campaigns.js';
import { send } from '../helpers/http.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let app: ReturnType<typeof createApp>;
let m: ReturnType<typeof memoryDeps>;
/** A clock the test moves: one minute per change. */
let now: number;

beforeEach(() => {
  now = Date.parse('2026-11-01T10:00:00Z');
  const tick = () => {
    now += 60_000;
    return new Date(now);
  };
  m = memoryDeps({ clock: { now: tick } });
  app = createApp(m.deps);
});

const call = (
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; raw?: string } = {},
) => send(app, method, path, { ...options, headers: { ...admin, ...options.headers } });

function campaignInput(overrides: Record<string, unknown> = {}) {
  const { id: _id, ...rest } = defaultCampaign();
  return { ...rest, keywords: [{ text: 'forced to work', match: 'phrase' }], ...overrides };
}

/** One of every change an admin can make. */
async function everyChange() {
  const created = await call('POST', '/admin/v1/campaigns', { body: campaignInput({ name: 'Hotline' }) });
  const id = created.body.id as string;
  await call('PUT', `/admin/v1/campaigns/${id}`, {
    body: { ...created.body, name: 'Hotline US', priority: 3 },
    headers: { 'if-match': '"1"' },
  });
  await call('POST', `/admin/v1/campaigns/${id}/keywords/import`, {
    raw: 'text,match\ndebt bondage,exact\n',
    headers: { 'content-type': 'text/csv', 'if-match': '"2"' },
  });
  await call('POST', '/admin/v1/publish');
  const other = await call('POST', '/admin/v1/campaigns', { body: campaignInput({ name: 'Short-lived' }) });
  await call('DELETE', `/admin/v1/campaigns/${other.body.id}`, { headers: { 'if-match': '"1"' } });
  await call('POST', '/admin/v1/publish');
  await call('POST', '/admin/v1/versions/1/restore');
  const partner = await call('POST', '/admin/v1/partners', {
    body: { name: 'Search', allowedOrigins: ['https://a.example'] },
  });
  const pid = partner.body.partner.id as string;
  await call('PATCH', `/admin/v1/partners/${pid}`, { body: { name: 'Search Co' } });
  const issued = await call('POST', `/admin/v1/partners/${pid}/keys`);
  await call('DELETE', `/admin/v1/partners/${pid}/keys/${issued.body.key.id}`);
  return {
    id,
    otherId: other.body.id as string,
    pid,
    secrets: [partner.body.secretKey, issued.body.secretKey] as string[],
  };
}

describe('audit entries', () => {
  it('records every change once, newest first: when (UTC), who, what, and before and after', async () => {
    const { id, otherId, pid } = await everyChange();
    const res = await call('GET', '/admin/v1/audit?limit=200');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const entries = res.body.entries as Array<{
      action: string;
      target: { id: string; revision: number };
      at: string;
      actor: string;
    }>;
    expect(entries.map((e) => [e.action, e.target.id, e.target.revision])).toEqual([
      ['partner.key.revoke', pid, 4],
      ['partner.key.issue', pid, 3],
      ['partner.update', pid, 2],
      ['partner.create', pid, 1],
      ['ruleset.restore', 'ruleset', 3],
      ['ruleset.publish', 'ruleset', 2],
      ['campaign.delete', otherId, 2],
      ['campaign.create', otherId, 1],
      ['ruleset.publish', 'ruleset', 1],
      ['campaign.import', id, 3],
      ['campaign.update', id, 2],
      ['campaign.create', id, 1],
    ]);
    for (const e of entries) {
      expect(e.actor).toBe('local-admin');
      expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    const update = entries.find((e) => e.action === 'campaign.update');
    expect(update).toMatchObject({
      summary: 'Changed campaign "Hotline US": name, priority.',
      changes: {
        fields: { name: { before: 'Hotline', after: 'Hotline US' }, priority: { before: 0, after: 3 } },
      },
    });
    const deleted = entries.find((e) => e.action === 'campaign.delete');
    expect(deleted).toMatchObject({ changes: { fields: { name: { before: 'Short-lived', after: null } } } });
    const patched = entries.find((e) => e.action === 'partner.update');
    expect(patched).toMatchObject({
      changes: { fields: { name: { before: 'Search', after: 'Search Co' } } },
    });
  });

  it('never holds a secret key or a key hash', async () => {
    const { secrets, pid } = await everyChange();
    const text = (await call('GET', '/admin/v1/audit?limit=200')).text;
    const stored = JSON.stringify(m.audit.entries);
    const hashes = (await m.deps.partners.get(pid))?.keys.map((k) => k.hash) ?? [];
    expect(hashes).toHaveLength(2);
    for (const secret of [...secrets, ...hashes]) {
      expect(text).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(text).toContain('"prefix"');
  });

  it('keeps the entry of a change to a campaign of 100,000 keywords small: counts and samples, not two copies', () => {
    const before = aCampaign({ keywords: manyKeywords(100_000) });
    const after = { ...before, keywords: [...before.keywords.slice(1_000), ...manyKeywords(500, 'kw_new')] };
    const note = campaignNote({ id: 'aud_1', at: new Date(), actor: 'a' }, 'campaign.update', before, after);
    expect(byteLength(note)).toBeLessThan(MAX_ENTRY_BYTES);
    expect(note.changes).toMatchObject({
      keywords: { before: 100_000, after: 99_500, added: 500, removed: 1_000, changed: 0 },
    });
    expect(note.summary).toBe(`Changed campaign "${before.name}": keywords +500 −1000 ~0.`);
  });
});

describe('GET /admin/v1/audit', () => {
  it('pages newest first with an opaque cursor', async () => {
    await everyChange();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { entries: { id: string }[]; next: string | null } } = await call(
        'GET',
        `/admin/v1/audit?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...res.body.entries.map((e) => e.id));
      cursor = res.body.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(
      (await call('GET', '/admin/v1/audit?limit=200')).body.entries.map((e: { id: string }) => e.id),
    );
  });

  it('filters by target and by time', async () => {
    const { id, pid } = await everyChange();
    const campaign = await call('GET', `/admin/v1/audit?target=${id}`);
    expect(campaign.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'campaign.import',
      'campaign.update',
      'campaign.create',
    ]);
    const partner = await call('GET', `/admin/v1/audit?target=${pid}&limit=2`);
    expect(partner.body.entries).toHaveLength(2);
    expect(partner.body.next).not.toBeNull();
    const rulesets = await call('GET', '/admin/v1/audit?target=ruleset');
    expect(rulesets.body.entries.map((e: { target: { revision: number } }) => e.target.revision)).toEqual([
      3, 2, 1,
    ]);
    // The second to the fourth change: one minute apart from 10:01.
    const window = await call('GET', '/admin/v1/audit?from=2026-11-01T10:02:00Z&to=2026-11-01T10:04:00Z');
    expect(window.body.entries.map((e: { at: string }) => e.at)).toEqual([
      '2026-11-01T10:03:00.000Z',
      '2026-11-01T10:02:00.000Z',
    ]);
    expect((await call('GET', '/admin/v1/audit?from=2026-11-02')).body.entries).toEqual([]);
  });

  it.each([
    ['an unknown target', 'target=everything', /campaign id/],
    ['a cursor it never gave', 'cursor=bm9wZQ', /cursor/],
    ['a date that does not exist', 'from=2026-02-30', /not a date or time that exists/],
    ['a time that is not ISO 8601', 'to=yesterday', /ISO 8601/],
    ['from after to', 'from=2026-11-02&to=2026-11-01', /before "to"/],
    ['a limit over 200', 'limit=500', /1 to 200/],
  ])('answers 400 for %s', async (_name, query, message) => {
    const res = await call('GET', `/admin/v1/audit?${query}`);
    expect(res.status).toBe(400);
    expect(
      [
        res.body.error.message,
        ...(res.body.error.details ?? []).map((d: { message: string }) => d.message),
      ].join(' '),
    ).toMatch(message);
  });

  it('answers 401 without a token', async () => {
    expect((await send(app, 'GET', '/admin/v1/audit')).status).toBe(401);
  });
});
