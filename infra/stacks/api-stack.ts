/**
 * The stateless stack: the functions, the HTTP API, CloudFront and WAF in front of it, the admin identity,
 * and the alarms. Everything here can be destroyed and recreated without losing data, except the Cognito
 * users (retained outside ephemeral stages).
 *
 *   viewer ──TLS 1.2+──> CloudFront (+ WAF) ──> HTTP API ──┬─ partner routes ──> PartnerApi function
 *                                                           └─ /admin/v1/* (JWT) ──> AdminApi function
 *
 * The HTTP API's own execute-api address cannot be switched off while it is CloudFront's origin, so CloudFront
 * sends a secret header (X-Origin-Verify) and both functions refuse requests without it: nobody gets around
 * the WAF by calling API Gateway directly.
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnRoute,
  HttpApi,
  type HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  type CfnDistribution,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  CfnUserPoolUser,
  CfnUserPoolUserToGroupAttachment,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Operation, type TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { Monitoring } from '../constructs/monitoring.js';
import { SignpostFunction, type TableAction } from '../constructs/signpost-function.js';
import { AUDIT_INDEX } from './data-stack.js';

/** The OAuth scope every /admin/v1/* route requires, as it appears in the access token's `scope` claim. */
export const ADMIN_SCOPE = 'signpost/admin';

/**
 * What each function may do to each table: the grants below and the reviewed table in infra/permissions.json
 * must agree (test/infra/permissions.test.ts holds them to it). The partner function reads configuration
 * and counts events; it cannot write, let alone delete, a campaign.
 */
export const TABLE_ACCESS = {
  partner: {
    // The live-version pointer, ruleset chunks and partners by key hash: point reads and queries.
    config: ['GetItem', 'Query'],
    // Counters are conditional ADDs and dedup marks conditional updates: UpdateItem only.
    stats: ['UpdateItem'],
  },
  admin: {
    // Campaigns, drafts, published versions, partners and the audit trail (written with each change).
    config: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
    // Reports sum the counters.
    stats: ['Query'],
  },
} as const satisfies Record<string, Record<'config' | 'stats', readonly TableAction[]>>;

/** Public partner routes (authenticated in the app by partner key: an HTTP API has no API keys). */
export const PARTNER_ROUTES = [
  'POST /v1/match',
  'POST /v1/banner',
  'POST /v1/events',
  'GET /v1/rules',
  // Browsers preflight the widget's cross-origin POSTs (it sends X-Site-Key); the app answers per partner origin.
  'OPTIONS /v1/match',
  'OPTIONS /v1/banner',
  'OPTIONS /v1/events',
  'GET /widget/{proxy+}',
  'GET /widget.js',
  'GET /healthz',
] as const;

/**
 * Public routes of the admin function: the admin page (its HTML shell, /admin/config.json and hashed
 * /admin/assets/*; the data behind it is not public) and the OpenAPI document, generated from the whole app
 * there so the partner bundle carries no admin schemas. `/admin/v1/{proxy+}` is more specific than
 * `/admin/{proxy+}`, so API Gateway never routes an admin API call here.
 */
export const ADMIN_PUBLIC_ROUTES = ['GET /admin', 'GET /admin/{proxy+}', 'GET /openapi.json'] as const;
/** Every admin API method, each behind the JWT authorizer with ADMIN_SCOPE. */
export const ADMIN_API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The header CloudFront adds to every request to the API origin; functions/lambda/origin-verify.ts checks it. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';
/** The variable naming the secret with its value, on every function behind CloudFront. */
export const ORIGIN_VERIFY_ENV = 'ORIGIN_VERIFY_SECRET_ID';

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly configTable: TableV2;
  readonly statsTable: TableV2;
  /** From the EdgeStack (us-east-1). */
  readonly webAclArn: string;
  readonly webAclMetricName: string;
}

export class ApiStack extends Stack {
  readonly partnerFunction: SignpostFunction;
  readonly adminFunction: SignpostFunction;
  readonly signUpGuard: SignpostFunction;
  readonly httpApi: HttpApi;
  readonly distribution: Distribution;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly monitoring: Monitoring;
  readonly originVerifySecret: Secret;
  private readonly customDomain: boolean;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.customDomain = config.customDomain !== undefined;
    const metricsNamespace = `Signpost/${config.stage}`;
    const common = {
      metricsNamespace,
      logRetention: config.logRetention,
      logLevel: config.logLevel,
      ephemeral: config.ephemeral,
    };

