/**
 * In-memory stand-ins for the ports, for route tests that need no server. Behaviour (revisions, conflicts) is
 * proven against dynalite in test/integration; these only keep the same contracts.
 */
import {
  type AuditAction,
  type AuditEntry,
  type AuditNote,
  type AuditTarget,
  fallbackNote,
  withTarget,
} from '../../functions/core/audit.js';
import { Counters } from '../../functions/core/counters.js';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../functions/core/errors.js';
import { EventRecorder } from '../../functions/core/events.js';
import { randomIds } from '../../functions/core/ids.js';
import { ImpressionTokens } from '../../functions/core/impression-token.js';
import { LiveRuleset } from '../../functions/core/live-ruleset.js';
import type { Campaign, Partner, Ruleset, StoredCampaign } from '../../functions/core/model.js';
import type {
  AuditLog,
  AuditPage,
  AuditQuery,
  CampaignRepository,
  CounterDelta,
  CounterField,
  CounterReader,
  CounterStore,
  EventMarks,
  MarkClaim,
  MarkKind,
  NewRuleset,
  PartnerRepository,
  RulesetRepository,
  RulesetSummary,
  ServedEvent,
  UnwrittenDelta,
} from '../../functions/core/ports.js';
import type { AppDeps } from '../../functions/http/deps.js';
import { StaticTokenAuthenticator } from '../../functions/local/admin-token.js';
import { MemoryMetrics } from '../../functions/local/logger.js';

const clone = <T>(value: T): T => structuredClone(value);

/** The audit log in memory. Writes through the fakes below record their entry in the same step as the change. */
export class MemoryAudit implements AuditLog {
  readonly entries: AuditEntry[] = [];
  add(
    note: AuditNote | undefined,
    action: AuditAction,
    actor: string,
    target: AuditTarget,
    revision: number,
  ) {
    const entry = withTarget(
      note ?? fallbackNote(randomIds.next('aud'), action, actor, new Date(), `${action} of ${target.id}.`),
      target,
      revision,
    );
    this.entries.push(clone(entry));
  }
  async record(entry: AuditEntry) {
    const t = entry.target;
    if (
      !this.entries.some(
        (e) => e.target.type === t.type && e.target.id === t.id && e.target.revision === t.revision,
      )
    ) {
      this.entries.push(clone(entry));
    }
  }
  async get(target: AuditTarget, revision: number) {
    const found = this.entries.find(
      (e) => e.target.type === target.type && e.target.id === target.id && e.target.revision === revision,
    );
    return found ? clone(found) : null;
  }
  async list(query: AuditQuery): Promise<AuditPage> {
    const matching = this.entries
      .map((entry, order) => ({ entry, order }))
      .filter(
        ({ entry }) =>
          !query.target || (entry.target.type === query.target.type && entry.target.id === query.target.id),
      )
      .filter(({ entry }) => (!query.from || entry.at >= query.from) && (!query.to || entry.at < query.to))
      .sort((a, b) => (a.entry.at === b.entry.at ? b.order - a.order : a.entry.at < b.entry.at ? 1 : -1));
    let start = 0;
    if (query.cursor) {
      start = Number(Buffer.from(query.cursor, 'base64url').toString('utf8'));
      if (!Number.isInteger(start) || start < 0)
        throw new ValidationError('The cursor is not one this listing gave.');
    }
    const page = matching.slice(start, start + query.limit).map(({ entry }) => clone(entry));
    const end = start + page.length;
    return {
      entries: page,
      next: end < matching.length ? Buffer.from(String(end)).toString('base64url') : null,
    };
  }
}

export class MemoryCampaigns implements CampaignRepository {
  readonly items = new Map<string, StoredCampaign>();
  constructor(readonly audit: MemoryAudit = new MemoryAudit()) {}
  async list() {
    return [...this.items.values()].map(clone);
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item ? clone(item) : null;
  }
  async create(campaign: Campaign, by: string, note?: AuditNote) {
    if (this.items.has(campaign.id)) throw new ConflictError('exists');
    const stored = {
      campaign: clone(campaign),
      revision: 1,
      updatedAt: new Date().toISOString(),
      updatedBy: by,
    };
    this.items.set(campaign.id, stored);
    this.audit.add(
      note,
      stored.revision === 1 ? 'campaign.create' : 'campaign.update',
      by,
      { type: 'campaign', id: campaign.id },
      stored.revision,
    );
    return clone(stored);
  }
  async update(campaign: Campaign, expectedRevision: number, by: string, note?: AuditNote) {
    const current = this.items.get(campaign.id);
    if (!current) throw new NotFoundError('missing');
    if (current.revision !== expectedRevision) throw new PreconditionFailedError('stale');
    const stored = {
      campaign: clone(campaign),
      revision: expectedRevision + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: by,
    };
    this.items.set(campaign.id, stored);
    this.audit.add(
      note,
      stored.revision === 1 ? 'campaign.create' : 'campaign.update',
      by,
      { type: 'campaign', id: campaign.id },
      stored.revision,
    );
    return clone(stored);
  }
  async delete(id: string, expectedRevision: number, note?: AuditNote) {
    const current = this.items.get(id);
    if (!current) throw new NotFoundError('missing');
    if (current.revision !== expectedRevision) throw new PreconditionFailedError('stale');
    this.items.delete(id);
    this.audit.add(note, 'campaign.delete', 'system', { type: 'campaign', id }, expectedRevision + 1);
  }
}

