/**
 * The API stack, synthesized once for a retained stage (prod) and once for an ephemeral one (dev). Much of
 * this is what cdk-nag cannot see for an HTTP API: authorizers and scopes on the admin routes, the access log
 * format, default throttling.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_FIELDS,
  ADMIN_API_METHODS,
  ADMIN_PUBLIC_ROUTES,
  ADMIN_SCOPE,
  PARTNER_ROUTES,
} from '../../infra/stacks/api-stack.js';
import { PROD_CONTEXT, resourcesOfType, synthSignpost } from './synth.js';

const prod = synthSignpost(PROD_CONTEXT);
const dev = synthSignpost({});
afterAll(() => {
  prod.cleanup();
  dev.cleanup();
});

type Props = Record<string, unknown>;
const functionsOf = (template = prod.api) =>
  Object.fromEntries(
    resourcesOfType(template, 'AWS::Lambda::Function').map(([id, fn]) => [
      id.replace(/Function[0-9A-F]{8}$/, ''),
      { id, props: fn.Properties },
    ]),
  );
const envOf = (props: Props) => (props.Environment as { Variables: Record<string, unknown> }).Variables;
const logicalIdOf = (template: typeof prod.api, type: string, prefix: string) => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

describe('functions', () => {
  const fns = functionsOf();

  it('run Node.js 22 on ARM64 with X-Ray, JSON logs in their own log group, and reserved concurrency', () => {
    expect(Object.keys(fns).sort()).toEqual(['AdminApi', 'AdminSignUpGuard', 'PartnerApi']);
    for (const [name, { props }] of Object.entries(fns)) {
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: {
          LogFormat: 'JSON',
          LogGroup: { Ref: expect.stringMatching(new RegExp(`^${name}LogGroup`)) },
        },
      });
      expect(props.ReservedConcurrentExecutions).toEqual(expect.any(Number));
      expect(props.MemorySize).toEqual(expect.any(Number));
      expect(props.Timeout).toEqual(expect.any(Number));
    }
  });

  it('size the partner API for one full vCPU and a short timeout; the admin API for long publishes', () => {
    expect(fns.PartnerApi?.props).toMatchObject({
      MemorySize: 1769,
      Timeout: 10,
      ReservedConcurrentExecutions: 200,
    });
    expect(fns.AdminApi?.props).toMatchObject({
      MemorySize: 1024,
      Timeout: 29,
      ReservedConcurrentExecutions: 10,
    });
    expect(functionsOf(dev.api).PartnerApi?.props.ReservedConcurrentExecutions).toBe(20);
  });

  it('keep every log group with a retention, and retain them outside ephemeral stages', () => {
    for (const [template, retention, policy] of [
      [prod.api, 90, 'Retain'],
      [dev.api, 7, 'Delete'],
    ] as const) {
      const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
      expect(groups).toHaveLength(4);
      for (const [, group] of groups) {
        expect(group.Properties.RetentionInDays).toBe(retention);
        expect(group.DeletionPolicy).toBe(policy);
      }
    }
  });

  it('configure Powertools, never log the event and never capture responses', () => {
    for (const { props } of Object.values(fns)) {
      expect(envOf(props)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^signpost-/),
        POWERTOOLS_METRICS_NAMESPACE: 'Signpost/prod',
        LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      });
      // --enable-source-maps would parse each bundle's whole .map on every cold start.
      expect(envOf(props).NODE_OPTIONS).toBeUndefined();
    }
  });

  it('give the partner API its tables and the name, never the value, of the token secret', () => {
    const env = envOf(fns.PartnerApi?.props ?? {});
    expect(env.CONFIG_TABLE_NAME).toEqual({ 'Fn::ImportValue': expect.stringContaining('ConfigTable') });
    expect(env.STATS_TABLE_NAME).toEqual({ 'Fn::ImportValue': expect.stringContaining('StatsTable') });
    expect(env.TOKEN_SECRET_PARAMETER).toBe('/signpost/prod/token-secret');
    expect(Object.keys(env).filter((key) => key.startsWith('ADMIN_'))).toEqual([]);
  });

  it('give the admin API the Cognito issuer, client and scope it checks tokens against', () => {
    const env = envOf(fns.AdminApi?.props ?? {});
    const pool = logicalIdOf(prod.api, 'AWS::Cognito::UserPool', 'AdminUserPool');
    const client = logicalIdOf(prod.api, 'AWS::Cognito::UserPoolClient', 'AdminUserPoolAdminPageClient');
    expect(env).toMatchObject({
      ADMIN_JWT_ISSUER: { 'Fn::GetAtt': [pool, 'ProviderURL'] },
      ADMIN_JWT_AUDIENCE: { Ref: client },
      ADMIN_JWT_SCOPE: ADMIN_SCOPE,
      PUBLIC_BASE_URL: 'https://help.example.org',
    });
    expect(env.TOKEN_SECRET_PARAMETER).toBeUndefined();
  });

  it('hold no secret in any environment variable', () => {
    for (const { props } of Object.values(fns)) {
      for (const [key, value] of Object.entries(envOf(props))) {
        // Names of secrets (…_SECRET_PARAMETER, …_SECRET_ID) and the extension's settings are fine.
        expect(key).not.toMatch(/SECRET(?!_PARAMETER$|_ID$|S_EXTENSION_|S_MANAGER_)|PASSWORD|PRIVATE|_KEY$/);
        if (typeof value === 'string') expect(value).not.toMatch(/^(sk_|[A-Za-z0-9+/]{32,}={0,2}$)/);
      }
    }
  });
});

describe('secrets through the Parameters and Secrets extension', () => {
  const fns = functionsOf();
  const secretId = logicalIdOf(prod.api, 'AWS::SecretsManager::Secret', 'OriginVerifySecret');

  it('run the extension layer, for its architecture, on the two functions that read secrets only', () => {
    for (const name of ['PartnerApi', 'AdminApi']) {
      expect(fns[name]?.props.Layers).toEqual([
        expect.stringMatching(
          /^arn:aws:lambda:us-east-1:\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/,
        ),
      ]);
    }
    expect(fns.AdminSignUpGuard?.props.Layers).toBeUndefined();
    expect(Object.keys(envOf(fns.AdminSignUpGuard?.props ?? {})).join()).not.toMatch(/PARAMETERS_SECRETS/);
  });

  it('configure it deliberately: no cache (each value is read once per container), bounded calls, warnings only', () => {
    for (const name of ['PartnerApi', 'AdminApi']) {
      expect(envOf(fns[name]?.props ?? {})).toMatchObject({
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'false',
        PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: '0',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
        PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'warn',
        SSM_PARAMETER_STORE_TIMEOUT_MILLIS: '1000',
        SECRETS_MANAGER_TIMEOUT_MILLIS: '1000',
        SSM_PARAMETER_STORE_TTL: '0',
        SECRETS_MANAGER_TTL: '0',
      });
    }
  });

  it('generate the origin-verify secret in Secrets Manager, never as a value in the template', () => {
    const secret = resourcesOfType(prod.api, 'AWS::SecretsManager::Secret').find(
      ([id]) => id === secretId,
    )?.[1];
    expect(secret?.Properties).toMatchObject({
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
    expect(secret?.Properties.SecretString).toBeUndefined();
    expect(secret?.Properties.KmsKeyId).toBeUndefined();
  });

  it('give the partner and admin functions the secret by ARN, and the guard nothing', () => {
    for (const name of ['PartnerApi', 'AdminApi']) {
      expect(envOf(fns[name]?.props ?? {}).ORIGIN_VERIFY_SECRET_ID).toEqual({ Ref: secretId });
    }
    expect(envOf(fns.AdminSignUpGuard?.props ?? {}).ORIGIN_VERIFY_SECRET_ID).toBeUndefined();
  });
});

describe('HTTP API', () => {
  const routes = resourcesOfType(prod.api, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
  const integrations = Object.fromEntries(
    resourcesOfType(prod.api, 'AWS::ApiGatewayV2::Integration').map(([id, integration]) => [
      id,
      integration.Properties,
    ]),
  );
  const targetOf = (route: Props) => {
    const integrationId = JSON.stringify(route.Target).match(/"Ref":"(\w+)"/)?.[1] ?? '';
    return JSON.stringify(integrations[integrationId]?.IntegrationUri).match(
      /"(PartnerApi|AdminApi)Function/,
    )?.[1];
  };
  const authorizerId = logicalIdOf(prod.api, 'AWS::ApiGatewayV2::Authorizer', 'HttpApiAdminAuthorizer');

  it('has exactly the contract routes, and a $default route to the partner app for JSON 404s', () => {
    const expected = [
      ...PARTNER_ROUTES,
      ...ADMIN_PUBLIC_ROUTES,
      ...ADMIN_API_METHODS.map((method) => `${method} /admin/v1/{proxy+}`),
      '$default',
    ];
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([...expected].sort());
  });

  it('puts the Cognito JWT authorizer with the admin scope on every /admin/v1/* route', () => {
    const admin = routes.filter((route) => String(route.RouteKey).includes('/admin/v1'));
    expect(admin).toHaveLength(ADMIN_API_METHODS.length);
    for (const route of admin) {
      expect(route).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
        AuthorizationScopes: [ADMIN_SCOPE],
      });
      expect(targetOf(route)).toBe('AdminApi');
    }
    prod.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [
          { Ref: logicalIdOf(prod.api, 'AWS::Cognito::UserPoolClient', 'AdminUserPoolAdminPageClient') },
        ],
        Issuer: {
          'Fn::Join': [
            '',
            [
              Match.stringLikeRegexp('^https://cognito-idp\\.'),
              { Ref: Match.stringLikeRegexp('^AdminUserPool') },
            ],
          ],
        },
      },
    });
  });

  it('leaves only the public routes without an authorizer, each on the function that serves it', () => {
    for (const route of routes.filter((r) => !String(r.RouteKey).includes('/admin/v1'))) {
      expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(route.AuthorizationScopes).toBeUndefined();
      const key = String(route.RouteKey);
      const expected = (ADMIN_PUBLIC_ROUTES as readonly string[]).includes(key) ? 'AdminApi' : 'PartnerApi';
      expect(targetOf(route), key).toBe(expected);
    }
  });

  it('writes JSON access logs without source IP, user agent, path, query string or claims', () => {
    const [[, stage]] = resourcesOfType(prod.api, 'AWS::ApiGatewayV2::Stage') as [
      [string, { Properties: Props }],
    ];
    const settings = stage.Properties.AccessLogSettings as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(settings.Format) as Record<string, string>;

    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format.requestId).toBe('$context.requestId');
    for (const forbidden of [
      /sourceIp/i,
      /userAgent/i,
      /\$context\.path/,
      /querystring/i,
      /claims/i,
      /identity\./i,
    ]) {
      expect(settings.Format).not.toMatch(forbidden);
    }
    expect(settings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalIdOf(prod.api, 'AWS::Logs::LogGroup', 'ApiAccessLogs'), 'Arn'],
    });
  });

  it('throttles the default route of its one auto-deployed stage', () => {
    prod.api.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    prod.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
    });
    dev.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });
});

describe('CloudFront and WAF', () => {
  const distribution = (template = prod.api) =>
    (resourcesOfType(template, 'AWS::CloudFront::Distribution')[0]?.[1].Properties.DistributionConfig ??
      {}) as Props;

  it('serves the custom domain with TLS 1.2 or newer to viewers and to the API origin', () => {
    expect(distribution()).toMatchObject({
      Aliases: ['help.example.org'],
      ViewerCertificate: {
        AcmCertificateArn: PROD_CONTEXT.certificateArn,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
      Origins: [
        {
          CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
          DomainName: {
            'Fn::Select': [
              2,
              { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.stringMatching(/^HttpApi/), 'ApiEndpoint'] }] },
            ],
          },
        },
      ],
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
    });
  });

  it('sends the origin-verify secret to the API origin as a dynamic reference, so the WAF cannot be bypassed', () => {
    const secretId = logicalIdOf(prod.api, 'AWS::SecretsManager::Secret', 'OriginVerifySecret');
    for (const template of [prod.api, dev.api]) {
      const origins = distribution(template).Origins as Props[];
      expect(origins).toHaveLength(1);
      expect(origins[0]?.OriginCustomHeaders).toEqual([
        {
          HeaderName: 'X-Origin-Verify',
          HeaderValue: {
            'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
          },
        },
      ]);
    }
    // Every behaviour uses that one origin: no path reaches the API without the header.
    const config = distribution();
    const originId = (config.Origins as Props[])[0]?.Id;
    const behaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors as Props[])] as Props[];
    for (const behavior of behaviors) expect(behavior.TargetOriginId).toBe(originId);
  });

  it('puts the WAF web ACL from the us-east-1 edge stack in front, and keeps no access logs', () => {
    const config = distribution();
    expect(config.WebACLId).toEqual({ 'Fn::ImportValue': expect.stringContaining('WebAcl') });
    expect(config.Logging).toBeUndefined();
    expect(prod.stacks.edge.region).toBe('us-east-1');
  });

  it('caches the widget at the edge, never the API, and forwards Authorization only for the admin API', () => {
    const config = distribution();
    const behaviors = config.CacheBehaviors as Props[];
    const byPath = Object.fromEntries(behaviors.map((b) => [b.PathPattern, b]));
    const cachingOptimized = '658327ea-f89d-4fab-a63d-7e88639e58f6';
    const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

    expect(byPath['/widget/*']).toMatchObject({
      CachePolicyId: cachingOptimized,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
    });
    expect(byPath['/widget.js']).toMatchObject({ CachePolicyId: cachingOptimized });
    expect((config.DefaultCacheBehavior as Props).CachePolicyId).toBe(cachingDisabled);
    expect(byPath['/admin/v1/*']?.CachePolicyId).toEqual({
      Ref: expect.stringMatching(/^AdminApiCachePolicy/),
    });
    prod.api.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        DefaultTTL: 0,
        MaxTTL: 1,
        ParametersInCacheKeyAndForwardedToOrigin: {
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
        },
      },
    });
  });

  it('adds HSTS and a no-referrer policy to every answer', () => {
    prod.api.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000, Override: true }),
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          ContentTypeOptions: { Override: true },
        }),
      },
    });
  });

  it('limits requests per IP, applies AWS managed rule groups, keeps no samples and does not block anonymizers', () => {
    const [[, acl]] = resourcesOfType(prod.edge, 'AWS::WAFv2::WebACL') as [[string, { Properties: Props }]];
    const rules = acl.Properties.Rules as Props[];
    const statement = (rule: Props) => rule.Statement as Props;

    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    const rateRules = rules.filter((rule) => statement(rule).RateBasedStatement);
    expect(rateRules).toHaveLength(2);
    for (const rule of rateRules) {
      expect(rule.Action).toEqual({ Block: {} });
      expect(statement(rule).RateBasedStatement).toMatchObject({
        AggregateKeyType: 'IP',
        Limit: expect.any(Number),
      });
    }
    const managed = rules
      .map((rule) => (statement(rule).ManagedRuleGroupStatement as Props | undefined)?.Name)
      .filter(Boolean);
    expect(managed).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ]);
    expect(JSON.stringify(rules)).not.toContain('AnonymousIpList');
    for (const visibility of [
      acl.Properties.VisibilityConfig,
      ...rules.map((rule) => rule.VisibilityConfig),
    ]) {
      expect(visibility).toMatchObject({ SampledRequestsEnabled: false, CloudWatchMetricsEnabled: true });
    }
  });

  it('puts the web ACL in us-east-1 even when the API runs elsewhere', () => {
    const eu = synthSignpost({ region: 'eu-west-1', account: '123456789012' });
    try {
      expect(eu.stacks.edge.region).toBe('us-east-1');
      expect(eu.stacks.api.region).toBe('eu-west-1');
      expect(eu.stacks.data.region).toBe('eu-west-1');
      eu.api.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ WebACLId: Match.anyValue() }),
      });
    } finally {
      eu.cleanup();
    }
  });
});

describe('admin identity', () => {
  it('requires MFA by authenticator app, forbids self sign-up and guards who may be created', () => {
    prod.api.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      UserPoolTier: 'PLUS',
      DeletionProtection: 'ACTIVE',
      LambdaConfig: {
        PreSignUp: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AdminSignUpGuardFunction'), 'Arn'] },
      },
    });
    const guardEnv = envOf(functionsOf().AdminSignUpGuard?.props ?? {});
    expect(guardEnv).toMatchObject({
      ADMIN_EMAILS: 'ana@example.org,ben@example.org',
      ADMIN_EMAIL_DOMAIN: 'example.org',
    });
  });

  it('issues the admin scope to a public browser client through the authorization code flow', () => {
    prod.api.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'signpost',
      Scopes: [Match.objectLike({ ScopeName: 'admin' })],
    });
    prod.api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayWith([
        { 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('AdminResourceServer') }, '/admin']] },
      ]),
      CallbackURLs: ['https://help.example.org/admin'],
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('creates and invites each configured admin, after the guard can be invoked', () => {
    const users = resourcesOfType(prod.api, 'AWS::Cognito::UserPoolUser');
    expect(users.map(([, user]) => user.Properties.Username).sort()).toEqual([
      'ana@example.org',
      'ben@example.org',
    ]);
    for (const [, user] of users) {
      expect(user.Properties.DesiredDeliveryMediums).toEqual(['EMAIL']);
      expect(JSON.stringify(user.DependsOn)).toMatch(/AdminSignUpGuard/);
    }
    dev.api.resourceCountIs('AWS::Cognito::UserPoolUser', 0);
  });
});

describe('alarms and dashboard', () => {
  const alarms = resourcesOfType(prod.api, 'AWS::CloudWatch::Alarm').map(
    ([id, alarm]): Props => ({ id, ...alarm.Properties }),
  );
  const topic = logicalIdOf(prod.api, 'AWS::SNS::Topic', 'MonitoringTopic');
  const metricNamesOf = (alarm: Props) =>
    alarm.MetricName
      ? [alarm.MetricName]
      : ((alarm.Metrics as Props[]) ?? [])
          .map((m) => (m.MetricStat as Props | undefined)?.Metric)
          .filter(Boolean)
          .map((m) => (m as Props).MetricName);

  it('covers API 5xx and p99 latency, each function, each table and the counter fallback', () => {
    const covered = alarms.map(
      (alarm) => `${alarm.Namespace ?? 'math'}:${metricNamesOf(alarm).sort().join('+')}`,
    );

    expect(covered).toEqual(
      expect.arrayContaining([
        'AWS/ApiGateway:5xx',
        'AWS/ApiGateway:Latency',
        'AWS/Lambda:Errors',
        'AWS/Lambda:Throttles',
        'AWS/Lambda:Duration',
        expect.stringMatching(/^math:(ThrottledRequests\+?)+$/),
        expect.stringMatching(/^math:(SystemErrors\+?)+$/),
        'Signpost/prod:CounterFallback',
      ]),
    );
    expect(alarms.filter((a) => a.Namespace === 'AWS/Lambda')).toHaveLength(9);
    expect(alarms.filter((a) => metricNamesOf(a).includes('ThrottledRequests'))).toHaveLength(2);
    expect(alarms.filter((a) => metricNamesOf(a).includes('SystemErrors'))).toHaveLength(2);
    expect(alarms.find((a) => a.MetricName === 'Latency')?.ExtendedStatistic).toBe('p99');
    expect(alarms.find((a) => a.MetricName === 'CounterFallback')?.Dimensions).toEqual([
      { Name: 'service', Value: 'signpost-partner' },
    ]);
  });

  it('alarms when a partner container serves without a secret, and when many requests come around CloudFront', () => {
    const byService = (metric: string) =>
      alarms
        .filter((a) => a.MetricName === metric)
        .map((a) => `${(a.Dimensions as { Value: string }[])[0]?.Value}>=${a.Threshold}`)
        .sort();
    expect(byService('TokenSecretUnavailable')).toEqual(['signpost-partner>=1']);
    expect(byService('OriginSecretUnavailable')).toEqual(['signpost-partner>=1']);
    expect(byService('OriginRefused')).toEqual(['signpost-admin>=100', 'signpost-partner>=100']);
  });

  it('notifies the SNS topic from every alarm, on alarm and on recovery', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(16);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, String(alarm.id)).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions, String(alarm.id)).toEqual([{ Ref: topic }]);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  it('encrypts the topic, requires TLS, and subscribes the alarm email with a dead-letter queue', () => {
    prod.api.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    prod.api.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    prod.api.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    prod.api.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    dev.api.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('has a dashboard', () => {
    prod.api.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
