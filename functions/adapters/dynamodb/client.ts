import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface TableNames {
  /** Campaigns, published rulesets, partners, key indexes, audit. */
  config: string;
  /** Hourly counters and event dedup marks. */
  stats: string;
}

/**
 * One document client per container (module scope on Lambda, one per local service). The endpoint comes from
 * `AWS_ENDPOINT_URL_DYNAMODB` (read by the SDK itself) or from `endpoint` for the embedded dynalite.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ maxAttempts: 3, ...config });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
