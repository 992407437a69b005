/**
 * The esbuild settings of every Lambda bundle, in one place: the house construct maps them onto
 * NodejsFunction's bundling options and bench/bundles.ts hands them to esbuild's API, so the bench measures
 * exactly what deploys.
 */
import { join } from 'node:path';

/**
 * An ESM bundle of the AWS SDK fails at run time with `Dynamic require of "node:https"` unless `require`
 * exists in module scope: CommonJS dependencies inside the ESM bundle still call it.
 */
export const ESM_REQUIRE_BANNER =
  "import{createRequire}from'module';const require=createRequire(import.meta.url);";

export const LAMBDA_BUNDLE = {
  format: 'esm',
  platform: 'node',
  /** Matches Runtime.NODEJS_22_X: esbuild keeps syntax that Node 22 runs natively. */
  target: 'node22',
  /** ESM builds first: a Hono + DynamoDB bundle drops from 576 KB to 370 KB and imports about 40% faster. */
  mainFields: ['module', 'main'],
  minify: true,
  /**
   * External .map files, shipped but not loaded: the functions run without --enable-source-maps (it costs about
   * 60 ms of cold start); set NODE_OPTIONS=--enable-source-maps on a function while debugging to map stack
   * traces into functions/.
   */
  sourcemap: true,
  /** The map only needs positions; the source text would double its size for nothing at run time. */
  sourcesContent: false,
  /** Non-ASCII message strings stay readable and a little smaller than \u escapes. */
  charset: 'utf8',
  banner: ESM_REQUIRE_BANNER,
  /**
   * Nothing external: the AWS SDK is bundled rather than loaded from the runtime, which imported about 150 ms
   * faster here and pins the SDK version we test against.
   */
  external: [] as string[],
  /**
   * Module substitutions, relative to the repository root. Lambda hands a function its role's credentials in
   * environment variables, so the SDK's default credential chain (config files, SSO, web identity with its
   * nested STS and SSO clients, IMDS) is replaced by a reader of those variables: about 130 KB less to load.
   * DynamoDB has no event-stream operation, so the SDK's lazily imported event-stream codecs are replaced by a
   * stub that fails by name: about 20 KB less. The X-Ray SDK needs `semver` only to check the version of the v2
   * SDK, which we do not trace: a one-function stand-in saves about 28 KB. test/integration/lambda-bundled.test.ts
   * runs the bundled handlers against dynalite (the DynamoDB calls still work) and checks that nothing else
   * imports a stand-in.
   */
  alias: {
    '@aws-sdk/credential-provider-node': 'functions/lambda/shims/lambda-credentials.ts',
    '@smithy/core/event-streams': 'functions/lambda/shims/no-event-streams.ts',
    semver: 'functions/lambda/shims/semver-gte.ts',
  } as Record<string, string>,
} as const;

/**
 * LAMBDA_BUNDLE as esbuild's own build options, the way NodejsFunction passes them: for the benchmark
 * (bench/bundles.ts) and the test that runs the bundled handlers, so both see exactly what deploys.
 * `projectRoot` resolves the alias paths.
 */
export function lambdaEsbuildOptions(projectRoot: string, outfile: string) {
  return {
    bundle: true,
    outfile,
    format: LAMBDA_BUNDLE.format,
    platform: LAMBDA_BUNDLE.platform,
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    charset: LAMBDA_BUNDLE.charset,
    banner: { js: LAMBDA_BUNDLE.banner },
    external: [...LAMBDA_BUNDLE.external],
    alias: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE.alias).map(([module, replacement]) => [
        module,
        join(projectRoot, replacement),
      ]),
    ),
  };
}
