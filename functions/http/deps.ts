import type { LiveRuleset } from '../core/live-ruleset.js';
import type {
  AdminAuthenticator,
  CampaignRepository,
  Clock,
  IdGenerator,
  Impressions,
  Logger,
  Metrics,
  PartnerRepository,
  RulesetRepository,
} from '../core/ports.js';
import type { WidgetAsset } from './widget.js';

/** What the partner-facing routes need: small, so the hot function's bundle stays small. */
export interface PartnerDeps {
  partners: Pick<PartnerRepository, 'findBySecretKeyHash' | 'findBySiteKey' | 'list'>;
  rulesets: Pick<RulesetRepository, 'liveVersion' | 'get'>;
  live: LiveRuleset;
  impressions: Impressions;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  widget?: { asset: WidgetAsset; demoSiteKey?: string };
  /** How long a partner looked up by key is trusted before it is read again (revocations take this long). */
  partnerCacheMs?: number;
}

export interface AdminDeps {
  campaigns: CampaignRepository;
  rulesets: RulesetRepository;
  partners: PartnerRepository;
  live: LiveRuleset;
  adminAuth: AdminAuthenticator;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Metrics;
}

export type AppDeps = PartnerDeps & AdminDeps;
