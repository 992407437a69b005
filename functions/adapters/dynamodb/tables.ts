import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from './client.js';

/**
 * The table definitions for local use (the embedded dynalite or another endpoint). On AWS the CDK data stack
 * owns the tables; these must stay in step with infra/stacks/data-stack.ts.
 */
export function tableDefinitions(names: TableNames): CreateTableCommandInput[] {
  const keySchema = {
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' as const },
      { AttributeName: 'sk', AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' as const },
      { AttributeName: 'sk', KeyType: 'RANGE' as const },
    ],
    BillingMode: 'PAY_PER_REQUEST' as const,
  };
  return [
    {
      TableName: names.config,
      ...keySchema,
      AttributeDefinitions: [
        ...keySchema.AttributeDefinitions,
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
    { TableName: names.stats, ...keySchema },
  ];
}

/** Creates any missing table and waits until each is active. */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const definition of tableDefinitions(names)) {
    try {
      await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
      continue;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let i = 0; i < 100; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
