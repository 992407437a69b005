/**
 * Alarms and a dashboard for one stage. Every alarm notifies the same SNS topic; an operator subscribes an
 * email address (stage config `alarmEmail`) or a chat integration to it.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Operation, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type CfnQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SignpostFunction } from './signpost-function.js';

/** The EMF metric the app emits when a counter write fails and the event goes to the fallback log line. */
export const COUNTER_FALLBACK_METRIC = 'CounterFallback';

export interface AppMetricAlarm {
  readonly metric: string;
  readonly service: string;
  readonly threshold: number;
  readonly description: string;
}

export interface MonitoredFunction {
  readonly label: string;
  readonly fn: SignpostFunction;
  /** Alarm when p99 duration passes this share of the timeout. */
  readonly durationAlarmShare: number;
}

export interface MonitoringProps {
  readonly stage: string;
  readonly ephemeral: boolean;
  readonly alarmEmail: string | undefined;
  readonly metricsNamespace: string;
  readonly api: HttpApi;
  readonly functions: readonly MonitoredFunction[];
  readonly tables: readonly { label: string; table: TableV2; operations: readonly Operation[] }[];
  /** Services whose CounterFallback metric is alarmed (the `service` dimension Powertools adds). */
  readonly fallbackServices: readonly string[];
  /**
   * Other application metrics (EMF, `service` dimension) that mean something is wrong while help keeps being
   * served: a secret that could not be read, requests arriving around CloudFront. Alarmed at `threshold` in
   * five minutes.
   */
  readonly appAlarms?: readonly AppMetricAlarm[];
  readonly webAclMetricName: string;
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  readonly deadLetterQueue: Queue | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // Alarm text names resources, not people; still, the topic is encrypted and TLS-only like everything else.
    // CloudWatch must be allowed to use the key, which the AWS managed aws/sns key does not allow.
    const key = new Key(this, 'TopicKey', {
      description: `Signpost ${props.stage} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.topic = new Topic(this, 'Topic', {
      displayName: `Signpost ${props.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      // Notifications SNS cannot deliver land here instead of vanishing.
      this.deadLetterQueue = new Queue(this, 'DeliveryDlq', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const queue = this.deadLetterQueue.node.defaultChild as CfnQueue;
      const reason = 'This queue is itself the dead-letter queue of the alarm email subscription.';
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
      Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
      this.topic.addSubscription(
        new EmailSubscription(props.alarmEmail, { deadLetterQueue: this.deadLetterQueue }),
      );
    }
    const action = new SnsAction(this.topic);
    const alarm = (
      id: string,
      metric: IMetric,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
    ): Alarm => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // Quiet hours are normal for a help service: no data is not a fault.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const fiveMinutes = Duration.minutes(5);

    // API: errors the caller did not cause, and slowness a person on a phone would feel.
    const api5xx = props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const apiP99 = props.api.metricLatency({ period: fiveMinutes, statistic: 'p99' });
    alarm('Api5xx', api5xx, 5, 'HTTP API answered 5 or more 5xx in 5 minutes');
    alarm('ApiLatencyP99', apiP99, 1_000, 'HTTP API p99 latency at or over 1 s for 15 minutes', 3);

    for (const { label, fn, durationAlarmShare } of props.functions) {
      const f = fn.function;
      alarm(
        `${label}Errors`,
        f.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        1,
        `${label} function errors`,
      );
      alarm(
        `${label}Throttles`,
        f.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        1,
        `${label} function throttled: reserved concurrency exhausted`,
      );
      const timeoutMs = f.timeout?.toMilliseconds() ?? 3_000;
      alarm(
        `${label}DurationP99`,
        f.metricDuration({ period: fiveMinutes, statistic: 'p99' }),
        Math.round(timeoutMs * durationAlarmShare),
        `${label} function p99 duration near its ${timeoutMs} ms timeout`,
        3,
      );
    }

    for (const { label, table, operations } of props.tables) {
      const ops = { operations: [...operations], period: fiveMinutes };
      alarm(
        `${label}Throttles`,
        table.metricThrottledRequestsForOperations(ops),
        1,
        `${label} table throttled requests (a hot partition: check counter sharding)`,
      );
      alarm(
        `${label}SystemErrors`,
        table.metricSystemErrorsForOperations(ops),
        1,
        `${label} table system errors`,
      );
    }

    const fallback = props.fallbackServices.map(
      (service) =>
        new Metric({
          namespace: props.metricsNamespace,
          metricName: COUNTER_FALLBACK_METRIC,
          dimensionsMap: { service },
          statistic: 'Sum',
          period: fiveMinutes,
        }),
    );
    fallback.forEach((metric, i) => {
      alarm(
        `CounterFallback${i === 0 ? '' : i}`,
        metric,
        1,
        `${props.fallbackServices[i]}: events went to the fallback log instead of the counters; recount them`,
      );
    });

    for (const { metric, service, threshold, description } of props.appAlarms ?? []) {
      alarm(
        `${metric}${service.replace(/^signpost-/, '').replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
        new Metric({
          namespace: props.metricsNamespace,
          metricName: metric,
          dimensionsMap: { service },
          statistic: 'Sum',
          period: fiveMinutes,
        }),
        threshold,
        `${service}: ${description}`,
      );
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    const fnMetric = (pick: (f: SignpostFunction) => IMetric) => props.functions.map(({ fn }) => pick(fn));
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Signpost ${props.stage}\nRequests, errors and latency of the HTTP API; the functions behind it; the tables; counter fallbacks; WAF blocks.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [
          props.api.metricCount({ period: Duration.minutes(1), statistic: 'Sum' }),
          props.api.metricClientError({ period: Duration.minutes(1), statistic: 'Sum' }),
          props.api.metricServerError({ period: Duration.minutes(1), statistic: 'Sum' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency',
        left: ['p50', 'p90', 'p99'].map((statistic) =>
          props.api.metricLatency({ period: Duration.minutes(1), statistic }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda invocations',
        left: fnMetric((f) => f.function.metricInvocations({ statistic: 'Sum' })),
        width: 6,
      }),
      new GraphWidget({
        title: 'Lambda errors and throttles',
        left: [
          ...fnMetric((f) => f.function.metricErrors({ statistic: 'Sum' })),
          ...fnMetric((f) => f.function.metricThrottles({ statistic: 'Sum' })),
        ],
        width: 6,
      }),
      new GraphWidget({
        title: 'Lambda duration p99',
        left: fnMetric((f) => f.function.metricDuration({ statistic: 'p99' })),
        width: 6,
      }),
      new GraphWidget({
        title: 'Lambda concurrency',
        left: fnMetric((f) => f.function.metric('ConcurrentExecutions', { statistic: 'Maximum' })),
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      ...props.tables.map(
        ({ label, table, operations }) =>
          new GraphWidget({
            title: `${label} table`,
            left: [
              table.metricConsumedReadCapacityUnits({ statistic: 'Sum' }),
              table.metricConsumedWriteCapacityUnits({ statistic: 'Sum' }),
            ],
            right: [table.metricThrottledRequestsForOperations({ operations: [...operations] })],
            width: 8,
          }),
      ),
      new SingleValueWidget({ title: 'Counter fallbacks (6 h)', metrics: fallback, width: 4 }),
      new GraphWidget({
        title: 'WAF blocked requests',
        left: [
          new Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            // A CloudFront web ACL reports its metrics in us-east-1.
            region: 'us-east-1',
            dimensionsMap: { WebACL: props.webAclMetricName, Rule: 'ALL' },
            statistic: 'Sum',
          }),
        ],
        width: 4,
      }),
    );
  }
}
