import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RulesetInput } from '../../core/matcher.js';
import type { Ruleset } from '../../core/model.js';
import type { NewRuleset, RulesetRepository, RulesetSummary } from '../../core/ports.js';
import { blobAttributes, deleteBlob, readBlob, writeBlob } from './blob.js';
import { isConditionFailed } from './errors.js';
import { keys } from './keys.js';
import { decodeRuleset, decodeRulesetInput, encodeRuleset } from './ruleset-encoding.js';

const MAX_PUBLISH_ATTEMPTS = 5;

/**
 * Published rulesets: immutable, numbered. The body (compressed, chunked when large) is written first, then the
 * header item with `attribute_not_exists`, so two publishes racing for one number cannot both win, and a header is
 * only ever seen once its body is complete. The live version is the newest header: one small Query, cheap enough
 * for every instance to poll every few seconds. The body's shape (keywords as columns) is ruleset-encoding.ts's.
 */
export class DynamoRulesetReader
  implements Pick<RulesetRepository, 'liveVersion' | 'get' | 'getForMatching'>
{
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly table: string,
  ) {}

  async liveVersion(): Promise<number | null> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.rulesetHeads.pk, ':prefix': keys.rulesetHeads.skPrefix },
        ProjectionExpression: 'version',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const version = Items?.[0]?.version;
    return typeof version === 'number' ? version : null;
  }

  async get(version: number): Promise<Ruleset | null> {
    const body = await this.body(version);
    return body ? decodeRuleset(body) : null;
  }

  /** What LiveRuleset compiles: the keywords as stored (columns), checked but never made into objects. */
  async getForMatching(version: number): Promise<RulesetInput | null> {
    const body = await this.body(version);
    return body ? decodeRulesetInput(body) : null;
  }

  private async body(version: number): Promise<Uint8Array | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.rulesetHead(version) }),
    );
    return Item ? readBlob(this.doc, this.table, keys.rulesetBlob, Item) : null;
  }
}

/**
 * The reads, publishing and the list of versions (admin code). The partner function constructs the reader alone,
 * so publishing (and the encoder it needs) stays out of its bundle.
 */
export class DynamoRulesetRepository extends DynamoRulesetReader implements RulesetRepository {
  async publish(input: NewRuleset): Promise<Ruleset> {
    let version = ((await this.liveVersion()) ?? 0) + 1;
    for (let attempt = 1; ; attempt++) {
      const ruleset: Ruleset = { version, ...input };
      const ref = await writeBlob(this.doc, this.table, keys.rulesetBlob, await encodeRuleset(ruleset));
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...keys.rulesetHead(version),
              entity: 'ruleset',
              version,
              publishedAt: input.publishedAt,
              publishedBy: input.publishedBy,
              restoredFrom: input.restoredFrom,
              campaigns: input.campaigns.length,
              keywords: input.campaigns.reduce((sum, campaign) => sum + campaign.keywords.length, 0),
              ...blobAttributes(ref),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return ruleset;
      } catch (error) {
        await deleteBlob(this.doc, this.table, keys.rulesetBlob, ref);
        if (!isConditionFailed(error) || attempt >= MAX_PUBLISH_ATTEMPTS) throw error;
        version = ((await this.liveVersion()) ?? version) + 1;
      }
    }
  }

  async list(): Promise<RulesetSummary[]> {
    const summaries: RulesetSummary[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.rulesetHeads.pk, ':prefix': keys.rulesetHeads.skPrefix },
        ProjectionExpression: 'version, publishedAt, publishedBy, restoredFrom, campaigns, keywords',
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const summary: RulesetSummary = {
          version: Number(item.version),
          publishedAt: String(item.publishedAt),
          publishedBy: String(item.publishedBy),
          campaigns: Number(item.campaigns),
          keywords: Number(item.keywords),
        };
        if (typeof item.restoredFrom === 'number') summary.restoredFrom = item.restoredFrom;
        summaries.push(summary);
      }
    }
    return summaries;
  }
}
