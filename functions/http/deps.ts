import type { LiveRuleset } from '../core/live-ruleset.js';
import type {
  AdminAuthenticator,
  AuditLog,
  CampaignRepository,
  Clock,
  CounterReader,
  EventIntake,
  IdGenerator,
  Impressions,
  Logger,
  Metrics,
  PartnerRepository,
  RulesetRepository,
} from '../core/ports.js';
import type { AdminAsset, AdminAuthConfig } from './admin-page.js';
import type { RateLimits } from './rate-limit.js';
import type { WidgetAsset } from './widget.js';

/** What the partner-facing routes need: small, so the hot function's bundle stays small. */
export interface PartnerDeps {
  partners: Pick<PartnerRepository, 'findBySecretKeyHash' | 'findBySiteKey' | 'list'>;
  rulesets: Pick<RulesetRepository, 'liveVersion' | 'get'>;
  live: LiveRuleset;
  impressions: Impressions;
  /** Checks and counts `POST /v1/events` (functions/adapters/dynamodb/stats.ts `dynamoCounting`). */
  events?: EventIntake;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  widget?: { asset: WidgetAsset; demoSiteKey?: string };
  /** How long a partner looked up by key is trusted before it is read again (revocations take this long). */
  partnerCacheMs?: number;
  /**
   * How long a request waits on a partner lookup whose cached answer has expired before it goes on with that
   * answer (the lookup finishes in the background), and how long a first lookup may take. Default 500 ms.
   */
  partnerLookupBudgetMs?: number;
  /** Per-key request limits, per instance (default DEFAULT_RATE_LIMITS). */
  rateLimits?: RateLimits;
}

export interface AdminDeps {
  campaigns: CampaignRepository;
  rulesets: RulesetRepository;
  partners: PartnerRepository;
  /** Where every change is recorded; writes through the repositories above record theirs with the change. */
  audit: AuditLog;
  live: LiveRuleset;
  adminAuth: AdminAuthenticator;
  /** The counters `GET /admin/v1/reports` sums (functions/adapters/dynamodb/stats.ts `dynamoCounting`). */
  reports?: CounterReader;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Metrics;
  /** The admin page at /admin (admin-ui/build.ts), and how it signs admins in (the local token by default). */
  adminPage?: { asset: AdminAsset; auth?: AdminAuthConfig };
}

export type AppDeps = PartnerDeps & AdminDeps;
