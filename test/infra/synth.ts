/**
 * Synthesizes the Signpost app for a stage the way `cdk synth` does (cdk.json's feature flags, the cdk-nag
 * packs as validation plugins), with knobs that keep tests fast: bundling is skipped unless a test is about
 * the bundle, and CDK's built-in CloudFormation schema validation (about 7 s per synth) runs only where asked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { readStageConfig, type StageConfig } from '../../infra/config.js';
import { PROJECT_ROOT } from '../../infra/constructs/signpost-function.js';
import { addNagChecks, addSignpostStacks, type SignpostStacks } from '../../infra/signpost.js';

export const PROD_CONTEXT = {
  stage: 'prod',
  alarmEmail: 'ops@example.org',
  adminEmails: 'ana@example.org,ben@example.org',
  adminEmailDomain: 'example.org',
  domainName: 'help.example.org',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-111122223333',
} as const;

export interface SynthOptions {
  /** Bundle the functions with esbuild (slow: about 5 s a function). */
  bundle?: boolean;
  /** Run CDK's built-in CloudFormation validation, as `cdk synth` does. */
  cfnValidation?: boolean;
}

export interface Synthesized {
  app: App;
  config: StageConfig;
  stacks: SignpostStacks;
  assembly: CloudAssembly;
  data: Template;
  edge: Template;
  api: Template;
  /** Removes the temporary cloud assembly directory. */
  cleanup(): void;
}

export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
}

export function synthSignpost(
  context: Record<string, unknown> = {},
  options: SynthOptions = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'signpost-cdk-'));
  const app = new App({
    outdir,
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  // No environment: what the test passes is all the configuration there is.
  const config = readStageConfig(app, {});
  const stacks = addSignpostStacks(app, config);
  addNagChecks(app);
  const assembly = app.synth();
  return {
    app,
    config,
    stacks,
    assembly,
    data: Template.fromStack(stacks.data),
    edge: Template.fromStack(stacks.edge),
    api: Template.fromStack(stacks.api),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Resources of one type in a template, as [logicalId, resource] pairs. */
export function resourcesOfType(
  template: Template,
  type: string,
): [string, { Properties: Record<string, unknown>; [key: string]: unknown }][] {
  return Object.entries(template.findResources(type)) as [
    string,
    { Properties: Record<string, unknown>; [key: string]: unknown },
  ][];
}
