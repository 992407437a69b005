/**
 * Composes the stacks of one stage and the cdk-nag checks. bin/app.ts calls this with the real App; tests call
 * it with their own App and a StageConfig of their choosing.
 */
import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { StageConfig } from './config.js';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { EdgeStack } from './stacks/edge-stack.js';

export interface SignpostStacks {
  readonly data: DataStack;
  readonly edge: EdgeStack;
  readonly api: ApiStack;
}

/** CloudFront web ACLs exist only in us-east-1. */
const EDGE_REGION = 'us-east-1';

export function addSignpostStacks(app: App, config: StageConfig): SignpostStacks {
  const prefix = `Signpost-${config.stage}`;
  const env = { account: config.account, region: config.region };
  const crossRegion = config.region !== EDGE_REGION;

  const data = new DataStack(app, `${prefix}-Data`, {
    env,
    config,
    description: `Signpost ${config.stage}: DynamoDB tables (stateful)`,
    terminationProtection: !config.ephemeral,
  });
  const edge = new EdgeStack(app, `${prefix}-Edge`, {
    env: { account: config.account, region: EDGE_REGION },
    config,
    description: `Signpost ${config.stage}: WAF web ACL for CloudFront (us-east-1)`,
    // Outside us-east-1 the web ACL's ARN reaches the API stack through CDK's cross-region references.
    crossRegionReferences: crossRegion,
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    config,
    configTable: data.configTable,
    statsTable: data.statsTable,
    webAclArn: edge.webAcl.attrArn,
    webAclMetricName: edge.webAclMetricName,
    description: `Signpost ${config.stage}: functions, HTTP API, CloudFront, Cognito, alarms`,
    crossRegionReferences: crossRegion,
  });

  for (const stack of [data, edge, api]) {
    Tags.of(stack).add('project', 'signpost');
    Tags.of(stack).add('stage', config.stage);
  }
  return { data, edge, api };
}

/** AwsSolutions and Serverless packs as validation plugins: an unacknowledged finding fails synthesis. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
