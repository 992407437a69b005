/**
 * Typed stage configuration: the one place the CDK app reads context (`cdk synth -c key=value`) and the
 * environment. Everything else in infra/ takes a StageConfig and never looks at process.env.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface CustomDomain {
  /** e.g. `help.example.org`; point a CNAME (or alias) at the distribution after the first deploy. */
  readonly domainName: string;
  /** An ACM certificate for `domainName` in us-east-1 (CloudFront only takes certificates from there). */
  readonly certificateArn: string;
}

export interface StageConfig {
  /** Lower-case name that prefixes every stack: `dev`, `prod`, `pr-42`. */
  readonly stage: string;
  /**
   * Ephemeral stages (dev, test, pr-N, sandbox-*) are thrown away with their data: tables and the user pool
   * are destroyed with the stack and carry no deletion protection. Every other stage retains them.
   */
  readonly ephemeral: boolean;
  /** Unset means an environment-agnostic synth that needs no AWS credentials. */
  readonly account: string | undefined;
  /** Where the tables, functions and API live. The WAF web ACL always lives in us-east-1. */
  readonly region: string;
  /** Cognito users created (and invited by email) on deploy; the only way in, since self sign-up is off. */
  readonly adminEmails: readonly string[];
  /** When set, the sign-up guard refuses any admin outside this domain (and the listed emails must match). */
  readonly adminEmailDomain: string | undefined;
  /** Subscribed to the alarm topic. Required outside ephemeral stages: an alarm nobody hears is noise. */
  readonly alarmEmail: string | undefined;
  /** Without it CloudFront serves on its default certificate, whose viewer TLS floor AWS sets (TLS 1.0). */
  readonly customDomain: CustomDomain | undefined;
  /** Name of the SSM SecureString with the impression-token HMAC key (the operator creates it once). */
  readonly tokenSecretParameterName: string;
  /** Cognito hosted-UI domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); globally unique. */
  readonly authDomainPrefix: string;
  readonly logRetention: RetentionDays;
  /** Reserved concurrency: caps the partner function and guarantees the admin function its share. */
  readonly partnerConcurrency: number;
  readonly adminConcurrency: number;
  /** Default route throttling of the HTTP API stage (requests per second, burst). */
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  /** WAF rate-based rules: requests per IP per 5 minutes, for browsers and for server-to-server partners. */
  readonly wafBrowserLimitPer5Min: number;
  readonly wafPartnerLimitPer5Min: number;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** Anything with `tryGetContext`: an App, or a plain object in tests. */
export interface ContextSource {
  node: { tryGetContext(key: string): unknown };
}

const EPHEMERAL_STAGE = /^(dev|test|pr-\d+|sandbox(-[a-z0-9-]+)?)$/;
const STAGE = /^[a-z][a-z0-9-]{1,20}$/;
const EMAIL = /^[^\s@,]+@([a-z0-9-]+\.)+[a-z]{2,}$/i;
const DOMAIN = /^([a-z0-9-]+\.)+[a-z]{2,}$/i;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/**
 * Reads the stage configuration. Each key comes from CDK context first (`-c adminEmails=a@x.org,b@x.org`),
 * then from the environment (`SIGNPOST_ADMIN_EMAILS`), then from a default. Throws on anything invalid,
 * naming the bad value, before a single construct is created.
 */
export function readStageConfig(
  app: ContextSource,
  env: Record<string, string | undefined> = process.env,
): StageConfig {
  const read = (key: string, envName: string): string | undefined => {
    const fromContext = app.node.tryGetContext(key);
    if (fromContext !== undefined && fromContext !== null && String(fromContext).trim() !== '') {
      return String(fromContext).trim();
    }
    const fromEnv = env[envName];
    return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv.trim() : undefined;
  };
  const readInt = (key: string, envName: string, fallback: number, min: number, max: number): number => {
    const raw = read(key, envName);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${key} must be an integer from ${min} to ${max}, got '${raw}'`);
    }
    return value;
  };

  const stage = read('stage', 'SIGNPOST_STAGE') ?? 'dev';
  if (!STAGE.test(stage)) {
    throw new Error(`stage must be 2-21 lower-case letters, digits or dashes, got '${stage}'`);
  }
  const ephemeralRaw = read('ephemeral', 'SIGNPOST_EPHEMERAL');
  if (ephemeralRaw !== undefined && ephemeralRaw !== 'true' && ephemeralRaw !== 'false') {
    throw new Error(`ephemeral must be 'true' or 'false', got '${ephemeralRaw}'`);
  }
  const ephemeral = ephemeralRaw === undefined ? EPHEMERAL_STAGE.test(stage) : ephemeralRaw === 'true';

  const region = read('region', 'SIGNPOST_REGION') ?? env.CDK_DEFAULT_REGION ?? 'us-east-1';
  if (!REGION.test(region)) throw new Error(`region must look like 'eu-west-1', got '${region}'`);
  const account = read('account', 'SIGNPOST_ACCOUNT') ?? env.CDK_DEFAULT_ACCOUNT;
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    throw new Error(`account must be 12 digits, got '${account}'`);
  }

  const adminEmails = (read('adminEmails', 'SIGNPOST_ADMIN_EMAILS') ?? '')
    .split(',')
    .map((email) => email.trim().toLowerCase())
    .filter((email) => email !== '');
  for (const email of adminEmails) {
    if (!EMAIL.test(email)) throw new Error(`adminEmails must be email addresses, got '${email}'`);
  }
  if (new Set(adminEmails).size !== adminEmails.length) {
    throw new Error(`adminEmails must not repeat an address, got '${adminEmails.join(',')}'`);
  }
  const adminEmailDomain = read('adminEmailDomain', 'SIGNPOST_ADMIN_EMAIL_DOMAIN')?.toLowerCase();
  if (adminEmailDomain !== undefined) {
    if (!DOMAIN.test(adminEmailDomain)) {
      throw new Error(`adminEmailDomain must be a domain such as 'example.org', got '${adminEmailDomain}'`);
    }
    const outside = adminEmails.find((email) => !email.endsWith(`@${adminEmailDomain}`));
    if (outside !== undefined) {
      throw new Error(`adminEmails must all be in adminEmailDomain '${adminEmailDomain}', got '${outside}'`);
    }
  }

  const alarmEmail = read('alarmEmail', 'SIGNPOST_ALARM_EMAIL');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new Error(`alarmEmail must be an email address, got '${alarmEmail}'`);
  }
  if (!ephemeral && alarmEmail === undefined) {
    throw new Error(`alarmEmail is required for the non-ephemeral stage '${stage}'`);
  }

  const domainName = read('domainName', 'SIGNPOST_DOMAIN_NAME');
  const certificateArn = read('certificateArn', 'SIGNPOST_CERTIFICATE_ARN');
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    throw new Error(
      `domainName and certificateArn go together, got domainName '${domainName ?? ''}' and certificateArn '${certificateArn ?? ''}'`,
    );
  }
  if (domainName !== undefined && !DOMAIN.test(domainName)) {
    throw new Error(`domainName must be a host name, got '${domainName}'`);
  }
  if (
    certificateArn !== undefined &&
    !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(certificateArn)
  ) {
    throw new Error(`certificateArn must be an ACM certificate in us-east-1, got '${certificateArn}'`);
  }
  if (!ephemeral && domainName === undefined) {
    // The default *.cloudfront.net certificate cannot enforce TLS 1.2; a retained stage must.
    throw new Error(`domainName and certificateArn are required for the non-ephemeral stage '${stage}'`);
  }

  const tokenSecretParameterName =
    read('tokenSecretParameterName', 'SIGNPOST_TOKEN_SECRET_PARAMETER') ?? `/signpost/${stage}/token-secret`;
  if (!/^\/[\w./-]+$/.test(tokenSecretParameterName)) {
    throw new Error(
      `tokenSecretParameterName must be an absolute SSM path, got '${tokenSecretParameterName}'`,
    );
  }
  const authDomainPrefix = read('authDomainPrefix', 'SIGNPOST_AUTH_DOMAIN_PREFIX') ?? `signpost-${stage}`;
  if (
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(authDomainPrefix) ||
    /aws|amazon|cognito/.test(authDomainPrefix)
  ) {
    throw new Error(
      `authDomainPrefix must be lower-case letters, digits and dashes without 'aws', 'amazon' or 'cognito', got '${authDomainPrefix}'`,
    );
  }

  const logLevel = (read('logLevel', 'SIGNPOST_LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!isLogLevel(logLevel)) {
    throw new Error(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }

  return {
    stage,
    ephemeral,
    account,
    region,
    adminEmails,
    adminEmailDomain,
    alarmEmail,
    customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
    tokenSecretParameterName,
    authDomainPrefix,
    // Ephemeral stages keep a week for debugging; retained stages a quarter, enough to recount fallback events.
    logRetention: ephemeral ? RetentionDays.ONE_WEEK : RetentionDays.THREE_MONTHS,
    partnerConcurrency: readInt(
      'partnerConcurrency',
      'SIGNPOST_PARTNER_CONCURRENCY',
      ephemeral ? 20 : 200,
      1,
      10_000,
    ),
    adminConcurrency: readInt('adminConcurrency', 'SIGNPOST_ADMIN_CONCURRENCY', ephemeral ? 2 : 10, 1, 1_000),
    apiRateLimit: readInt('apiRateLimit', 'SIGNPOST_API_RATE_LIMIT', ephemeral ? 50 : 1_000, 1, 100_000),
    apiBurstLimit: readInt('apiBurstLimit', 'SIGNPOST_API_BURST_LIMIT', ephemeral ? 100 : 2_000, 1, 100_000),
    wafBrowserLimitPer5Min: readInt('wafBrowserLimit', 'SIGNPOST_WAF_BROWSER_LIMIT', 600, 10, 2_000_000_000),
    wafPartnerLimitPer5Min: readInt(
      'wafPartnerLimit',
      'SIGNPOST_WAF_PARTNER_LIMIT',
      300_000,
      10,
      2_000_000_000,
    ),
    logLevel,
  };
}

function isLogLevel(value: string): value is StageConfig['logLevel'] {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
