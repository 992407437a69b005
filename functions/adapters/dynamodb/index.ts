import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from './audit.js';
import { DynamoCampaignRepository } from './campaigns.js';
import type { TableNames } from './client.js';
import { DynamoPartnerRepository } from './partners.js';
import { DynamoRulesetRepository } from './rulesets.js';

export { createDocumentClient, type TableNames } from './client.js';
export { ensureTables } from './tables.js';

/** One repository per aggregate, all over the same document client. */
export function dynamoRepositories(doc: DynamoDBDocumentClient, tables: TableNames) {
  return {
    campaigns: new DynamoCampaignRepository(doc, tables.config),
    rulesets: new DynamoRulesetRepository(doc, tables.config),
    partners: new DynamoPartnerRepository(doc, tables.config),
    audit: new DynamoAuditLog(doc, tables.config),
  };
}
export { dynamoTokenKeySource } from './secrets.js';
export { DynamoCounterReader, type DynamoCounting, dynamoCounting } from './stats.js';
