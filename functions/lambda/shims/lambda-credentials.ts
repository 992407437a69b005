/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (an esbuild alias set in
 * infra/constructs/bundling.ts). Lambda always hands a function its execution role's credentials in
 * environment variables, so the SDK's default chain (shared config files, SSO, web identity, process, IMDS,
 * container endpoints) is dead weight there: about 85 KB of the bundle and its parse time. Running from
 * source (tests, the local server) keeps the real chain.
 */
/** The shape of the SDK's AwsCredentialIdentity, spelled out so this file imports nothing. */
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const defaultProvider = (_init?: unknown) => async (): Promise<Credentials> => {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; Lambda always sets them.');
  }
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
};
