import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import {
  type AuditAction,
  type AuditEntry,
  type AuditNote,
  fallbackNote,
  withTarget,
} from '../../core/audit.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../core/errors.js';
import { randomIds } from '../../core/ids.js';
import type { Partner, PartnerKey } from '../../core/model.js';
import { PARTNER_STATUSES } from '../../core/model.js';
import type { PartnerRepository } from '../../core/ports.js';
import { flushPending, landed, pendingAttributes, settle } from './audit.js';
import { isConditionFailed } from './errors.js';
import { keys } from './keys.js';

type ReadMethods = 'get' | 'list' | 'findBySecretKeyHash' | 'findBySiteKey';

/**
 * Partners, with two lookup items each pointing back to the partner: one per site key and one per secret-key
 * hash. Lookup items are hints: a key only authenticates when the partner record itself lists it unrevoked, so
 * an index item left behind by a failed write can never grant access. Index items for new keys are written
 * before the partner, and those of revoked keys deleted after it. The partner item carries the audit entry of the
 * change that made its revision, written in the same put (see audit.ts).
 */
export class DynamoPartnerReader implements Pick<PartnerRepository, ReadMethods> {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly table: string,
  ) {}

  async get(id: string): Promise<Partner | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.partner(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  }

  async list(): Promise<Partner[]> {
    const partners: Partner[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.partners.pk, ':prefix': keys.partners.skPrefix },
      },
    );
    for await (const page of pages) partners.push(...(page.Items ?? []).map(fromItem));
    return partners;
  }

  async findBySecretKeyHash(hash: string): Promise<Partner | null> {
    return this.lookup(keys.keyHash(hash));
  }

  async findBySiteKey(siteKey: string): Promise<Partner | null> {
    return this.lookup(keys.siteKey(siteKey));
  }

  private async lookup(key: { pk: string; sk: string }): Promise<Partner | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: key }));
    return typeof Item?.partnerId === 'string' ? this.get(Item.partnerId) : null;
  }
}

/**
 * The reads and the writes (create, update: admin code). The partner function constructs the reader alone, so the
 * writes (and the audit log they carry) stay out of its bundle.
 */
export class DynamoPartnerRepository extends DynamoPartnerReader implements PartnerRepository {
  async create(partner: Partner, audit?: AuditNote): Promise<Partner> {
    const entry = this.entry(audit, 'partner.create', partner.id, partner.revision);
    await this.putIndexes(partner, partner.keys);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...toItem(partner), ...pendingAttributes(entry, keys.partner(partner.id)) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // Unless an SDK retry found its own first attempt already saved.
      if (!(await landed(this.doc, this.table, keys.partner(partner.id), entry)))
        throw new ConflictError(`A partner with the id ${partner.id} already exists.`);
    }
    await settle(this.doc, this.table, keys.partner(partner.id), entry, false);
    return partner;
  }

  /** The entry to store with a change: the caller's note, or a minimal one so no change goes unrecorded. */
  private entry(note: AuditNote | undefined, action: AuditAction, id: string, revision: number): AuditEntry {
    const fallback = () =>
      fallbackNote(
        randomIds.next('aud'),
        action,
        'system',
        new Date(),
        `${action} of ${id}, without details.`,
      );
    return withTarget(note ?? fallback(), { type: 'partner', id }, revision);
  }

  async update(partner: Partner, expectedRevision: number, audit?: AuditNote): Promise<Partner> {
    const before = await this.get(partner.id);
    if (!before) throw new NotFoundError(`There is no partner ${partner.id}.`);
    const entry = this.entry(audit, 'partner.update', partner.id, expectedRevision + 1);
    // The entry this write replaces must be in the log first; when that copy fails, nothing is written.
    await flushPending(this.doc, this.table, keys.partner(partner.id));
    const known = new Set(before.keys.map((key) => key.id));
    await this.putIndexes(
      partner,
      partner.keys.filter((key) => !known.has(key.id)),
    );
    const next: Partner = { ...partner, revision: expectedRevision + 1 };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...toItem(next), ...pendingAttributes(entry, keys.partner(partner.id)) },
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expectedRevision },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // Unless an SDK retry found its own first attempt already saved.
      if (!(await landed(this.doc, this.table, keys.partner(partner.id), entry)))
        throw new PreconditionFailedError(
          `Partner ${partner.id} was changed by someone else since you loaded it; reload it and try again.`,
        );
    }
    const revoked = next.keys.filter(
      (key) => key.revokedAt && before.keys.some((old) => old.id === key.id && !old.revokedAt),
    );
    await Promise.allSettled(
      revoked.map((key) =>
        this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.keyHash(key.hash) })),
      ),
    );
    await settle(this.doc, this.table, keys.partner(partner.id), entry, false);
    return next;
  }

  private async putIndexes(partner: Partner, newKeys: PartnerKey[]): Promise<void> {
    await Promise.all([
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.siteKey(partner.siteKey), entity: 'siteKeyIndex', partnerId: partner.id },
        }),
      ),
      ...newKeys.map((key) =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keys.keyHash(key.hash), entity: 'keyHashIndex', partnerId: partner.id, keyId: key.id },
          }),
        ),
      ),
    ]);
  }
}

function toItem(partner: Partner): Record<string, unknown> {
  return { ...keys.partner(partner.id), entity: 'partner', ...partner };
}

function fromItem(item: Record<string, unknown>): Partner {
  const status = PARTNER_STATUSES.find((s) => s === item.status);
  if (!status || typeof item.id !== 'string' || typeof item.siteKey !== 'string')
    throw new Error('Stored partner is malformed.');
  const storedKeys = Array.isArray(item.keys) ? item.keys : [];
  return {
    id: item.id,
    name: String(item.name),
    allowedOrigins: Array.isArray(item.allowedOrigins) ? item.allowedOrigins.map(String) : [],
    siteKey: item.siteKey,
    status,
    createdAt: String(item.createdAt),
    revision: Number(item.revision),
    keys: storedKeys.map((k: Record<string, unknown>) => ({
      id: String(k.id),
      hash: String(k.hash),
      prefix: String(k.prefix),
      createdAt: String(k.createdAt),
      revokedAt: typeof k.revokedAt === 'string' ? k.revokedAt : null,
    })),
  };
}
