/**
 * The interfaces core and the HTTP layer need from the outside world. Adapters implement them:
 * functions/adapters/dynamodb/* for DynamoDB (AWS and the embedded dynalite alike), plain objects in tests.
 */
import type { AuditEntry, AuditNote, AuditTarget } from './audit.js';
import type { RulesetInput } from './matcher.js';
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

/**
 * Writes of campaigns and partners save their audit entry (`audit`, or a minimal one when absent) atomically with
 * the change: see functions/core/audit.ts.
 */
export interface CampaignRepository {
  list(): Promise<StoredCampaign[]>;
  get(id: string): Promise<StoredCampaign | null>;
  /** Stores a new campaign at revision 1; ConflictError when the id is taken. */
  create(campaign: Campaign, by: string, audit?: AuditNote): Promise<StoredCampaign>;
  /** Replaces the campaign when its stored revision is `expectedRevision`; PreconditionFailedError when not. */
  update(
    campaign: Campaign,
    expectedRevision: number,
    by: string,
    audit?: AuditNote,
  ): Promise<StoredCampaign>;
  /** NotFoundError when absent, PreconditionFailedError when the revision moved on. */
  delete(id: string, expectedRevision: number, audit?: AuditNote): Promise<void>;
}

export interface AuditQuery {
  target?: AuditTarget;
  /** ISO 8601 UTC bounds on `at`: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  limit: number;
  /** Opaque, from the previous page's `next`. ValidationError when it is not one. */
  cursor?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

/** The browsable audit log. */
export interface AuditLog {
  /** Entries, newest first. */
  list(query: AuditQuery): Promise<AuditPage>;
  /** The entry of one revision of a target, or null. */
  get(target: AuditTarget, revision: number): Promise<AuditEntry | null>;
  /** Stores the entry of a change whose own record is immutable (a published version). Idempotent per target revision. */
  record(entry: AuditEntry): Promise<void>;
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
  /**
   * A version as the matcher compiles it (LiveRuleset uses it when the adapter has it, `get` otherwise): keywords
   * may stay in their stored shape, columns, so that a fresh instance makes no keyword object it would read once.
   */
  getForMatching?(version: number): Promise<RulesetInput | null>;
  /** Every published version, newest first. */
  list(): Promise<RulesetSummary[]>;
}

export interface PartnerRepository {
  /** Stores a new partner with its site key and secret-key hashes; ConflictError when the id is taken. */
  create(partner: Partner, audit?: AuditNote): Promise<Partner>;
  get(id: string): Promise<Partner | null>;
  list(): Promise<Partner[]>;
  /** Replaces the partner (keys included) when its stored revision is `expectedRevision`. */
  update(partner: Partner, expectedRevision: number, audit?: AuditNote): Promise<Partner>;
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
  /** Writes out what is buffered (graceful shutdown, the end of a Lambda invocation). Never throws. */
  flush?(): Promise<void>;
}

/** What a person did with a message, as `POST /v1/events` reports it. */
export type EventAction = 'call' | 'text' | 'link' | 'dismiss' | 'exit';
/** What is counted: messages served (matched), displayed (impressions), and acted on, per action. */
export type CounterField = 'served' | 'impressions' | EventAction;
export type Counts = Partial<Record<CounterField, number>>;

/** One counter: an hour (whole hours since the Unix epoch) and what reports group by. '' is unknown. */
export interface CounterKey {
  hour: number;
  campaignId: string;
  /** Null for a banner, which no keyword triggered. */
  keywordId: string | null;
  partnerId: string;
  locale: string;
  region: string;
}

export interface CounterDelta {
  key: CounterKey;
  counts: Counts;
}

/**
 * A delta the store gave up on: certainly `not_applied`, or `in_doubt` (the write may have landed; `ref` says
 * where to look to tell, so a recount never counts it twice).
 */
export interface UnwrittenDelta {
  delta: CounterDelta;
  state: 'not_applied' | 'in_doubt';
  ref?: Record<string, string | number>;
}

export interface CounterStore {
  /**
   * Adds each delta exactly once, retrying transient failures until `deadline` (epoch ms). Never throws: answers
   * the deltas it could not add.
   */
  add(deltas: CounterDelta[], deadline: number): Promise<UnwrittenDelta[]>;
}

export interface CounterReader {
  /** Every stored counter from `fromHour` to `toHour` inclusive, page by page; shards are not summed yet. */
  read(fromHour: number, toHour: number): AsyncIterable<CounterDelta[]>;
}

export type MarkKind = 'impression' | EventAction;

export interface MarkClaim {
  tokenId: string;
  kinds: MarkKind[];
  /** Unix seconds: the mark may be forgotten after this (the token has expired by then). */
  expiresAt: number;
}

/** Dedup marks: which kinds of event each impression token has already counted. */
export interface EventMarks {
  /**
   * Marks each claim's kinds as counted by `nonce` where no one marked them first, and answers per claim the
   * kinds this nonce holds, or null when the store could not say by `deadline`. Repeating a call with the same
   * nonce answers the same, so retries never lose or double an event. Never throws.
   */
  claim(claims: MarkClaim[], nonce: string, deadline: number): Promise<(Set<MarkKind> | null)[]>;
}

export interface ReportedEvent {
  token: string;
  type: 'impression' | 'action';
  action?: EventAction;
}

/** Checks and counts events a partner reports. */
export interface EventIntake {
  record(partnerId: string, events: ReportedEvent[]): Promise<{ accepted: number; rejected: number }>;
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
