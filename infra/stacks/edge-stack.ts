/**
 * The AWS WAF web ACL for the CloudFront distribution. A web ACL with CLOUDFRONT scope can only be created in
 * us-east-1, so it has its own small stack pinned there, whatever region the API runs in. An HTTP API cannot
 * take a web ACL itself; CloudFront in front of it can.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.js';

export interface EdgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Metric names of the rules, for the dashboard. */
export const WAF_RULES = {
  browserRate: 'BrowserRatePerIp',
  partnerRate: 'PartnerRatePerIp',
  common: 'AwsCommonRules',
  knownBadInputs: 'AwsKnownBadInputs',
  ipReputation: 'AwsIpReputation',
} as const;

export class EdgeStack extends Stack {
  readonly webAcl: CfnWebACL;
  readonly webAclMetricName: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.webAclMetricName = `signpost-${config.stage}`;
    // Sampled requests would keep source IPs and headers for three hours in the console; the people this
    // service answers must leave no such trace, so only counts are kept.
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: false,
    });
    const hasApiKey: CfnWebACL.StatementProperty = {
      sizeConstraintStatement: {
        fieldToMatch: { singleHeader: { Name: 'x-api-key' } },
        comparisonOperator: 'GT',
        size: 0,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };
    const managed = (name: string, priority: number, metricName: string, overrides?: string[]) => ({
      name: metricName,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: overrides?.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(metricName),
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(this.webAclMetricName),
      rules: [
        {
          // Browsers (the widget, the admin page, anyone without a secret key): a person searching makes a
          // handful of requests per page; hundreds a minute from one address is a script.
          name: WAF_RULES.browserRate,
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: config.wafBrowserLimitPer5Min,
              scopeDownStatement: { notStatement: { statement: hasApiKey } },
            },
          },
          visibilityConfig: visibility(WAF_RULES.browserRate),
        },
        {
          // Search partners call server to server from a few addresses at search-engine volume; their keys are
          // checked in the app. This only stops one address from flooding everyone's capacity.
          name: WAF_RULES.partnerRate,
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: config.wafPartnerLimitPer5Min,
              scopeDownStatement: hasApiKey,
            },
          },
          visibilityConfig: visibility(WAF_RULES.partnerRate),
        },
        // The common rule set blocks bodies over 8 KB; keyword CSV imports are larger and the app enforces
        // its own body limits (413 payload_too_large), so that one rule only counts.
        managed('AWSManagedRulesCommonRuleSet', 2, WAF_RULES.common, ['SizeRestrictions_BODY']),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 3, WAF_RULES.knownBadInputs),
        managed('AWSManagedRulesAmazonIpReputationList', 4, WAF_RULES.ipReputation),
        // Deliberately no AWSManagedRulesAnonymousIpList: people at risk reach help through Tor and VPNs.
      ],
    });
  }
}
