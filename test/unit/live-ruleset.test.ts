import { describe, expect, it } from 'vitest';
import { LiveRuleset } from '../../functions/core/live-ruleset.js';
import { keywordColumns } from '../../functions/core/matcher.js';
import type { Ruleset } from '../../functions/core/model.js';
import { MemoryMetrics } from '../../functions/local/logger.js';
import { aCampaign } from '../helpers/campaigns.js';

/** A ruleset store whose answers the test controls: versions, failures and delays. */
function store() {
  const versions: Ruleset[] = [];
  const state = { failing: false, delayMs: 0, reads: 0 };
  const wait = () => new Promise((resolve) => setTimeout(resolve, state.delayMs));
  return {
    state,
    publish(keyword: string) {
      const campaign = aCampaign({ keywords: [{ id: `kw_${keyword}`, text: keyword, match: 'phrase' }] });
      versions.push({
        version: versions.length + 1,
        publishedAt: '',
        publishedBy: '',
        campaigns: [campaign],
      });
    },
    async liveVersion() {
      state.reads += 1;
      await wait();
      if (state.failing) throw new Error('table unreachable');
      return versions.length || null;
    },
    async get(version: number) {
      await wait();
      if (state.failing) throw new Error('table unreachable');
      return versions[version - 1] ?? null;
    },
  };
}

const ctx = { now: new Date() };

describe('LiveRuleset', () => {
  it('serves the published version, and a newer one once the check interval has passed', async () => {
    const s = store();
    s.publish('alpha');
    let now = 0;
    const live = new LiveRuleset(s, { ttlMs: 5_000, coldBudgetMs: 1_000, now: () => now });
    expect((await live.current()).version).toBe(1);
    s.publish('beta');
    now = 1_000;
    expect((await live.current()).version).toBe(1);
    expect(s.state.reads).toBe(1);
    now = 6_000;
    await live.current(); // the due check runs in the background; the request is not held up by it
    await live.refresh();
    const current = await live.current();
    expect(current.version).toBe(2);
    expect(current.match('beta', ctx)?.keyword.text).toBe('beta');
  });

  it('compiles what the store gives for matching when it has getForMatching', async () => {
    const s = store();
    s.publish('alpha');
    const reads: number[] = [];
    const columns = {
      ...s,
      async getForMatching(version: number) {
        reads.push(version);
        const ruleset = await s.get(version);
        return (
          ruleset && {
            version: ruleset.version,
            campaigns: ruleset.campaigns.map((c) => ({
              ...c,
              keywords: keywordColumns(c.keywords.map((k) => ({ ...k, text: 'other words' }))),
            })),
          }
        );
      },
    };
    const current = await new LiveRuleset(columns, { ttlMs: 5_000, coldBudgetMs: 1_000 }).current();
    expect(reads).toEqual([1]);
    expect(current.match('alpha', ctx)).toBeNull();
    expect(current.match('other words', ctx)?.keyword).toEqual({
      id: 'kw_alpha',
      text: 'other words',
      match: 'phrase',
    });
  });

  it('keeps serving the last good ruleset while the table fails, and picks up new versions when it is back', async () => {
    const s = store();
    s.publish('alpha');
    let now = 0;
    const metrics = new MemoryMetrics();
    const live = new LiveRuleset(s, { ttlMs: 1_000, coldBudgetMs: 1_000, now: () => now, metrics });
    await live.current();
    s.state.failing = true;
    s.publish('beta');
    now = 5_000;
    await live.refresh();
    const during = await live.current();
    expect(during.version).toBe(1);
    expect(during.match('alpha', ctx)).not.toBeNull();
    expect(metrics.counts.get('RulesetLoadFailed')).toBeGreaterThan(0);
    s.state.failing = false;
    now = 10_000;
    await live.refresh();
    expect((await live.current()).version).toBe(2);
  });

  it('serves the bundled national hotline from a cold start that cannot reach the table, and says so', async () => {
    const s = store();
    s.publish('alpha');
    s.state.failing = true;
    const metrics = new MemoryMetrics();
    const live = new LiveRuleset(s, { ttlMs: 1_000, coldBudgetMs: 50, metrics });
    const fallback = await live.current();
    expect(fallback.version).toBe(0);
    expect(
      fallback.match('human trafficking', { region: 'US', now: new Date() })?.message.actions[0]?.href,
    ).toBe('tel:+18883737888');
    expect(metrics.counts.get('BundledDefaultServed')).toBe(1);
  });

  it('answers a cold request within its budget when the table is slow', async () => {
    const s = store();
    s.publish('alpha');
    s.state.delayMs = 500;
    const live = new LiveRuleset(s, { ttlMs: 1_000, coldBudgetMs: 30 });
    const started = performance.now();
    expect((await live.current()).version).toBe(0);
    expect(performance.now() - started).toBeLessThan(300);
    await live.refresh();
    expect((await live.current()).version).toBe(1);
  });

  it('serves an empty ruleset, never drafts, before the first publish', async () => {
    const live = new LiveRuleset(store(), { ttlMs: 1_000, coldBudgetMs: 1_000 });
    const empty = await live.current();
    expect(empty.version).toBe(0);
    expect(empty.match('human trafficking', ctx)).toBeNull();
  });
});
