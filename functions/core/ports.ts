/**
 * The interfaces core and the HTTP layer need from the outside world. Adapters implement them:
 * functions/adapters/dynamodb/* for DynamoDB (AWS and the embedded dynalite alike), plain objects in tests.
 */
import type { Campaign, Partner, Ruleset, StoredCampaign } from './model.js';

export interface Clock {
  now(): Date;
}

export type IdPrefix = 'cmp' | 'kw' | 'ptn' | 'key' | 'aud';

export interface IdGenerator {
  /** A new unique id such as `cmp_3f9a...`. */
  next(prefix: IdPrefix): string;
}

/** Structured logging. Fields never carry the query text, an IP address or a secret. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Metrics {
  count(name: string, value?: number): void;
}

export interface CampaignRepository {
  list(): Promise<StoredCampaign[]>;
  get(id: string): Promise<StoredCampaign | null>;
  /** Stores a new campaign at revision 1; ConflictError when the id is taken. */
  create(campaign: Campaign, by: string): Promise<StoredCampaign>;
  /** Replaces the campaign when its stored revision is `expectedRevision`; PreconditionFailedError when not. */
  update(campaign: Campaign, expectedRevision: number, by: string): Promise<StoredCampaign>;
  /** NotFoundError when absent, PreconditionFailedError when the revision moved on. */
  delete(id: string, expectedRevision: number): Promise<void>;
}

export interface RulesetSummary {
  version: number;
  publishedAt: string;
  publishedBy: string;
  restoredFrom?: number;
  campaigns: number;
  keywords: number;
}

export interface NewRuleset {
  publishedAt: string;
  publishedBy: string;
  restoredFrom?: number;
  campaigns: Campaign[];
}

export interface RulesetRepository {
  /** Stores an immutable version numbered one past the latest and makes it the live one. */
  publish(ruleset: NewRuleset): Promise<Ruleset>;
  /** The live version number, or null before the first publish. Cheap: partners poll it. */
  liveVersion(): Promise<number | null>;
  get(version: number): Promise<Ruleset | null>;
  /** Every published version, newest first. */
  list(): Promise<RulesetSummary[]>;
}

export interface PartnerRepository {
  /** Stores a new partner with its site key and secret-key hashes; ConflictError when the id is taken. */
  create(partner: Partner): Promise<Partner>;
  get(id: string): Promise<Partner | null>;
  list(): Promise<Partner[]>;
  /** Replaces the partner (keys included) when its stored revision is `expectedRevision`. */
  update(partner: Partner, expectedRevision: number): Promise<Partner>;
  findBySecretKeyHash(hash: string): Promise<Partner | null>;
  findBySiteKey(siteKey: string): Promise<Partner | null>;
}

/** One message served to a partner: what the counters need, and nothing about who searched or what. */
export interface ServedEvent {
  campaignId: string;
  /** Null for a banner, which no keyword triggered. */
  keywordId: string | null;
  partnerId: string;
  locale: string;
  region: string;
  rulesetVersion: number;
  at: Date;
}

/**
 * Counts served messages and issues the impression token that later events carry. `served` never throws and
 * never waits on storage: help is never withheld by a counter.
 */
export interface Impressions {
  served(event: ServedEvent): string;
}

/** Who an admin is, from the local bearer token or a Cognito JWT: one shape, one authorization path. */
export interface AdminIdentity {
  id: string;
  scopes: string[];
}

export interface AdminAuthenticator {
  /** The identity for a bearer token, or null when the token is not valid. */
  authenticate(token: string): Promise<AdminIdentity | null>;
}
