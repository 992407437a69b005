import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../core/errors.js';
import type { Campaign, StoredCampaign } from '../../core/model.js';
import type { CampaignRepository } from '../../core/ports.js';
import { blobAttributes, decodeJson, deleteBlob, encodeJson, readBlob, writeBlob } from './blob.js';
import { isConditionFailed } from './errors.js';
import { keys } from './keys.js';
import { toCampaign } from './mapping.js';

/**
 * Draft campaigns. The head item (one partition, so a Query lists them all) holds the revision used for
 * optimistic locking and the compressed campaign, inline or in chunks (see blob.ts).
 */
export class DynamoCampaignRepository implements CampaignRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<StoredCampaign[]> {
    const heads: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.campaignHeads.pk, ':prefix': keys.campaignHeads.skPrefix },
          ExclusiveStartKey: startKey,
        }),
      );
      heads.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return Promise.all(heads.map((head) => this.fromHead(head)));
  }

  async get(id: string): Promise<StoredCampaign | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.campaignHead(id), ConsistentRead: true }),
    );
    return Item ? this.fromHead(Item) : null;
  }

  async create(campaign: Campaign, by: string): Promise<StoredCampaign> {
    return this.write(campaign, null, by);
  }

  async update(campaign: Campaign, expectedRevision: number, by: string): Promise<StoredCampaign> {
    return this.write(campaign, expectedRevision, by);
  }

  async delete(id: string, expectedRevision: number): Promise<void> {
    try {
      const { Attributes } = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.campaignHead(id),
          ConditionExpression: 'attribute_exists(pk) AND revision = :expected',
          ExpressionAttributeValues: { ':expected': expectedRevision },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (Attributes)
        await deleteBlob(this.doc, this.table, (blobId) => keys.campaignBlob(id, blobId), Attributes);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const current = await this.get(id);
      if (!current) throw new NotFoundError(`There is no campaign ${id}.`);
      throw stale(id);
    }
  }

  private async write(
    campaign: Campaign,
    expectedRevision: number | null,
    by: string,
  ): Promise<StoredCampaign> {
    const blobPk = (blobId: string) => keys.campaignBlob(campaign.id, blobId);
    const ref = await writeBlob(this.doc, this.table, blobPk, await encodeJson(campaign));
    const revision = (expectedRevision ?? 0) + 1;
    const updatedAt = this.now().toISOString();
    try {
      const { Attributes } = await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.campaignHead(campaign.id),
            entity: 'campaign',
            id: campaign.id,
            revision,
            updatedAt,
            updatedBy: by,
            ...blobAttributes(ref),
          },
          ...(expectedRevision === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'revision = :expected',
                ExpressionAttributeValues: { ':expected': expectedRevision },
              }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (Attributes) await deleteBlob(this.doc, this.table, blobPk, Attributes);
    } catch (error) {
      await deleteBlob(this.doc, this.table, blobPk, ref);
      if (!isConditionFailed(error)) throw error;
      if (expectedRevision === null)
        throw new ConflictError(`A campaign with the id ${campaign.id} already exists.`);
      if (!(await this.get(campaign.id))) throw new NotFoundError(`There is no campaign ${campaign.id}.`);
      throw stale(campaign.id);
    }
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
