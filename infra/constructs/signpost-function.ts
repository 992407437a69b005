/**
 * The house Lambda construct: NodejsFunction with the defaults every Signpost function shares (Node.js 22
 * on ARM64, one ESM bundle with the AWS SDK inside, source maps, X-Ray, JSON logs into an explicit log group
 * with retention, reserved concurrency) and a role that starts empty. Permissions are added only through
 * `bindTable`, `bindSecureParameter` and `bindSecret`, which set the environment variable and the grant in the
 * same call, so a function can never read a table it was not granted or be granted one it does not read.
 * Secrets are read through the AWS Parameters and Secrets Lambda Extension (a layer, on `readsSecrets`), so
 * no SDK client for SSM or Secrets Manager ships in a bundle.
 */
import * as path from 'node:path';
import { Arn, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  type CfnFunction,
  LoggingFormat,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLE } from './bundling.js';

/** The repository root: entries, the lock file and dist/ are found from here, wherever `cdk` runs. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** DynamoDB item actions a function may be granted; anything else (table admin, Scan, PartiQL) is not. */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem';

export interface TableBinding {
  /** The environment variable that carries the table name. */
  readonly env: string;
  readonly actions: readonly TableAction[];
  /** Global secondary indexes the function queries (Query only; no wildcard over all indexes). */
  readonly queryIndexes?: readonly string[];
}

/** A file or directory copied next to the bundled handler, e.g. the built widget script. */
export interface BundledFile {
  /** Relative to the repository root. */
  readonly from: string;
  /** Relative to the bundle root (the handler's directory at /var/task). */
  readonly to: string;
  /** Copy the directory `from` (its contents) into `to`. */
  readonly directory?: boolean;
  /** Run from the repository root before bundling, to build `from` on a fresh clone. */
  readonly buildCommand?: string;
}

/**
 * How the functions run the Parameters and Secrets extension. They read each value once per container, during
 * init, and keep it (functions/lambda/extension-secrets.ts), so the extension's cache would only keep a second
 * copy of the secrets, in another process, for reads that never come: it is off, its size and TTLs zero.
 * Its calls to SSM and Secrets Manager get a timeout (the default is none), shorter than the function's own
 * 3 s deadline, so a hung call is retried once rather than eating the whole cold start. Warnings and errors
 * only in the function's log group.
 */
export const PARAMS_AND_SECRETS = {
  version: ParamsAndSecretsVersions.V1_0_103,
  options: {
    cacheEnabled: false,
    cacheSize: 0,
    parameterStoreTtl: Duration.seconds(0),
    secretsManagerTtl: Duration.seconds(0),
    parameterStoreTimeout: Duration.seconds(1),
    secretsManagerTimeout: Duration.seconds(1),
    logLevel: ParamsAndSecretsLogLevel.WARN,
  },
} as const;

export interface SignpostFunctionProps {
  /** Relative to the repository root, e.g. `functions/lambda/partner.ts`. */
  readonly entry: string;
  readonly description: string;
  /** POWERTOOLS_SERVICE_NAME, and the `service` dimension of every metric the function emits. */
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /** Chosen per function, with the reason next to the choice. */
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly reservedConcurrency: number;
  readonly logRetention: RetentionDays;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Ephemeral stages drop their log groups with the stack; others keep them. */
  readonly ephemeral: boolean;
  readonly environment?: Record<string, string>;
  readonly bundledFiles?: readonly BundledFile[];
  /**
   * Attach the Parameters and Secrets extension: required by `bindSecureParameter` and `bindSecret`. Off
   * otherwise, since the extension is one more process to start on every cold start.
   */
  readonly readsSecrets?: boolean;
}

