/**
 * The house construct's secret bindings on their own: the extension must be there before a secret can be bound,
 * and a secret is granted GetSecretValue alone, on itself alone.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { SignpostFunction, type SignpostFunctionProps } from '../../infra/constructs/signpost-function.js';

const PROPS: SignpostFunctionProps = {
  entry: 'functions/lambda/admin-sign-up-guard.ts',
  description: 'test',
  serviceName: 'signpost-test',
  metricsNamespace: 'Signpost/test',
  memorySize: 256,
  timeout: Duration.seconds(5),
  reservedConcurrency: 1,
  logRetention: RetentionDays.ONE_DAY,
  logLevel: 'INFO',
  ephemeral: true,
};

function stack() {
  // No bundling: these tests are about the template, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  return new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('SignpostFunction secrets', () => {
  it('refuses to bind a parameter or a secret without the Parameters and Secrets extension', () => {
    const s = stack();
    const fn = new SignpostFunction(s, 'Fn', PROPS);

    expect(() => fn.bindSecureParameter('/x/y', 'X_PARAMETER')).toThrow(
      'X_PARAMETER is read through the Parameters and Secrets extension: set readsSecrets',
    );
    expect(() => fn.bindSecret(new Secret(s, 'S'), 'X_SECRET_ID')).toThrow(/set readsSecrets/);
  });

  it('refuses a secret under a customer managed key, which GetSecretValue alone cannot decrypt', () => {
    const s = stack();
    const fn = new SignpostFunction(s, 'Fn', { ...PROPS, readsSecrets: true });
    const secret = new Secret(s, 'S', { encryptionKey: new Key(s, 'K') });

    expect(() => fn.bindSecret(secret, 'X_SECRET_ID')).toThrow(
      /aws\/secretsmanager key only, for X_SECRET_ID/,
    );
  });

  it('grants GetSecretValue on that one secret and names it by ARN, with the extension layer for the region', () => {
    const s = stack();
    const fn = new SignpostFunction(s, 'Fn', { ...PROPS, readsSecrets: true });
    fn.bindSecret(new Secret(s, 'S'), 'X_SECRET_ID');
    const template = Template.fromStack(s);
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];

    const [policy] = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual({
      Action: 'secretsmanager:GetSecretValue',
      Effect: 'Allow',
      Resource: { Ref: secretId },
    });
    const [lambda] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(lambda?.Properties.Environment.Variables.X_SECRET_ID).toEqual({ Ref: secretId });
    expect(lambda?.Properties.Layers).toEqual([
      expect.stringMatching(
        /^arn:aws:lambda:eu-west-1:\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/,
      ),
    ]);
  });
});