    // The value CloudFront puts in X-Origin-Verify: generated by Secrets Manager, so it appears in the template
    // only as a dynamic reference. Nothing outside this stack uses it; a new stack makes a new one.
    this.originVerifySecret = new Secret(this, 'OriginVerifySecret', {
      description: `Signpost ${config.stage}: the X-Origin-Verify value CloudFront sends to the HTTP API`,
      // Letters and digits only: safe in a header value; 48 of them are about 285 bits.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // ── Functions ────────────────────────────────────────────────────────────────────────────────────
    this.partnerFunction = new SignpostFunction(this, 'PartnerApi', {
      ...common,
      entry: 'functions/lambda/partner.ts',
      description: 'Signpost public partner API: match, banner, events, rules, widget',
      serviceName: 'signpost-partner',
      // 1769 MB is one full vCPU. Matching and the cold-start decompress + compile of a 100,000-keyword
      // ruleset are single-threaded CPU work, so this is where latency stops improving; less memory means
      // a fraction of a vCPU and a slower first answer, more buys cores it cannot use.
      memorySize: 1769,
      // A match answers in milliseconds and a counter write has its own small budget; 10 s only covers a
      // cold start that loads the ruleset while DynamoDB is slow. Anything longer is a fault to alarm on.
      timeout: Duration.seconds(10),
      reservedConcurrency: config.partnerConcurrency,
      // The token secret and the origin-verify secret, through the extension instead of SDK clients in the bundle.
      readsSecrets: true,
      bundledFiles: [
        {
          // The widget script ships inside the partner bundle; the entry reads ./widget/v1.js at cold start.
          from: 'dist/widget/v1.js',
          to: 'widget/v1.js',
          buildCommand: 'node_modules/.bin/tsx widget/build.ts',
        },
      ],
    });
    this.partnerFunction.bindTable(props.configTable, {
      env: 'CONFIG_TABLE_NAME',
      actions: TABLE_ACCESS.partner.config,
    });
    this.partnerFunction.bindTable(props.statsTable, {
      env: 'STATS_TABLE_NAME',
      actions: TABLE_ACCESS.partner.stats,
    });
    this.partnerFunction.bindSecureParameter(config.tokenSecretParameterName, 'TOKEN_SECRET_PARAMETER');
    this.partnerFunction.bindSecret(this.originVerifySecret, ORIGIN_VERIFY_ENV);

    this.adminFunction = new SignpostFunction(this, 'AdminApi', {
      ...common,
      entry: 'functions/lambda/admin.ts',
      description: 'Signpost admin API and admin page',
      serviceName: 'signpost-admin',
      // Publishing compiles and compresses the whole ruleset and CSV import parses large files: CPU-bound
      // but rare, so a bit over half a vCPU is enough.
      memorySize: 1024,
      // Publish writes every chunk of a large ruleset; allow up to the HTTP API's own 30 s limit.
      timeout: Duration.seconds(29),
      reservedConcurrency: config.adminConcurrency,
      // The origin-verify secret only; the admin function reads no other parameter or secret.
      readsSecrets: true,
      bundledFiles: [
        {
          // The admin page's built files; the entry reads ./admin/manifest.json at cold start.
          from: 'dist/admin',
          to: 'admin',
          directory: true,
          // Cleaned first: the build names files by content hash and never deletes old ones.
          buildCommand: 'rm -rf dist/admin && node_modules/.bin/tsx admin-ui/build.ts',
        },
      ],
    });
    this.adminFunction.bindTable(props.configTable, {
      env: 'CONFIG_TABLE_NAME',
      actions: TABLE_ACCESS.admin.config,
      queryIndexes: [AUDIT_INDEX],
    });
    this.adminFunction.bindTable(props.statsTable, {
      env: 'STATS_TABLE_NAME',
      actions: TABLE_ACCESS.admin.stats,
    });
    this.adminFunction.bindSecret(this.originVerifySecret, ORIGIN_VERIFY_ENV);

    this.signUpGuard = new SignpostFunction(this, 'AdminSignUpGuard', {
      ...common,
      entry: 'functions/lambda/admin-sign-up-guard.ts',
      description: 'Signpost: refuses admin users outside the allowed emails or domain',
      serviceName: 'signpost-admin-guard',
      // A string comparison per created user; the smallest size that cold-starts quickly.
      memorySize: 256,
      // Cognito waits at most 5 s for a trigger.
      timeout: Duration.seconds(5),
      reservedConcurrency: 1,
      environment: {
        ADMIN_EMAILS: config.adminEmails.join(','),
        ADMIN_EMAIL_DOMAIN: config.adminEmailDomain ?? '',
      },
    });

    // ── HTTP API ─────────────────────────────────────────────────────────────────────────────────────
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Signpost ${config.stage}`,
      // Our own $default stage below, with access logs and throttling.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      // Every route, unless it says otherwise. WAF limits single addresses; this caps the whole API so a
      // flood cannot run up the bill or starve the tables.
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const partnerIntegration = new HttpLambdaIntegration(
      'PartnerIntegration',
      this.partnerFunction.function,
      {
        // One invoke permission for the API instead of one per route.
        scopePermissionToRoute: false,
      },
    );
    const adminIntegration = new HttpLambdaIntegration('AdminIntegration', this.adminFunction.function, {
      scopePermissionToRoute: false,
    });

    // ── Admin identity ───────────────────────────────────────────────────────────────────────────────
    this.userPool = new UserPool(this, 'AdminUserPool', {
      userPoolName: undefined,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: Mfa.REQUIRED,
      // An authenticator app; no SMS, which can be intercepted and costs money per message.
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus: compromised-credential checks and adaptive authentication, enforced. A few admins cost cents.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: !config.ephemeral,
      removalPolicy: config.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      lambdaTriggers: { preSignUp: this.signUpGuard.function },
      userInvitation: {
        emailSubject: 'Your Signpost admin account',
        emailBody:
          'You are invited to administer Signpost. Sign in with {username} and the temporary password {####}, then set up an authenticator app.',
      },
    });
    const resourceServerScope = new ResourceServerScope({
      scopeName: 'admin',
      scopeDescription: 'Read and change campaigns, partners and reports',
    });
    const resourceServer = this.userPool.addResourceServer('AdminResourceServer', {
      identifier: ADMIN_SCOPE.split('/')[0] as string,
      scopes: [resourceServerScope],
    });
    const authDomain = this.userPool.addDomain('AdminAuthDomain', {
      cognitoDomain: { domainPrefix: config.authDomainPrefix },
    });
    const adminGroup = new CfnUserPoolGroup(this, 'AdminsGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: 'admins',
      description: 'Signpost admins',
    });
    for (const email of config.adminEmails) {
      const idPart = email.replace(/[^a-z0-9]+/gi, '-');
      const user = new CfnUserPoolUser(this, `Admin-${idPart}`, {
        userPoolId: this.userPool.userPoolId,
        username: email,
        userAttributes: [
          { name: 'email', value: email },
          { name: 'email_verified', value: 'true' },
        ],
        desiredDeliveryMediums: ['EMAIL'],
      });
      // Cognito calls the sign-up guard while creating the user: its invoke permission must exist first.
      user.node.addDependency(this.signUpGuard.function);
      new CfnUserPoolUserToGroupAttachment(this, `AdminGroup-${idPart}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: adminGroup.ref,
        username: user.ref,
      });
    }

    // ── Edge: CloudFront + WAF ───────────────────────────────────────────────────────────────────────
    const apiOrigin = new HttpOrigin(Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(30),
      // CloudFront replaces any viewer header of this name. The value is a {{resolve:secretsmanager:...}} dynamic
      // reference, resolved by CloudFormation at deploy time; it is never a literal in the template.
      customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originVerifySecret.secretValue.unsafeUnwrap() },
    });
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment:
        'HSTS, nosniff, no referrer: a visit to a help service must not leak through the Referer header',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: false },
      },
    });
    // The admin API needs the Authorization header, which CloudFront forwards on GET only when it is part of
    // the cache key. Keyed by it and capped at one second, nothing is shared between admins; the app answers
    // no-store anyway.
    const adminCachePolicy = new CachePolicy(this, 'AdminApiCachePolicy', {
      comment: 'Forward Authorization to the admin API; effectively no caching',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: { behavior: 'whitelist', headers: ['Authorization'] },
      queryStringBehavior: { behavior: 'all' },
      cookieBehavior: { behavior: 'none' },
    });
    const apiBehavior = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Everything the app reads (X-Api-Key, X-Site-Key, Origin, If-Match, If-None-Match, the body) but Host,
      // which API Gateway needs to be its own.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: securityHeaders,
    };
    /** Static files the app marks cacheable: served from the edge, without query strings or headers. */
    const staticBehavior = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      // The app sets a long Cache-Control on the script; edges then serve it without touching Lambda.
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: securityHeaders,
      compress: true,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Signpost ${config.stage}`,
      defaultBehavior: apiBehavior,
      additionalBehaviors: {
        '/widget/*': staticBehavior,
        '/widget.js': staticBehavior,
        // Content-hashed admin page files: cached at the edge for as long as the app says (a year).
        '/admin/assets/*': staticBehavior,
        '/admin/v1/*': { ...apiBehavior, cachePolicy: adminCachePolicy },
      },
      webAclId: props.webAclArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      // People at risk are everywhere; every edge location keeps the first byte close to them.
      priceClass: PriceClass.PRICE_CLASS_ALL,
      ...(config.customDomain
        ? {
            // Viewers get TLS 1.2 or newer; the policy only applies with our own certificate.
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
            domainNames: [config.customDomain.domainName],
            certificate: Certificate.fromCertificateArn(
              this,
              'Certificate',
              config.customDomain.certificateArn,
            ),
          }
        : {}),
      // No access logs: CloudFront's standard logs hold viewer IPs and full URLs, which this service must not
      // keep about the people it helps. API access logs (without IP) and metrics cover operations.
      enableLogging: false,
    });
    const publicBaseUrl = `https://${config.customDomain?.domainName ?? this.distribution.distributionDomainName}`;

    this.userPoolClient = this.userPool.addClient('AdminPageClient', {
      // A browser page: no client secret; authorization code with PKCE through the hosted UI.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [
          OAuthScope.OPENID,
          OAuthScope.EMAIL,
          OAuthScope.resourceServer(resourceServer, resourceServerScope),
        ],
        callbackUrls: [`${publicBaseUrl}/admin`],
        logoutUrls: [`${publicBaseUrl}/admin`],
      },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });

    const authorizer = new HttpUserPoolAuthorizer('AdminAuthorizer', this.userPool, {
      userPoolClients: [this.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });

    // ── Routes ───────────────────────────────────────────────────────────────────────────────────────
    const routeId = (key: string) =>
      `Route${key.replace(/\{proxy\+\}/g, 'Proxy').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`;
    const addRoute = (key: string, integration: HttpLambdaIntegration, scopes?: string[]) => {
      const [method, path] = key.split(' ') as [string, string];
      const route = new HttpRoute(this, routeId(key), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(path, method as HttpMethod),
        integration,
        ...(scopes ? { authorizer, authorizationScopes: scopes } : {}),
      });
      return route.node.defaultChild as CfnRoute;
    };
    const publicRoutes: CfnRoute[] = [];
    for (const key of PARTNER_ROUTES) publicRoutes.push(addRoute(key, partnerIntegration));
    for (const key of ADMIN_PUBLIC_ROUTES) publicRoutes.push(addRoute(key, adminIntegration));
    for (const method of ADMIN_API_METHODS)
      addRoute(`${method} /admin/v1/{proxy+}`, adminIntegration, [ADMIN_SCOPE]);
    // Anything else reaches the partner app, so unknown paths get the contract's JSON 404, not API Gateway's.
    const fallbackRoute = new HttpRoute(this, 'RouteDefault', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: partnerIntegration,
    });
    publicRoutes.push(fallbackRoute.node.defaultChild as CfnRoute);

    const adminEnv: Record<string, string> = {
      ADMIN_JWT_ISSUER: this.userPool.userPoolProviderUrl,
      // Cognito access tokens carry the app client id in `client_id` (they have no `aud` claim).
      ADMIN_JWT_AUDIENCE: this.userPoolClient.userPoolClientId,
      ADMIN_JWT_SCOPE: ADMIN_SCOPE,
      ADMIN_AUTH_URL: authDomain.baseUrl(),
      PUBLIC_BASE_URL: publicBaseUrl,
    };
    for (const [name, value] of Object.entries(adminEnv))
      this.adminFunction.function.addEnvironment(name, value);
    this.partnerFunction.function.addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);

    // ── Alarms and dashboard ─────────────────────────────────────────────────────────────────────────
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      ephemeral: config.ephemeral,
      alarmEmail: config.alarmEmail,
      metricsNamespace,
      api: this.httpApi,
      functions: [
        { label: 'PartnerApi', fn: this.partnerFunction, durationAlarmShare: 0.5 },
        { label: 'AdminApi', fn: this.adminFunction, durationAlarmShare: 0.8 },
        { label: 'AdminSignUpGuard', fn: this.signUpGuard, durationAlarmShare: 0.8 },
      ],
      tables: [
        {
          label: 'Config',
          table: props.configTable,
          operations: [
            Operation.GET_ITEM,
            Operation.QUERY,
            Operation.PUT_ITEM,
            Operation.UPDATE_ITEM,
            Operation.DELETE_ITEM,
          ],
        },
        { label: 'Stats', table: props.statsTable, operations: [Operation.UPDATE_ITEM, Operation.QUERY] },
      ],
      fallbackServices: ['signpost-partner'],
      appAlarms: [
        {
          metric: 'TokenSecretUnavailable',
          service: 'signpost-partner',
          threshold: 1,
          description:
            'a container could not read the impression-token key and signs with its own; its tokens will not count',
        },
        {
          metric: 'OriginSecretUnavailable',
          service: 'signpost-partner',
          threshold: 1,
          description: 'a container could not read the origin secret and lets requests in around CloudFront',
        },
        ...['signpost-partner', 'signpost-admin'].map((service) => ({
          metric: 'OriginRefused',
          service,
          // A few scanners find the execute-api URL; a sustained stream means CloudFront's secret does not match.
          threshold: 100,
          description:
            'many requests refused for a missing or wrong X-Origin-Verify; check the origin secret',
        })),
      ],
      webAclMetricName: props.webAclMetricName,
    });

    new CfnOutput(this, 'PublicUrl', {
      value: publicBaseUrl,
      description: 'Partner API, widget and admin page',
    });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
      description: 'Point the custom domain (CNAME or alias) here',
    });
    new CfnOutput(this, 'AdminSignInUrl', { value: `${publicBaseUrl}/admin` });

    this.acknowledgeNagFindings(publicRoutes);
  }

  /**
   * cdk-nag findings we accept, each on exactly one CloudFormation resource and with the reason. Anything
   * not listed here fails synthesis.
   */
  private acknowledgeNagFindings(publicRoutes: CfnRoute[]): void {
    const ack = (resource: Construct, id: string, reason: string) =>
      Validations.of(resource).acknowledge({ id, reason });

    for (const route of publicRoutes) {
      ack(
        route,
        'AwsSolutions-APIG4',
        'Public partner route: partners authenticate in the app with X-Api-Key or X-Site-Key plus Origin, since an HTTP API has no API keys; the widget and /healthz are public by design.',
      );
    }
    for (const fn of [this.partnerFunction, this.adminFunction, this.signUpGuard]) {
      const cfn = fn.cfnFunction;
      ack(
        cfn,
        'AwsSolutions-L1',
        'Pinned to Node.js 22, the runtime the code and its dependencies are tested on; moving to 24 is a deliberate upgrade.',
      );
      ack(
        cfn,
        'Serverless-LambdaLatestVersion',
        'Pinned to Node.js 22, the runtime the code and its dependencies are tested on; moving to 24 is a deliberate upgrade.',
      );
      ack(
        cfn,
        'Serverless-LambdaDLQ',
        'Invoked synchronously (API Gateway, Cognito): the caller gets the error; there is no asynchronous event to park.',
      );
      ack(
        cfn,
        'Serverless-LambdaAsyncFailureDestination',
        'Invoked synchronously (API Gateway, Cognito); never asynchronously.',
      );
      const policy = fn.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
      if (policy) {
        ack(
          policy as Construct,
          'AwsSolutions-IAM5[Resource::*]',
          'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; that statement is the only wildcard.',
        );
      }
    }
    ack(
      this.originVerifySecret.node.defaultChild as Construct,
      'AwsSolutions-SMG4',
      'Not rotated on a schedule: CloudFront gets the value only when CloudFormation updates the distribution and each function reads it once per container, so a scheduled rotation would make the functions refuse CloudFront traffic. The value is a shared check against bypassing the WAF, never sent to viewers; the README says how to replace it.',
    );
    const distribution = this.distribution.node.defaultChild as CfnDistribution;
    ack(
      distribution,
      'AwsSolutions-CFR1',
      'No geo restriction: help must reach people wherever they are, including where they were taken.',
    );
    ack(
      distribution,
      'AwsSolutions-CFR3',
      'No CloudFront access logs: they record viewer IPs and URLs of people seeking help. API access logs without IP cover operations.',
    );
    if (!this.customDomain) {
      ack(
        distribution,
        'AwsSolutions-CFR4',
        'Ephemeral stage on the default *.cloudfront.net certificate, whose TLS floor AWS sets; stage config refuses a retained stage without a custom domain and TLSv1.2_2021.',
      );
    }
  }
}

/**
 * The access log line: enough to trace a request and its latency, and nothing about who sent it or what they
 * searched for. No source IP, no user agent, no path or query string (a malformed request could put text
 * there), no authorizer claims (an admin's email).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  error: '$context.error.message',
} as const;
