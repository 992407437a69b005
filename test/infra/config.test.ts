import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readStageConfig } from '../../infra/config.js';
import { PROD_CONTEXT } from './synth.js';

const context = (values: Record<string, unknown>) => ({
  node: { tryGetContext: (key: string) => values[key] },
});

describe('readStageConfig', () => {
  it('defaults to an ephemeral, environment-agnostic dev stage in us-east-1', () => {
    const config = readStageConfig(context({}), {});

    expect(config).toMatchObject({
      stage: 'dev',
      ephemeral: true,
      account: undefined,
      region: 'us-east-1',
      adminEmails: [],
      alarmEmail: undefined,
      customDomain: undefined,
      tokenSecretParameterName: '/signpost/dev/token-secret',
      authDomainPrefix: 'signpost-dev',
      logRetention: RetentionDays.ONE_WEEK,
      logLevel: 'INFO',
    });
  });

  it('reads a retained stage from context, normalizing email lists', () => {
    const config = readStageConfig(
      context({ ...PROD_CONTEXT, adminEmails: ' Ana@Example.org , ben@example.org,' }),
      {},
    );

    expect(config.ephemeral).toBe(false);
    expect(config.adminEmails).toEqual(['ana@example.org', 'ben@example.org']);
    expect(config.customDomain).toEqual({
      domainName: PROD_CONTEXT.domainName,
      certificateArn: PROD_CONTEXT.certificateArn,
    });
    expect(config.logRetention).toBe(RetentionDays.THREE_MONTHS);
    expect(config.partnerConcurrency).toBeGreaterThan(config.adminConcurrency);
  });

  it('takes the environment when context is silent, and context over the environment', () => {
    const env = {
      SIGNPOST_STAGE: 'pr-42',
      SIGNPOST_ADMIN_EMAIL_DOMAIN: 'example.org',
      CDK_DEFAULT_ACCOUNT: '123456789012',
    };

    expect(readStageConfig(context({}), env)).toMatchObject({
      stage: 'pr-42',
      ephemeral: true,
      adminEmailDomain: 'example.org',
      account: '123456789012',
    });
    expect(readStageConfig(context({ stage: 'test' }), env).stage).toBe('test');
  });

  it('lets an explicit ephemeral flag override the stage name', () => {
    expect(
      readStageConfig(context({ ...PROD_CONTEXT, stage: 'dev', ephemeral: 'false' }), {}).ephemeral,
    ).toBe(false);
    expect(readStageConfig(context({ stage: 'demo', ephemeral: 'true' }), {}).ephemeral).toBe(true);
  });

  it.each([
    [{ stage: 'Prod' }, "stage must be 2-21 lower-case letters, digits or dashes, got 'Prod'"],
    [
      { adminEmails: 'ana@example.org,not-an-email' },
      "adminEmails must be email addresses, got 'not-an-email'",
    ],
    [{ adminEmails: 'a@x.org,a@x.org' }, 'adminEmails must not repeat an address'],
    [{ adminEmails: 'ana@other.org', adminEmailDomain: 'example.org' }, "got 'ana@other.org'"],
    [
      { stage: 'prod', domainName: 'h.example.org', certificateArn: PROD_CONTEXT.certificateArn },
      'alarmEmail is required',
    ],
    [{ stage: 'prod', alarmEmail: 'ops@example.org' }, 'domainName and certificateArn are required'],
    [{ domainName: 'h.example.org' }, 'domainName and certificateArn go together'],
    [
      { domainName: 'h.example.org', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' },
      'certificateArn must be an ACM certificate in us-east-1',
    ],
    [{ region: 'mars' }, "region must look like 'eu-west-1', got 'mars'"],
    [{ account: '42' }, "account must be 12 digits, got '42'"],
    [{ ephemeral: 'yes' }, "ephemeral must be 'true' or 'false', got 'yes'"],
    [{ partnerConcurrency: '0' }, "partnerConcurrency must be an integer from 1 to 10000, got '0'"],
    [{ authDomainPrefix: 'my-cognito-login' }, 'authDomainPrefix must be lower-case letters'],
    [{ tokenSecretParameterName: 'relative/name' }, 'tokenSecretParameterName must be an absolute SSM path'],
    [{ logLevel: 'loud' }, 'logLevel must be one of DEBUG, INFO, WARN, ERROR'],
  ])('rejects %j', (values, message) => {
    expect(() => readStageConfig(context(values), {})).toThrow(message);
  });
});
