/**
 * cdk-nag 3 (AwsSolutions and Serverless packs) over the whole app: no unacknowledged error or warning in
 * either kind of stage, every acknowledgement on exactly one CloudFormation resource with a written reason,
 * and the packs demonstrably active (a deliberately bad construct is reported).
 */
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { PROD_CONTEXT, synthSignpost } from './synth.js';

// The prod synth runs CDK's built-in CloudFormation validation too, exactly as `cdk synth` does.
const prod = synthSignpost(PROD_CONTEXT, { cfnValidation: true });
const dev = synthSignpost({});
afterAll(() => {
  prod.cleanup();
  dev.cleanup();
});

/** Rule ids we accept somewhere, each with its reason in the code next to the resource. Review additions. */
const ACCEPTED_RULES = new Set([
  'AwsSolutions-APIG4',
  'AwsSolutions-L1',
  'Serverless-LambdaLatestVersion',
  'Serverless-LambdaDLQ',
  'Serverless-LambdaAsyncFailureDestination',
  'AwsSolutions-IAM5[Resource::*]',
  'AwsSolutions-CFR1',
  'AwsSolutions-CFR3',
  'AwsSolutions-CFR4',
  // The origin-verify secret: see the reason in infra/stacks/api-stack.ts (rotation needs CloudFront and the
  // functions to change together).
  'AwsSolutions-SMG4',
  'AwsSolutions-SQS3',
  'Serverless-SQSRedrivePolicy',
]);

interface Acknowledgement {
  path: string;
  rule: string;
  reason: string;
  node: IConstruct;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: node.node.path, rule: rule.replace(/^annotation::/i, ''), reason, node });
      }
    }
  }
  return found;
}

describe.each([
  ['prod', prod],
  ['dev', dev],
])('cdk-nag on the %s stage', (_stage, synthesized) => {
  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s reports no unacknowledged error or warning', (_pack, pack) => {
    const report = pack().validateScope(synthesized.app);

    expect(
      report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges each rule on one CloudFormation resource, with a reason, and only accepted rules', () => {
    const acks = acknowledgements(synthesized.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(
        CfnResource.isCfnResource(ack.node),
        `${ack.rule} on ${ack.path} must sit on a CfnResource`,
      ).toBe(true);
      expect(Stack.isStack(ack.node)).toBe(false);
      expect(ack.reason.length, `${ack.rule} on ${ack.path} needs a reason`).toBeGreaterThan(40);
      expect(ACCEPTED_RULES.has(ack.rule), `${ack.rule} on ${ack.path} is not an accepted rule`).toBe(true);
    }
  });

  it('records no synthesis annotation error or warning', () => {
    const messages = synthesized.assembly.stacks.flatMap((stack) =>
      stack.messages
        .filter((m) => m.level !== 'info')
        .map((m) => `${m.level} ${m.id}: ${String(m.entry.data)}`),
    );
    expect(messages).toEqual([]);
  });
});

describe('cdk-nag itself', () => {
  it('is active: an unencrypted queue without TLS or a dead-letter queue is reported', () => {
    const app = new App();
    new Queue(new Stack(app, 'Bad'), 'Queue');

    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('acknowledges the certificate finding only on an ephemeral stage without a custom domain', () => {
    const cfr4 = (s: typeof prod) =>
      acknowledgements(s.app).filter((ack) => ack.rule === 'AwsSolutions-CFR4');
    expect(cfr4(prod)).toEqual([]);
    expect(cfr4(dev)).toHaveLength(1);
  });
});
