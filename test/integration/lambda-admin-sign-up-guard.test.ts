/**
 * The Cognito pre sign-up trigger (functions/lambda/admin-sign-up-guard.ts): only operator-created users whose
 * address is listed or inside the allowed domain become admins.
 */
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';

let handler: (event: PreSignUpTriggerEvent) => Promise<PreSignUpTriggerEvent>;

const event = (
  email: string | undefined,
  triggerSource = 'PreSignUp_AdminCreateUser',
): PreSignUpTriggerEvent =>
  ({
    version: '1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_TestPool',
    userName: email ?? 'nobody',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'CLIENT_ID_NOT_APPLICABLE' },
    triggerSource,
    request: { userAttributes: email ? { email } : {}, validationData: {} },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  }) as PreSignUpTriggerEvent;

beforeAll(async () => {
  process.env.ADMIN_EMAILS = 'ana@example.org, Outside.Helper@partner.example';
  process.env.ADMIN_EMAIL_DOMAIN = 'example.org';
  ({ handler } = await import('../../functions/lambda/admin-sign-up-guard.js'));
});

describe('admin sign-up guard', () => {
  it.each(['ana@example.org', 'BEN@Example.org', 'outside.helper@partner.example'])(
    'lets an operator create %s',
    async (email) => {
      const input = event(email);
      await expect(handler(input)).resolves.toBe(input);
    },
  );

  it.each([['mallory@example.com'], ['eve@notexample.org'], [undefined]])('refuses %s', async (email) => {
    await expect(handler(event(email))).rejects.toThrow('not on the allowed admin list or domain');
  });

  it('refuses self sign-up even for an allowed address', async () => {
    await expect(handler(event('ana@example.org', 'PreSignUp_SignUp'))).rejects.toThrow('sign-up is closed');
  });
});
