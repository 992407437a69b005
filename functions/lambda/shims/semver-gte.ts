/**
 * Stands in for `semver` in the Lambda bundles only (an esbuild alias set in infra/constructs/bundling.ts). Its
 * one importer there is aws-xray-sdk-core's patcher for the v2 AWS SDK, which calls `semver.gte(AWS.VERSION,
 * '2.7.15')` in `captureAWS`; the functions trace v3 clients only (`captureAWSv3Client`), so the whole semver
 * package (about 28 KB, parsed on every cold start) bought nothing. test/integration/lambda-bundled.test.ts fails
 * if anything else starts importing it.
 */

/** `a >= b` for plain `major.minor.patch` versions; a pre-release or build suffix is ignored. */
export function gte(a: string, b: string): boolean {
  const parse = (version: string) =>
    version
      .replace(/^[v=\s]+/, '')
      .split(/[-+]/)[0]
      ?.split('.')
      .map((part) => Number.parseInt(part, 10) || 0) ?? [];
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}