export class SignpostFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private readonly readsSecrets: boolean;

  constructor(scope: Construct, id: string, props: SignpostFunctionProps) {
    super(scope, id);
    if (!/^functions\/lambda\/[\w-]+\.ts$/.test(props.entry)) {
      throw new Error(`entry must be a file in functions/lambda/, got '${props.entry}'`);
    }
    if (props.memorySize < 128 || props.memorySize > 10_240) {
      throw new Error(`memorySize must be 128..10240 MB, got ${props.memorySize}`);
    }
    if (props.timeout.toSeconds() > 29) {
      // API Gateway HTTP APIs give up after 30 s; a longer function timeout would only bill for lost answers.
      throw new Error(
        `timeout must be at most 29 seconds behind an HTTP API, got ${props.timeout.toSeconds()}`,
      );
    }
    if (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 1) {
      throw new Error(`reservedConcurrency must be a positive integer, got ${props.reservedConcurrency}`);
    }

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    // Our own role instead of the default one with AWSLambdaBasicExecutionRole: that managed policy allows
    // logs:CreateLogGroup and writing to every log group in the account; this role writes to one.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName}: only what bindTable/bindSecureParameter grant`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.readsSecrets = props.readsSecrets ?? false;
    const files = props.bundledFiles ?? [];
    const commandHooks: ICommandHooks = {
      beforeBundling: (inputDir) =>
        files.flatMap((file) => (file.buildCommand ? [`cd "${inputDir}" && ${file.buildCommand}`] : [])),
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) =>
        files.flatMap((file) =>
          file.directory
            ? [
                `mkdir -p "${path.posix.join(outputDir, file.to)}"`,
                `cp -R "${path.posix.join(inputDir, file.from)}/." "${path.posix.join(outputDir, file.to)}/"`,
              ]
            : [
                `mkdir -p "${path.posix.join(outputDir, path.posix.dirname(file.to))}"`,
                `cp "${path.posix.join(inputDir, file.from)}" "${path.posix.join(outputDir, file.to)}"`,
              ],
        ),
    };

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      // Node.js 22 is what the code is tested on (locally Node 20 and 22 both run it).
      runtime: Runtime.NODEJS_22_X,
      // Graviton: about 20% cheaper per GB-second than x86, and nothing here is native code.
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: SystemLogLevel.INFO,
      tracing: Tracing.ACTIVE,
      ...(this.readsSecrets
        ? {
            paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(
              PARAMS_AND_SECRETS.version,
              PARAMS_AND_SECRETS.options,
            ),
          }
        : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        LOG_LEVEL: props.logLevel,
        // Belt and braces: the event holds the search query, which must never reach a log line or a trace.
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        // No NODE_OPTIONS=--enable-source-maps: Node then reads and parses the bundle's whole .map as it loads
        // it, about 60 ms of every partner cold start (bench/bundles.ts), for stack traces the functions never
        // log (errors are logged by name). Add it to one function by hand while debugging; the .map is there.
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: LAMBDA_BUNDLE.sourcemap,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        banner: LAMBDA_BUNDLE.banner,
        externalModules: [...LAMBDA_BUNDLE.external],
        bundleAwsSDK: true,
        esbuildArgs: {
          '--charset': LAMBDA_BUNDLE.charset,
          '--alias': Object.entries(LAMBDA_BUNDLE.alias).map(
            ([module, replacement]) => `${module}=${path.join(PROJECT_ROOT, replacement)}`,
          ),
        },
        logLevel: LogLevel.WARNING,
        // Local esbuild from node_modules only: synth works offline, on a fresh clone, without Docker.
        forceDockerBundling: false,
        commandHooks,
      },
    });
  }

  /** The function's CloudFormation resource, for acknowledging a cdk-nag rule on exactly this resource. */
  get cfnFunction(): CfnFunction {
    return this.function.node.defaultChild as CfnFunction;
  }

  /** Sets `binding.env` to the table's name and grants exactly `binding.actions` on it (and Query on the named indexes). */
  bindTable(table: ITableV2, binding: TableBinding): void {
    if (binding.actions.length === 0) {
      throw new Error(`bindTable needs at least one action for ${binding.env}`);
    }
    this.function.addEnvironment(binding.env, table.tableName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...new Set(binding.actions)].sort().map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
      }),
    );
    const indexes = binding.queryIndexes ?? [];
    if (indexes.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
  }

  /**
   * Sets `env` to the name of an SSM SecureString parameter and grants ssm:GetParameter on that one
   * parameter (the extension calls it with the function's role). The value never enters the template or the
   * environment: the function reads it at run time. No kms:Decrypt grant: the AWS managed key aws/ssm lets
   * principals allowed to read the parameter decrypt it.
   */
  bindSecureParameter(parameterName: string, env: string): void {
    this.requireSecretsExtension(env);
    this.function.addEnvironment(env, parameterName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [
          Arn.format(
            { service: 'ssm', resource: 'parameter', resourceName: parameterName.replace(/^\//, '') },
            Stack.of(this),
          ),
        ],
      }),
    );
  }

  /**
   * Sets `env` to a Secrets Manager secret's ARN and grants secretsmanager:GetSecretValue on that one secret:
   * not `secret.grantRead`, which adds DescribeSecret the extension never calls. No kms:Decrypt grant for a
   * secret under the AWS managed key aws/secretsmanager; a customer managed key is refused rather than
   * silently left unreadable.
   */
  bindSecret(secret: ISecret, env: string): void {
    this.requireSecretsExtension(env);
    if (secret.encryptionKey !== undefined) {
      throw new Error(`bindSecret supports secrets under the aws/secretsmanager key only, for ${env}`);
    }
    this.function.addEnvironment(env, secret.secretArn);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
  }

  private requireSecretsExtension(env: string): void {
    if (!this.readsSecrets) {
      throw new Error(`${env} is read through the Parameters and Secrets extension: set readsSecrets`);
    }
  }
}
