/**
 * The audit log: one entry per change, saying when (UTC), who (the admin identity), what (action and target, the
 * revision the change made) and how the target changed (field before/after, keyword counts and samples).
 *
 * How an entry can never be missing for a saved change, on any store (dynalite has no transactions):
 * - campaigns and partners: the entry is written inside the changed item itself, in the same single-item write
 *   (atomic everywhere), and copied to the browsable log afterwards; a crash before the copy leaves the entry in
 *   the item, marked pending, and the next writer of that item or the next reader of the log copies it
 *   (functions/adapters/dynamodb/audit.ts);
 * - published rulesets: the version's header item is itself the immutable record of who published what and when;
 *   its log entry is derived from it (`auditPublish`) and the chain of versions is checked on read
 *   (`auditMissingPublishes`), so a publish whose log write failed is still listed.
 * Entries never hold a secret: partners are described by their public fields and key prefixes only.
 */
import {
  type CampaignChanges,
  diffCampaign,
  diffPartner,
  diffRulesets,
  isEmptyCampaignDiff,
  type PartnerChanges,
  type VersionChanges,
} from './diff.js';
import type { Campaign, Partner, Ruleset } from './model.js';
import type { Logger, NewRuleset } from './ports.js';

export const AUDIT_ACTIONS = [
  'campaign.create',
  'campaign.update',
  'campaign.delete',
  'campaign.import',
  'ruleset.publish',
  'ruleset.restore',
  'partner.create',
  'partner.update',
  'partner.key.issue',
  'partner.key.revoke',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_TARGET_TYPES = ['campaign', 'partner', 'ruleset'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

export interface AuditTarget {
  type: AuditTargetType;
  /** A campaign or partner id; `ruleset` for published versions. */
  id: string;
}

/** The published rulesets are one target: their revision is the version number. */
export const RULESET_TARGET: AuditTarget = { type: 'ruleset', id: 'ruleset' };

export type AuditChanges =
  | CampaignChanges
  | PartnerChanges
  | VersionChanges
  | { truncated: true; [key: string]: unknown };

export interface AuditEntry {
  id: string;
  /** ISO 8601 UTC. */
  at: string;
  /** The admin identity (`c.get('admin').id`), or `seed` / `system` for changes the service made itself. */
  actor: string;
  action: AuditAction;
  /** The target and the revision the change made (for a delete, one past the last; for a ruleset, the version). */
  target: AuditTarget & { revision: number };
  /** One sentence a person can read. */
  summary: string;
  changes: AuditChanges;
}

/** What a caller knows of a change it asks a repository to save; the repository adds the target and revision. */
export type AuditNote = Omit<AuditEntry, 'target'>;

/** The largest serialized entry: it travels inside the changed item, whose body may already take 300 KB of 400. */
export const MAX_ENTRY_BYTES = 32 * 1024;

/** The target an audit filter names: a campaign id (`cmp_...`), a partner id (`ptn_...`) or `ruleset`. */
export function parseAuditTarget(value: string): AuditTarget | null {
  if (value === 'ruleset') return RULESET_TARGET;
  if (/^cmp_[A-Za-z0-9_-]{1,64}$/.test(value)) return { type: 'campaign', id: value };
  if (/^ptn_[A-Za-z0-9_-]{1,64}$/.test(value)) return { type: 'partner', id: value };
  return null;
}

export function withTarget(note: AuditNote, target: AuditTarget, revision: number): AuditEntry {
  return { ...note, target: { type: target.type, id: target.id, revision } };
}

/** A note for a write that came without one, so no change through a repository goes unrecorded. */
export function fallbackNote(
  id: string,
  action: AuditAction,
  actor: string,
  at: Date,
  summary: string,
): AuditNote {
  return { id, at: at.toISOString(), actor, action, summary, changes: { truncated: true } };
}

interface NoteBase {
  id: string;
  at: Date;
  actor: string;
}

/** A campaign create, update, delete or import, with the diff kept under MAX_ENTRY_BYTES. */
export function campaignNote(
  base: NoteBase,
  action: Extract<AuditAction, `campaign.${string}`>,
  before: Campaign | null,
  after: Campaign | null,
): AuditNote {
  const full = diffCampaign(before, after);
  let changes: AuditChanges = full;
  for (const options of [
    { sample: 20, messageText: true },
    { sample: 5, messageText: false },
    { sample: 0, messageText: false },
  ]) {
    if (byteLength(changes) <= MAX_ENTRY_BYTES - 2048) break;
    changes = diffCampaign(before, after, options);
  }
  if (byteLength(changes) > MAX_ENTRY_BYTES - 2048) {
    const { sample: _sample, ...keywords } = full.keywords;
    changes = { truncated: true, fields: Object.keys(full.fields), keywords };
  }
  const summary = campaignSummary(action, (after ?? before)?.name ?? '', full, after ?? before);
  return { id: base.id, at: base.at.toISOString(), actor: base.actor, action, summary, changes };
}

function campaignSummary(
  action: AuditAction,
  name: string,
  changes: CampaignChanges,
  campaign: Campaign | null,
): string {
  const label = `campaign "${clip(name)}"`;
  const k = changes.keywords;
  switch (action) {
    case 'campaign.create':
      return `Created ${label} with ${campaign?.keywords.length ?? 0} keywords.`;
    case 'campaign.delete':
      return `Deleted ${label}, which had ${campaign?.keywords.length ?? 0} keywords.`;
    case 'campaign.import':
      return `Imported keywords into ${label}: ${k.added} added, ${k.changed} updated.`;
    default: {
      if (isEmptyCampaignDiff(changes)) return `Saved ${label} without changes.`;
      const parts = Object.keys(changes.fields);
      const m = changes.messages;
      if (m.added.length + m.removed.length + m.changed.length > 0) parts.push('messages');
      const n = changes.negativeKeywords;
      if (n.added.length + n.removed.length > 0) parts.push('negative keywords');
      if (k.added + k.removed + k.changed > 0) parts.push(`keywords +${k.added} −${k.removed} ~${k.changed}`);
      return `Changed ${label}: ${parts.join(', ')}.`;
    }
  }
}

/** A partner create, update, key issue or revoke. Only public fields and key prefixes: never a hash or a secret. */
export function partnerNote(
  base: NoteBase,
  action: Extract<AuditAction, `partner.${string}`>,
  before: Partner | null,
  after: Partner,
): AuditNote {
  const changes = diffPartner(before, after);
  const label = `partner "${clip(after.name)}"`;
  const summary =
    action === 'partner.create'
      ? `Created ${label}.`
      : action === 'partner.key.issue'
        ? `Issued a secret key ${changes.keys.issued.map((k) => `${k.prefix}…`).join(', ')} for ${label}.`
        : action === 'partner.key.revoke'
          ? `Revoked the secret key ${changes.keys.revoked.map((k) => `${k.prefix}…`).join(', ')} of ${label}.`
          : `Changed ${label}: ${Object.keys(changes.fields).join(', ') || 'nothing'}.`;
  return { id: base.id, at: base.at.toISOString(), actor: base.actor, action, summary, changes };
}

/** The entry of a published version, from its immutable header and the version before it. */
export function publishEntry(id: string, ruleset: Ruleset, previous: Ruleset | null): AuditEntry {
  const changes = boundVersionChanges(diffRulesets(previous?.campaigns ?? [], ruleset.campaigns));
  const c = changes.campaigns.counts;
  const k = changes.keywords;
  const what = `${c.added} campaigns added, ${c.removed} removed, ${c.changed} changed; keywords +${k.added} −${k.removed} ~${k.changed}`;
  const restore = ruleset.restoredFrom !== undefined;
  return {
    id,
    at: ruleset.publishedAt,
    actor: ruleset.publishedBy,
    action: restore ? 'ruleset.restore' : 'ruleset.publish',
    target: { ...RULESET_TARGET, revision: ruleset.version },
    summary: restore
      ? `Restored version ${ruleset.restoredFrom} as version ${ruleset.version}: ${what}.`
      : `Published version ${ruleset.version}: ${what}.`,
    changes,
  };
}

function boundVersionChanges(changes: VersionChanges): VersionChanges {
  for (const sample of [20, 5, 0]) {
    if (byteLength(changes) <= MAX_ENTRY_BYTES - 2048) return changes;
    changes = {
      ...changes,
      campaigns: {
        ...changes.campaigns,
        added: changes.campaigns.added.slice(0, sample),
        removed: changes.campaigns.removed.slice(0, sample),
        changed: changes.campaigns.changed.slice(0, sample),
      },
    };
  }
  return changes;
}

/** The ports the publish audit needs. */
export interface PublishAuditDeps {
  rulesets: {
    get(version: number): Promise<Ruleset | null>;
    liveVersion(): Promise<number | null>;
  };
  audit: {
    get(target: AuditTarget, revision: number): Promise<AuditEntry | null>;
    record(entry: AuditEntry): Promise<void>;
  };
  ids: { next(prefix: 'aud'): string };
}

/** Records the entry of a version just published (idempotent). `previous` saves reading it again. */
export async function auditPublish(
  deps: PublishAuditDeps,
  ruleset: Ruleset,
  previous?: Ruleset | null,
): Promise<AuditEntry> {
  const before =
    previous !== undefined && (previous?.version ?? 0) === ruleset.version - 1
      ? previous
      : ruleset.version > 1
        ? await deps.rulesets.get(ruleset.version - 1)
        : null;
  const entry = publishEntry(deps.ids.next('aud'), ruleset, before);
  await deps.audit.record(entry);
  return entry;
}

/**
 * Records the entries of published versions that have none, newest first, stopping at the first that has one.
 * Every publisher checks its predecessor and every reader the newest, so normally this reads one item; after a
 * crash between a publish and its log entry it fills the gap. Answers how many it recorded.
 */
export async function auditMissingPublishes(deps: PublishAuditDeps, from?: number | null): Promise<number> {
  let version = from === undefined ? await deps.rulesets.liveVersion() : from;
  let recorded = 0;
  let newer: Ruleset | null = null;
  while (version !== null && version >= 1) {
    if (await deps.audit.get(RULESET_TARGET, version)) break;
    const ruleset = newer?.version === version ? newer : await deps.rulesets.get(version);
    if (!ruleset) break;
    const previous = version > 1 ? await deps.rulesets.get(version - 1) : null;
    await deps.audit.record(publishEntry(deps.ids.next('aud'), ruleset, previous));
    recorded++;
    newer = previous;
    version -= 1;
  }
  return recorded;
}

/**
 * Publishes a new version (the drafts, or an old version again with `restoredFrom`) and records its entry. The
 * versions before it are checked first, so a gap left by an earlier crash is closed by the next publish. Audit
 * writes may fail without failing the publish: each version's header already says who published what and when,
 * so its entry can always be recorded later, by the next publish or the next reader of the log.
 */
export async function publishAudited(
  deps: PublishAuditDeps & {
    rulesets: PublishAuditDeps['rulesets'] & { publish(input: NewRuleset): Promise<Ruleset> };
    logger?: Logger;
  },
  input: NewRuleset,
): Promise<{ ruleset: Ruleset; previous: Ruleset | null; entry: AuditEntry | null }> {
  const live = await deps.rulesets.liveVersion();
  const warn = (message: string, version: number | null, error: unknown) =>
    deps.logger?.warn(message, {
      rulesetVersion: version,
      error: error instanceof Error ? error.name : 'unknown',
    });
  // Never blocks a publish (a restore may be undoing a bad version): what it misses, a later reader records.
  await auditMissingPublishes(deps, live).catch((error) =>
    warn('earlier publishes could not be recorded in the audit log now', live, error),
  );
  const previous = live === null ? null : await deps.rulesets.get(live);
  const ruleset = await deps.rulesets.publish(input);
  try {
    return { ruleset, previous, entry: await auditPublish(deps, ruleset, previous) };
  } catch (error) {
    warn('publish saved; its audit entry will be recorded from the version header', ruleset.version, error);
    return { ruleset, previous, entry: null };
  }
}

export function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
