/**
 * In-memory stand-ins for the ports, for route tests that need no server. Behaviour (revisions, conflicts) is
 * proven against dynalite in test/integration; these only keep the same contracts.
 */
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../functions/core/errors.js';
import { randomIds } from '../../functions/core/ids.js';
import { LiveRuleset } from '../../functions/core/live-ruleset.js';
import type { Campaign, Partner, Ruleset, StoredCampaign } from '../../functions/core/model.js';
import type {
  CampaignRepository,
  NewRuleset,
  PartnerRepository,
  RulesetRepository,
  RulesetSummary,
  ServedEvent,
} from '../../functions/core/ports.js';
import type { AppDeps } from '../../functions/http/deps.js';
import { StaticTokenAuthenticator } from '../../functions/local/admin-token.js';
import { MemoryMetrics } from '../../functions/local/logger.js';

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryCampaigns implements CampaignRepository {
  readonly items = new Map<string, StoredCampaign>();
  async list() {
    return [...this.items.values()].map(clone);
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item ? clone(item) : null;
  }
  async create(campaign: Campaign, by: string) {
    if (this.items.has(campaign.id)) throw new ConflictError('exists');
    const stored = {
      campaign: clone(campaign),
      revision: 1,
      updatedAt: new Date().toISOString(),
      updatedBy: by,
    };
    this.items.set(campaign.id, stored);
    return clone(stored);
  }
  async update(campaign: Campaign, expectedRevision: number, by: string) {
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
    return clone(stored);
  }
  async delete(id: string, expectedRevision: number) {
    const current = this.items.get(id);
    if (!current) throw new NotFoundError('missing');
    if (current.revision !== expectedRevision) throw new PreconditionFailedError('stale');
    this.items.delete(id);
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
      campaigns: r.campaigns.length,
      keywords: r.campaigns.reduce((n, c) => n + c.keywords.length, 0),
    }));
  }
}

export class MemoryPartners implements PartnerRepository {
  readonly items = new Map<string, Partner>();
  async create(partner: Partner) {
    if (this.items.has(partner.id)) throw new ConflictError('exists');
    this.items.set(partner.id, clone(partner));
    return clone(partner);
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item ? clone(item) : null;
  }
  async list() {
    return [...this.items.values()].map(clone);
  }
  async update(partner: Partner, expectedRevision: number) {
    const current = this.items.get(partner.id);
    if (!current) throw new NotFoundError('missing');
    if (current.revision !== expectedRevision) throw new PreconditionFailedError('stale');
    const next = { ...clone(partner), revision: expectedRevision + 1 };
    this.items.set(partner.id, next);
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
  const served: ServedEvent[] = [];
  const logLines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logLines.push(JSON.stringify({ level, message, ...fields }));
  const deps: AppDeps = {
    campaigns: new MemoryCampaigns(),
    rulesets,
    partners: new MemoryPartners(),
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
  return { deps, served, logLines };
}