export class MemoryRulesets implements RulesetRepository {
  readonly versions: Ruleset[] = [];
  async publish(input: NewRuleset) {
    const ruleset = { version: this.versions.length + 1, ...clone(input) };
    this.versions.push(ruleset);
    return clone(ruleset);
  }
  async liveVersion() {
    return this.versions.length || null;
  }
  async get(version: number) {
    const found = this.versions[version - 1];
    return found ? clone(found) : null;
  }
  async list(): Promise<RulesetSummary[]> {
    return [...this.versions].reverse().map((r) => ({
      version: r.version,
      publishedAt: r.publishedAt,
      publishedBy: r.publishedBy,
      ...(r.restoredFrom !== undefined && { restoredFrom: r.restoredFrom }),
      campaigns: r.campaigns.length,
      keywords: r.campaigns.reduce((n, c) => n + c.keywords.length, 0),
    }));
  }
}

export class MemoryPartners implements PartnerRepository {
  readonly items = new Map<string, Partner>();
  constructor(readonly audit: MemoryAudit = new MemoryAudit()) {}
  async create(partner: Partner, note?: AuditNote) {
    if (this.items.has(partner.id)) throw new ConflictError('exists');
    this.items.set(partner.id, clone(partner));
    this.audit.add(note, 'partner.create', 'system', { type: 'partner', id: partner.id }, partner.revision);
    return clone(partner);
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item ? clone(item) : null;
  }
  async list() {
    return [...this.items.values()].map(clone);
  }
  async update(partner: Partner, expectedRevision: number, note?: AuditNote) {
    const current = this.items.get(partner.id);
    if (!current) throw new NotFoundError('missing');
    if (current.revision !== expectedRevision) throw new PreconditionFailedError('stale');
    const next = { ...clone(partner), revision: expectedRevision + 1 };
    this.items.set(partner.id, next);
    this.audit.add(note, 'partner.update', 'system', { type: 'partner', id: partner.id }, next.revision);
    return clone(next);
  }
  async findBySecretKeyHash(hash: string) {
    return [...this.items.values()].find((p) => p.keys.some((k) => k.hash === hash)) ?? null;
  }
  async findBySiteKey(siteKey: string) {
    return [...this.items.values()].find((p) => p.siteKey === siteKey) ?? null;
  }
}

export const TEST_ADMIN_TOKEN = 'adm_test_token';

/** Deps for `createApp` with every port in memory. Served events are collected in `served`. */
export function memoryDeps(overrides: Partial<AppDeps> = {}) {
  const rulesets = new MemoryRulesets();
  const audit = new MemoryAudit();
  const served: ServedEvent[] = [];
  const logLines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logLines.push(JSON.stringify({ level, message, ...fields }));
  const deps: AppDeps = {
    campaigns: new MemoryCampaigns(audit),
    rulesets,
    partners: new MemoryPartners(audit),
    audit,
    live: new LiveRuleset(rulesets, { ttlMs: 0, coldBudgetMs: 1_000 }),
    impressions: {
      served: (event) => {
        served.push(event);
        return `tok_${served.length}`;
      },
    },
    clock: { now: () => new Date() },
    ids: randomIds,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    metrics: new MemoryMetrics(),
    adminAuth: new StaticTokenAuthenticator(TEST_ADMIN_TOKEN),
    partnerCacheMs: 0,
    ...overrides,
  };
  // Events and reports over in-memory counters; tokens from the fake impressions above are rejected as malformed.
  const stats = new MemoryStats();
  if (!overrides.events) {
    const counters = new Counters(stats, { logger: deps.logger, metrics: deps.metrics, flushIntervalMs: 0 });
    const tokens = new ImpressionTokens({ current: Buffer.alloc(32, 42), previous: [] });
    deps.events = new EventRecorder(tokens, stats, counters, {
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
    });
  }
  deps.reports ??= stats;
  return { deps, served, logLines, audit, stats };
}

/**
 * The counting ports in memory: a CounterStore that adds exactly what it is given (or refuses everything while
 * `failing`), the CounterReader over the same sums, and EventMarks with the same once-only semantics as DynamoDB's.
 */
export class MemoryStats implements CounterStore, CounterReader, EventMarks {
  readonly counters = new Map<string, CounterDelta>();
  readonly marks = new Map<string, Map<MarkKind, string>>();
  failing = false;
  async add(deltas: CounterDelta[]): Promise<UnwrittenDelta[]> {
    if (this.failing) return deltas.map((delta) => ({ delta, state: 'not_applied' as const }));
    for (const { key, counts } of deltas) {
      const id = JSON.stringify(key);
      const entry = this.counters.get(id) ?? { key: { ...key }, counts: {} };
      for (const [field, n] of Object.entries(counts) as [CounterField, number][]) {
        entry.counts[field] = (entry.counts[field] ?? 0) + n;
      }
      this.counters.set(id, entry);
    }
    return [];
  }
  async *read(fromHour: number, toHour: number): AsyncIterable<CounterDelta[]> {
    yield [...this.counters.values()]
      .filter((d) => d.key.hour >= fromHour && d.key.hour <= toHour)
      .map(clone);
  }
  async claim(claims: MarkClaim[], nonce: string): Promise<(Set<MarkKind> | null)[]> {
    if (this.failing) return claims.map(() => null);
    return claims.map(({ tokenId, kinds }) => {
      const held = this.marks.get(tokenId) ?? new Map<MarkKind, string>();
      this.marks.set(tokenId, held);
      for (const kind of kinds) if (!held.has(kind)) held.set(kind, nonce);
      return new Set(kinds.filter((kind) => held.get(kind) === nonce));
    });
  }
}
