/**
 * Cognito pre sign-up trigger for the admin user pool. Self sign-up is off, so the only way a user appears is
 * an operator's AdminCreateUser (or the deploy creating the configured admins); this refuses any address that
 * is neither listed in ADMIN_EMAILS nor inside ADMIN_EMAIL_DOMAIN, so a typo or a stray console click cannot
 * make an outsider an admin. With neither set, it refuses everyone.
 */
import type { PreSignUpTriggerEvent } from 'aws-lambda';

const allowedEmails = new Set(
  (process.env.ADMIN_EMAILS ?? '')
    .split(',')
    .map((email) => email.trim().toLowerCase())
    .filter((email) => email !== ''),
);
const allowedDomain = process.env.ADMIN_EMAIL_DOMAIN?.trim().toLowerCase() || undefined;

export function isAllowedAdmin(email: string | undefined): boolean {
  if (email === undefined) return false;
  const normalized = email.trim().toLowerCase();
  if (allowedEmails.has(normalized)) return true;
  return allowedDomain !== undefined && normalized.endsWith(`@${allowedDomain}`);
}

export const handler = async (event: PreSignUpTriggerEvent): Promise<PreSignUpTriggerEvent> => {
  if (event.triggerSource !== 'PreSignUp_AdminCreateUser') {
    throw new Error('Admins are created by an operator; sign-up is closed.');
  }
  if (!isAllowedAdmin(event.request.userAttributes.email)) {
    // The message reaches the operator who tried; the address itself is not logged.
    throw new Error('This email address is not on the allowed admin list or domain.');
  }
  return event;
};
