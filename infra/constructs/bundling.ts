/**
 * The esbuild settings of every Lambda bundle, in one place: the house construct maps them onto
 * NodejsFunction's bundling options and bench/bundles.ts hands them to esbuild's API, so the bench measures
 * exactly what deploys.
 */

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
  /** External .map files: stack traces point into functions/ once NODE_OPTIONS=--enable-source-maps is set. */
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
   */
  alias: {
    '@aws-sdk/credential-provider-node': 'functions/lambda/shims/lambda-credentials.ts',
  } as Record<string, string>,
} as const;
