import { type DynamoDBDocumentClient, GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import {
  type AuditAction,
  type AuditEntry,
  type AuditNote,
  fallbackNote,
  withTarget,
} from '../../core/audit.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../core/errors.js';
import { randomIds } from '../../core/ids.js';
import type { Campaign, StoredCampaign } from '../../core/model.js';
import type { CampaignRepository } from '../../core/ports.js';
import { flushPending, landed, pendingAttributes, settle } from './audit.js';
import { blobAttributes, decodeJson, deleteBlob, encodeJson, readBlob, writeBlob } from './blob.js';
import { isConditionFailed } from './errors.js';
import { keys } from './keys.js';
import { toCampaign } from './mapping.js';

/**
 * Draft campaigns. The head item (one partition, so a Query lists them all) holds the revision used for
 * optimistic locking and the compressed campaign, inline or in chunks (see blob.ts), and the audit entry of the
 * change that made that revision, written in the same put (see audit.ts). A delete replaces the head with a
 * tombstone carrying its entry, removed once the entry is in the log.
 */
export class DynamoCampaignRepository implements CampaignRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<StoredCampaign[]> {
    const heads: Record<string, unknown>[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.campaignHeads.pk, ':prefix': keys.campaignHeads.skPrefix },
      },
    );
    for await (const page of pages) heads.push(...(page.Items ?? []).filter((head) => head.deleted !== true));
    return Promise.all(heads.map((head) => this.fromHead(head)));
  }

  async get(id: string): Promise<StoredCampaign | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.campaignHead(id), ConsistentRead: true }),
    );
    return Item && Item.deleted !== true ? this.fromHead(Item) : null;
  }

  async create(campaign: Campaign, by: string, audit?: AuditNote): Promise<StoredCampaign> {
    return this.write(campaign, null, by, audit);
  }

  async update(
    campaign: Campaign,
    expectedRevision: number,
    by: string,
    audit?: AuditNote,
  ): Promise<StoredCampaign> {
    return this.write(campaign, expectedRevision, by, audit);
  }

  async delete(id: string, expectedRevision: number, audit?: AuditNote): Promise<void> {
    const key = keys.campaignHead(id);
    const entry = this.entry(audit, 'campaign.delete', 'system', id, expectedRevision + 1);
    await flushPending(this.doc, this.table, key);
    try {
      // A tombstone, not a delete: it carries the entry until the entry is in the log.
      const { Attributes } = await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            entity: 'campaignTombstone',
            id,
            revision: expectedRevision + 1,
            deleted: true,
            updatedAt: entry.at,
            updatedBy: entry.actor,
            ...pendingAttributes(entry, key),
          },
          ConditionExpression:
            'attribute_exists(pk) AND revision = :expected AND attribute_not_exists(deleted)',
          ExpressionAttributeValues: { ':expected': expectedRevision },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (Attributes)
        await deleteBlob(this.doc, this.table, (blobId) => keys.campaignBlob(id, blobId), Attributes);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      if (!(await landed(this.doc, this.table, key, entry))) {
        const current = await this.get(id);
        if (!current) throw new NotFoundError(`There is no campaign ${id}.`);
        throw stale(id);
      }
    }
    await settle(this.doc, this.table, key, entry, true);
  }

  /** The entry to store with a change: the caller's note, or a minimal one so no change goes unrecorded. */
  private entry(
    note: AuditNote | undefined,
    action: AuditAction,
    by: string,
    id: string,
    revision: number,
  ): AuditEntry {
    const fallback = () =>
      fallbackNote(randomIds.next('aud'), action, by, this.now(), `${action} of ${id}, without details.`);
    return withTarget(note ?? fallback(), { type: 'campaign', id }, revision);
  }

  private async write(
    campaign: Campaign,
    expectedRevision: number | null,
    by: string,
    audit: AuditNote | undefined,
  ): Promise<StoredCampaign> {
    const key = keys.campaignHead(campaign.id);
    const blobPk = (blobId: string) => keys.campaignBlob(campaign.id, blobId);
    const revision = (expectedRevision ?? 0) + 1;
    const action = expectedRevision === null ? 'campaign.create' : 'campaign.update';
    const entry = this.entry(audit, action, by, campaign.id, revision);
    const updatedAt = this.now().toISOString();
    // The entry this write replaces must be in the log first; when that copy fails, nothing is written.
    if (expectedRevision !== null) await flushPending(this.doc, this.table, key);
    const ref = await writeBlob(this.doc, this.table, blobPk, await encodeJson(campaign));
    try {
      const { Attributes } = await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            entity: 'campaign',
            id: campaign.id,
            revision,
            updatedAt,
            updatedBy: by,
            ...blobAttributes(ref),
            ...pendingAttributes(entry, key),
          },
          ...(expectedRevision === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'revision = :expected AND attribute_not_exists(deleted)',
                ExpressionAttributeValues: { ':expected': expectedRevision },
              }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (Attributes) await deleteBlob(this.doc, this.table, blobPk, Attributes);
    } catch (error) {
      const ours = isConditionFailed(error) && (await landed(this.doc, this.table, key, entry));
      if (ours) {
        // An SDK retry of this very write, whose first attempt had landed: saved (old chunks, if any, stay orphaned).
        await settle(this.doc, this.table, key, entry, false);
        return { campaign, revision, updatedAt, updatedBy: by };
      }
      await deleteBlob(this.doc, this.table, blobPk, ref);
      if (!isConditionFailed(error)) throw error;
      if (expectedRevision === null)
        throw new ConflictError(`A campaign with the id ${campaign.id} already exists.`);
      if (!(await this.get(campaign.id))) throw new NotFoundError(`There is no campaign ${campaign.id}.`);
      throw stale(campaign.id);
    }
    await settle(this.doc, this.table, key, entry, false);
    return { campaign, revision, updatedAt, updatedBy: by };
  }

  private async fromHead(head: Record<string, unknown>): Promise<StoredCampaign> {
    const id = String(head.id);
    const body = await readBlob(this.doc, this.table, (blobId) => keys.campaignBlob(id, blobId), head);
    return {
      campaign: toCampaign(await decodeJson(body)),
      revision: Number(head.revision),
      updatedAt: String(head.updatedAt),
      updatedBy: String(head.updatedBy),
    };
  }
}

function stale(id: string): PreconditionFailedError {
  return new PreconditionFailedError(
    `Campaign ${id} was changed by someone else since you loaded it; reload it and apply your edit again.`,
  );
}
