import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps, TEST_ADMIN_TOKEN } from '../fakes/memory.js';
import { aCampaign } from '../helpers/campaigns.js';
import { send } from '../helpers/http.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let app: ReturnType<typeof createApp>;
let m: ReturnType<typeof memoryDeps>;
let secretKey: string;

beforeEach(async () => {
  m = memoryDeps();
  app = createApp(m.deps);
  secretKey = (await send(app, 'POST', '/admin/v1/partners', { headers: admin, body: { name: 'p' } })).body
    .secretKey;
});

const call = (method: string, path: string) => send(app, method, path, { headers: admin });
const matchOf = async (query: string) =>
  (await send(app, 'POST', '/v1/match', { headers: { 'x-api-key': secretKey }, body: { query } })).body;

/** Three versions: v1 = A; v2 = A renamed with one keyword more, B added; v3 = B only. */
async function threeVersions() {
  const a = await m.deps.campaigns.create(
    aCampaign({ name: 'A', keywords: [{ id: 'kw_a1', text: 'forced labour', match: 'phrase' }] }),
    'seed',
  );
  await call('POST', '/admin/v1/publish');
  await m.deps.campaigns.update(
    {
      ...a.campaign,
      name: 'A2',
      keywords: [...a.campaign.keywords, { id: 'kw_a2', text: 'debt bondage', match: 'exact' }],
    },
    1,
    'seed',
  );
  const b = await m.deps.campaigns.create(
    aCampaign({ name: 'B', keywords: [{ id: 'kw_b1', text: 'trata de personas', match: 'phrase' }] }),
    'seed',
  );
  await call('POST', '/admin/v1/publish');
  await m.deps.campaigns.delete(a.campaign.id, 2);
  await call('POST', '/admin/v1/publish');
  return { a: a.campaign, b: b.campaign };
}

describe('GET /admin/v1/versions', () => {
  it('lists versions newest first, with who, when and what changed against the version before', async () => {
    const { a, b } = await threeVersions();
    const res = await call('GET', '/admin/v1/versions');
    expect(res.status).toBe(200);
    expect(res.body.live).toBe(3);
    expect(res.body.next).toBeNull();
    expect(res.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const [v3, v2, v1] = res.body.versions;
    expect(v3).toMatchObject({
      live: true,
      publishedBy: 'local-admin',
      restoredFrom: null,
      campaigns: 1,
      keywords: 1,
    });
    expect(v3.changes).toEqual({
      campaigns: {
        added: [],
        removed: [{ id: a.id, name: 'A2' }],
        changed: [],
        counts: { added: 0, removed: 1, changed: 0 },
      },
      keywords: { added: 0, removed: 2, changed: 0 },
    });
    expect(v2.live).toBe(false);
    expect(v2.changes).toEqual({
      campaigns: {
        added: [{ id: b.id, name: 'B' }],
        removed: [],
        changed: [
          {
            id: a.id,
            name: 'A2',
            fields: ['name', 'keywords'],
            keywords: { added: 1, removed: 0, changed: 0 },
          },
        ],
        counts: { added: 1, removed: 0, changed: 1 },
      },
      keywords: { added: 2, removed: 0, changed: 0 },
    });
    expect(v1.changes.campaigns.added).toEqual([{ id: a.id, name: 'A' }]);
    expect(v1.summary).toMatch(/^Published version 1: 1 campaigns added/);
    expect(Date.parse(v1.publishedAt)).not.toBeNaN();
  });

  it('pages with limit and before', async () => {
    await threeVersions();
    const first = await call('GET', '/admin/v1/versions?limit=2');
    expect(first.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(first.body.next).toBe(2);
    const second = await call('GET', `/admin/v1/versions?limit=2&before=${first.body.next}`);
    expect(second.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(second.body.next).toBeNull();
    expect((await call('GET', '/admin/v1/versions?limit=0')).status).toBe(400);
  });

  it('answers an empty list before the first publish', async () => {
    expect((await call('GET', '/admin/v1/versions')).body).toEqual({ live: null, versions: [], next: null });
  });
});

describe('GET /admin/v1/versions/{n}', () => {
  it('answers one version whole, 404 for one never published, 400 for a bad number', async () => {
    const { a } = await threeVersions();
    const v1 = await call('GET', '/admin/v1/versions/1');
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({
      version: 1,
      publishedBy: 'local-admin',
      campaigns: [{ id: a.id, name: 'A' }],
    });
    expect((await call('GET', '/admin/v1/versions/9')).status).toBe(404);
    expect((await call('GET', '/admin/v1/versions/zero')).status).toBe(400);
    expect((await call('GET', '/admin/v1/versions/0')).status).toBe(400);
  });
});

describe('POST /admin/v1/versions/{n}/restore', () => {
  it('publishes the old version again as a new one, live at once, leaving published versions untouched', async () => {
    const { a } = await threeVersions();
    const before = structuredClone(await Promise.all([1, 2, 3].map((n) => m.deps.rulesets.get(n))));
    expect((await matchOf('forced labour')).match).toBeNull();

    const res = await call('POST', '/admin/v1/versions/1/restore');
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/admin/v1/versions/4');
    expect(res.body).toMatchObject({
      version: 4,
      restoredFrom: 1,
      publishedBy: 'local-admin',
      campaigns: 1,
      keywords: 1,
    });
    expect(res.body.summary).toMatch(/^Restored version 1 as version 4/);

    // Live at once: the very next match answers from version 4.
    const after = await matchOf('forced labour');
    expect(after).toMatchObject({ rulesetVersion: 4, match: { campaignId: a.id, keywordId: 'kw_a1' } });
    expect((await m.deps.rulesets.get(4))?.campaigns).toEqual(before[0]?.campaigns);
    expect(await Promise.all([1, 2, 3].map((n) => m.deps.rulesets.get(n)))).toEqual(before);

    const listed = await call('GET', '/admin/v1/versions?limit=1');
    expect(listed.body.versions[0]).toMatchObject({ version: 4, restoredFrom: 1, live: true });
    const audit = await call('GET', '/admin/v1/audit?target=ruleset&limit=1');
    expect(audit.body.entries[0]).toMatchObject({
      action: 'ruleset.restore',
      target: { revision: 4 },
      actor: 'local-admin',
    });
  });

  it('answers 409 for the live version, 404 for one never published, 401 without a token, changing nothing', async () => {
    await threeVersions();
    const live = await call('POST', '/admin/v1/versions/3/restore');
    expect(live.status).toBe(409);
    expect(live.body.error).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already the live version/),
    });
    expect((await call('POST', '/admin/v1/versions/42/restore')).status).toBe(404);
    expect((await send(app, 'POST', '/admin/v1/versions/1/restore')).status).toBe(401);
    expect(await m.deps.rulesets.liveVersion()).toBe(3);
  });
});
