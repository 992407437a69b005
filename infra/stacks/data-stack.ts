/**
 * The stateful stack: the two DynamoDB tables. It changes rarely and is deployed apart from the API stack,
 * so replacing a function or the API can never touch the data. Construct IDs here are a contract: renaming
 * one replaces a table.
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.js';

/** Both tables' item expiry attribute (epoch seconds); DynamoDB deletes expired items within days. */
export const TTL_ATTRIBUTE = 'expiresAt';
/** The config table's one index, for browsing the audit trail by time. */
export const AUDIT_INDEX = 'gsi1';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

export class DataStack extends Stack {
  /** Campaigns, drafts, published ruleset versions, the live-version pointer, partners, key hashes, audit. */
  readonly configTable: TableV2;
  /** Sharded hourly counters (atomic ADD) and dedup marks for event tokens. */
  readonly statsTable: TableV2;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { ephemeral } = props.config;
    const retained = {
      // Ephemeral stages are thrown away whole; every other stage keeps its tables even if the stack goes.
      removalPolicy: ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      deletionProtection: !ephemeral,
      // 35 days of restore points: an admin's bad publish or a bug in a counter write can be undone.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // On demand: traffic follows search volume and news cycles, with long quiet stretches.
      billing: Billing.onDemand(),
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      timeToLiveAttribute: TTL_ATTRIBUTE,
    } as const;

    this.configTable = new TableV2(this, 'ConfigTable', {
      ...retained,
      globalSecondaryIndexes: [
        {
          indexName: AUDIT_INDEX,
          partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
        },
      ],
      // Changes to campaigns and partners as a stream: the hook for exporting the audit trail or fanning
      // out cache invalidation later, without a table migration. Costs nothing until something reads it.
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
    });

    this.statsTable = new TableV2(this, 'StatsTable', retained);
  }
}
