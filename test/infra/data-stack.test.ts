/**
 * The tables. cdk-nag's point-in-time-recovery rule only inspects the classic CfnTable, so for TableV2
 * (AWS::DynamoDB::GlobalTable) PITR, deletion protection and retention are asserted here.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readStageConfig } from '../../infra/config.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { PROD_CONTEXT, resourcesOfType } from './synth.js';

function dataTemplate(context: Record<string, unknown>): Template {
  const app = new App({ context, builtinCloudFormationValidation: false });
  const stack = new DataStack(app, 'Data', { config: readStageConfig(app, {}) });
  return Template.fromStack(stack);
}

const dev = dataTemplate({});
const prod = dataTemplate(PROD_CONTEXT);

const keySchema = [
  { AttributeName: 'pk', KeyType: 'HASH' },
  { AttributeName: 'sk', KeyType: 'RANGE' },
];

describe('data stack', () => {
  it('has exactly the config and stats tables, on demand, keyed by string pk and sk, expiring on expiresAt', () => {
    const tables = resourcesOfType(dev, 'AWS::DynamoDB::GlobalTable');

    expect(tables.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ConfigTable',
      'StatsTable',
    ]);
    for (const [, table] of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema,
        AttributeDefinitions: expect.arrayContaining([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    }
  });

  it('gives the config table the gsi1 audit index and a change stream; the stats table neither', () => {
    dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
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
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const withoutIndex = dev.findResources('AWS::DynamoDB::GlobalTable', {
      Properties: { GlobalSecondaryIndexes: Match.absent(), StreamSpecification: Match.absent() },
    });
    expect(Object.keys(withoutIndex)).toEqual([expect.stringMatching(/^StatsTable/)]);
  });

  it('enables point-in-time recovery on every replica of both tables, in every stage', () => {
    for (const template of [dev, prod]) {
      for (const [, table] of resourcesOfType(template, 'AWS::DynamoDB::GlobalTable')) {
        const replicas = table.Properties.Replicas as { PointInTimeRecoverySpecification?: unknown }[];
        expect(replicas.length).toBeGreaterThan(0);
        for (const replica of replicas) {
          expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        }
      }
    }
  });

  it('retains the tables with deletion protection outside ephemeral stages', () => {
    const tables = resourcesOfType(prod, 'AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(2);
    for (const [, table] of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      for (const replica of table.Properties.Replicas as { DeletionProtectionEnabled?: boolean }[]) {
        expect(replica.DeletionProtectionEnabled).toBe(true);
      }
    }
  });

  it('lets an ephemeral stage be destroyed with its stack', () => {
    for (const [, table] of resourcesOfType(dev, 'AWS::DynamoDB::GlobalTable')) {
      expect(table.DeletionPolicy).toBe('Delete');
      for (const replica of table.Properties.Replicas as { DeletionProtectionEnabled?: boolean }[]) {
        expect(replica.DeletionProtectionEnabled).toBe(false);
      }
    }
  });

  it('names no table: CloudFormation generates names, so stages and replacements never collide', () => {
    for (const [, table] of resourcesOfType(prod, 'AWS::DynamoDB::GlobalTable')) {
      expect(table.Properties.TableName).toBeUndefined();
    }
  });
});

describe('local table definitions', () => {
  it('match the deployed tables: keys, attribute types and indexes', async () => {
    const { tableDefinitions } = await import('../../functions/adapters/dynamodb/tables.js');
    const [config, stats] = tableDefinitions({ config: 'c', stats: 's' });
    const deployed = Object.fromEntries(
      resourcesOfType(dev, 'AWS::DynamoDB::GlobalTable').map(([id, table]) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        table,
      ]),
    );
    const shape = (definition: typeof config) => ({
      KeySchema: definition?.KeySchema,
      AttributeDefinitions: [...(definition?.AttributeDefinitions ?? [])].sort((a, b) =>
        String(a.AttributeName).localeCompare(String(b.AttributeName)),
      ),
      Indexes: (definition?.GlobalSecondaryIndexes ?? []).map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      })),
    });
    const deployedShape = (table: { Properties: Record<string, unknown> } | undefined) => ({
      KeySchema: table?.Properties.KeySchema,
      AttributeDefinitions: [
        ...((table?.Properties.AttributeDefinitions as { AttributeName: string }[]) ?? []),
      ].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
      Indexes: (table?.Properties.GlobalSecondaryIndexes as unknown[] | undefined) ?? [],
    });

    expect(shape(config)).toEqual(deployedShape(deployed.ConfigTable));
    expect(shape(stats)).toEqual(deployedShape(deployed.StatsTable));
  });
});
