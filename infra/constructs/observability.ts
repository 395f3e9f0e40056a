import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import {
  Alarm,
  type AlarmProps,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { evaluationQueue } from '../resources.ts';
import {
  type MetricDimension,
  type MetricName,
  metricCatalog,
  metricDimensions,
  metricsNamespace,
  metricsService,
} from '../../domain/metrics.ts';

/** Where each alarm goes off; the defaults and their reasons are in infra/settings.ts. */
export interface AlarmThresholds {
  /** Seconds the oldest reading may wait in the readings queue (two minutes in a row). */
  queueAgeSeconds: number;
  /** Failed worker invocations in 5 minutes. */
  workerErrors: number;
  /** Failed notifications, all channels, in each of two 5-minute periods in a row. */
  notificationFailures: number;
  /** The API's 5xx responses, percent of its requests, in each of two 5-minute periods. */
  apiServerErrorPercent: number;
}

export interface ObservabilityProps {
  /** The readings queue the worker drains, and its dead-letter queue. */
  queue: IQueue;
  deadLetterQueue: IQueue;
  api: IGraphqlApi;
  /** Every function of the system, by the name the dashboard shows it under. */
  functions: Record<string, IFunction> & { worker: IFunction; check: IFunction };
  /** E-mail addresses subscribed to the operations topic; each confirms by e-mail. */
  operationsEmails: string[];
  thresholds: AlarmThresholds;
}

/** The alarms the dashboard draws across their graphs, and the metrics they watch. */
interface Watched {
  oldestMessageAge: Metric;
  queueAge: Alarm;
  deadLetterDepth: Metric;
  deadLetters: Alarm;
  notificationsFailed: Alarm;
  apiErrors: Alarm;
}

const minute = Duration.minutes(1);
const fiveMinutes = Duration.minutes(5);

/**
 * What the people who run the system watch: one CloudWatch dashboard (readings in and
 * evaluated, evaluation lag, the queues, alerts, notifications, every function and the
 * API) and the system's alarms, each notifying the operations topic when it goes off and
 * when it clears. The operations topic is not the alerts topic: alert e-mails are about
 * devices; these are about the system. docs/operations.md has a runbook line per alarm.
 * The system's own metrics are read by the names and dimension sets of domain/metrics.ts.
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  /** The dashboard in the CloudWatch console. */
  readonly dashboardUrl: string;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new Key(this, 'OperationsTopicKey', {
      description: "Encrypts the system's alarm notifications at rest",
      enableKeyRotation: true,
    });
    // CloudWatch publishes the alarms to the encrypted topic: it needs this key's data keys.
    key.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    this.topic = new Topic(this, 'OperationsTopic', {
      displayName: 'Telemetry alerts operations',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.operationsEmails) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
    if (props.operationsEmails.length === 0) {
      Annotations.of(this).addWarningV2(
        'telemetry-alerts:no-operations-email',
        "No e-mail subscribes to the system's alarms: deploy with -c operationsEmail=you@example.com (comma-separated for several).",
      );
    }
    this.action = new SnsAction(this.topic);

    const watched = this.watchSystem(props);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: dashboardRows(props, watched, this.alarms),
    });
    const region = Stack.of(this).region;
    this.dashboardUrl = `https://console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }

  /** The system's alarms, and the metrics the dashboard draws their thresholds on. */
  private watchSystem(props: ObservabilityProps): Watched {
    const { queue, deadLetterQueue, api, functions, thresholds } = props;
    const oldestMessageAge = queue.metricApproximateAgeOfOldestMessage({
      period: minute,
      statistic: Stats.MAXIMUM,
    });
    const queueAge = this.watch('ReadingsWaitingAlarm', {
      alarmDescription: `A reading has waited in the readings queue over ${thresholds.queueAgeSeconds} s: evaluation is behind or stopped, and alerts are late. Runbook: docs/operations.md#readings-waiting.`,
      metric: oldestMessageAge,
      threshold: thresholds.queueAgeSeconds,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // SQS reports no age while the queue is empty.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const deadLetterDepth = deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: minute,
      statistic: Stats.MAXIMUM,
    });
    const deadLetters = this.watch('DeadLetterAlarm', {
      alarmDescription: `Messages the worker failed on ${evaluationQueue.maxReceiveCount} times are in the dead-letter queue: those readings are not evaluated until they are redriven. Runbook: docs/operations.md#dead-letter-queue.`,
      metric: deadLetterDepth,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // SQS stops reporting a queue that has been empty and unused for 6 hours.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.watch('WorkerErrorsAlarm', {
      alarmDescription: `The evaluation worker failed ${thresholds.workerErrors} or more invocations in 5 minutes (timeouts, crashes, a failed start): their readings are retried, then dead-lettered. Runbook: docs/operations.md#worker-errors.`,
      metric: functions.worker.metricErrors({ period: fiveMinutes, statistic: Stats.SUM }),
      threshold: thresholds.workerErrors,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Lambda reports no errors while the worker is not invoked: an empty queue.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.watch('CheckErrorsAlarm', {
      alarmDescription:
        'The scheduled check failed in 2 of its last 3 runs: NO_DATA alerts and repeated notifications are not sent. Runbook: docs/operations.md#check-errors.',
      metric: functions.check.metricErrors({ period: minute, statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // A minute without a run reports nothing; it is not counted as a failure.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const notificationsFailed = this.watch('NotificationsFailedAlarm', {
      alarmDescription: `Alert notifications (e-mail through SNS, or the onAlert push) failed ${thresholds.notificationFailures} or more times in each of two 5-minute periods in a row: on-call people may not be told of alerts. Runbook: docs/operations.md#notifications-failing.`,
      metric: summed('NotificationsFailed', 'Notifications failed (all channels)', fiveMinutes),
      threshold: thresholds.notificationFailures,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // The worker records a failure when one happens; no data is no failure.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const apiErrors = this.watch('ApiServerErrorsAlarm', {
      alarmDescription: `${thresholds.apiServerErrorPercent}% or more of the API's requests failed with a 5xx error in two 5-minute periods in a row (of at least ${minimumRequests} requests). Runbook: docs/operations.md#api-server-errors.`,
      metric: apiServerErrorPercent(api, fiveMinutes),
      threshold: thresholds.apiServerErrorPercent,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No requests, no rate.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    return {
      oldestMessageAge,
      queueAge,
      deadLetterDepth,
      deadLetters,
      notificationsFailed,
      apiErrors,
    };
  }

  /** An alarm that notifies the operations topic when it goes off and when it clears. */
  private watch(id: string, props: AlarmProps): Alarm {
    const alarm = new Alarm(this, id, props);
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/**
 * The dashboard, row by row: the alarms, readings and the queues, alerts and notifications,
 * the functions, the API. docs/operations.md describes each graph.
 */
function dashboardRows(
  { queue, api, functions }: ObservabilityProps,
  watched: Watched,
  alarms: Alarm[],
): IWidget[][] {
  const {
    oldestMessageAge,
    queueAge,
    deadLetterDepth,
    deadLetters,
    notificationsFailed,
    apiErrors,
  } = watched;
  const lambdas = Object.entries(functions);
  const perFunction = (title: string, metric: (fn: IFunction) => Metric) =>
    graph(
      title,
      lambdas.map(([name, fn]) => metric(fn).with({ label: name })),
      6,
    );
  const apiMetric = (metricName: string, statistic: string, label: string) =>
    new Metric({
      namespace: 'AWS/AppSync',
      metricName,
      dimensionsMap: { GraphQLAPIId: api.apiId },
      statistic,
      period: minute,
      label,
    });

  return [
    [
      new TextWidget({
        markdown: [
          '# Telemetry alerts',
          'Readings flowing, how far behind evaluation is, whether alerts reach people, and how the functions and the API fare.',
          "Each alarm's runbook is in the repository's docs/operations.md; what each metric means, in docs/metrics.md.",
        ].join('\n\n'),
        width: 8,
        height: 4,
      }),
      new AlarmStatusWidget({ title: 'Alarms', alarms, width: 16, height: 4 }),
    ],
    heading('Readings'),
    [
      graph('Readings a minute: accepted, evaluated, refused by reason', [
        catalogMetric('ReadingsAccepted', { period: minute, label: 'accepted' }),
        catalogMetric('ReadingsEvaluated', { period: minute, label: 'evaluated' }),
        ...eachValue('ReadingsRefused', { period: minute, labelPrefix: 'refused: ' }),
      ]),
      graph('Evaluation lag (ms): p50, p99', [
        catalogMetric('EvaluationLag', {
          period: minute,
          statistic: Stats.p(50),
          label: 'p50',
        }),
        catalogMetric('EvaluationLag', {
          period: minute,
          statistic: Stats.p(99),
          label: 'p99',
        }),
      ]),
      graph('Readings queue: messages waiting and in flight', [
        queue.metricApproximateNumberOfMessagesVisible({
          period: minute,
          statistic: Stats.MAXIMUM,
          label: 'waiting',
        }),
        queue.metricApproximateNumberOfMessagesNotVisible({
          period: minute,
          statistic: Stats.MAXIMUM,
          label: 'in flight',
        }),
      ]),
    ],
    [
      graph(
        'Readings queue: age of the oldest message (s)',
        [oldestMessageAge.with({ label: 'oldest' })],
        8,
        queueAge,
      ),
      graph(
        'Dead-letter queue: messages',
        [deadLetterDepth.with({ label: 'messages' })],
        8,
        deadLetters,
      ),
      graph('Worker: poison records, episode write conflicts', [
        catalogMetric('PoisonRecords', { period: minute, label: 'poison records' }),
        catalogMetric('EpisodeWriteConflicts', { period: minute, label: 'write conflicts' }),
      ]),
    ],
    heading('Alerts and notifications'),
    [
      graph(
        'Alerts fired, by severity',
        eachValue('AlertsFired', { period: minute, labelPrefix: '' }),
      ),
      graph(
        'Alerts resolved, by severity',
        eachValue('AlertsResolved', { period: minute, labelPrefix: '' }),
      ),
      graph(
        'Alerts acknowledged, by severity',
        eachValue('AlertsAcknowledged', { period: minute, labelPrefix: '' }),
      ),
    ],
    [
      graph('Notifications sent, by channel; muted, by cause', [
        ...eachValue('NotificationsSent', { period: minute, labelPrefix: 'sent: ' }),
        ...eachValue('NotificationsMuted', { period: minute, labelPrefix: 'muted: ' }),
      ]),
      graph(
        'Notifications failed, by channel (alarm: all channels, 5 minutes)',
        [
          ...eachValue('NotificationsFailed', { period: minute, labelPrefix: '' }),
          notificationsFailed.metric,
        ],
        8,
        notificationsFailed,
      ),
      graph('Rule refreshes, by kind; rules held', [
        ...eachValue('RuleRefreshes', { period: minute, labelPrefix: 'refreshes: ' }),
        ...eachValue('RuleRefreshDuration', {
          period: minute,
          statistic: Stats.p(99),
          labelPrefix: 'p99 ms: ',
        }),
        catalogMetric('RulesHeld', {
          period: minute,
          statistic: Stats.MAXIMUM,
          label: 'rules held',
        }),
      ]),
    ],
    heading('Functions'),
    [
      perFunction('Invocations', (fn) =>
        fn.metricInvocations({ period: minute, statistic: Stats.SUM }),
      ),
      perFunction('Errors', (fn) => fn.metricErrors({ period: minute, statistic: Stats.SUM })),
      perFunction('Throttles', (fn) =>
        fn.metricThrottles({ period: minute, statistic: Stats.SUM }),
      ),
      perFunction('Duration p99 (ms)', (fn) =>
        fn.metricDuration({ period: minute, statistic: Stats.p(99) }),
      ),
    ],
    heading('API'),
    [
      graph('API requests, 4XXError, 5XXError', [
        apiMetric('Latency', Stats.SAMPLE_COUNT, 'requests'),
        apiMetric('4XXError', Stats.SUM, '4XXError'),
        apiMetric('5XXError', Stats.SUM, '5XXError'),
      ]),
      graph('API 5xx rate (% of requests, 5 minutes)', [apiErrors.metric], 8, apiErrors),
      graph('API latency (ms): p50, p99', [
        apiMetric('Latency', Stats.p(50), 'p50'),
        apiMetric('Latency', Stats.p(99), 'p99'),
      ]),
    ],
  ];
}

/** Requests in a period below which the API's 5xx rate is taken as 0: one failure of two is noise. */
const minimumRequests = 10;

/**
 * The API's 5xx responses as a percentage of its requests. AppSync's `Requests` metric
 * counts the whole account's APIs in the region, so this API's requests are its latency
 * samples.
 */
function apiServerErrorPercent(api: IGraphqlApi, period: Duration): MathExpression {
  const metric = (metricName: string, statistic: string) =>
    new Metric({
      namespace: 'AWS/AppSync',
      metricName,
      dimensionsMap: { GraphQLAPIId: api.apiId },
      statistic,
      period,
    });
  return new MathExpression({
    expression: `IF(requests >= ${minimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
    usingMetrics: {
      errors: metric('5XXError', Stats.SUM),
      requests: metric('Latency', Stats.SAMPLE_COUNT),
    },
    label: '5xx, % of requests',
    period,
  });
}

interface CatalogMetricOptions {
  period: Duration;
  /** Sum unless given. */
  statistic?: string;
  label?: string;
}

/** A metric of the catalog with no dimension besides `service`. */
type PlainMetric = {
  [N in MetricName]: (typeof metricCatalog)[N] extends { dimension: MetricDimension } ? never : N;
}[MetricName];

/** A metric of the catalog published with one more dimension. */
type DimensionalMetric = Exclude<MetricName, PlainMetric>;

/** A metric the functions publish with the dimension set {service}. */
function catalogMetric(name: PlainMetric, options: CatalogMetricOptions): Metric {
  return new Metric({
    namespace: metricsNamespace,
    metricName: name,
    dimensionsMap: { service: metricsService },
    statistic: options.statistic ?? Stats.SUM,
    period: options.period,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

/**
 * One metric per value of the metric's dimension, each with the dimension set
 * {service, <dimension>} the functions publish it with: the catalog's values are a closed
 * set, so the list is complete.
 */
function eachValue<N extends DimensionalMetric>(
  name: N,
  options: CatalogMetricOptions & { labelPrefix: string },
): Metric[] {
  const dimension: MetricDimension = metricCatalog[name].dimension;
  const values: readonly string[] = metricDimensions[dimension];
  return values.map(
    (value) =>
      new Metric({
        namespace: metricsNamespace,
        metricName: name,
        dimensionsMap: { service: metricsService, [dimension]: value },
        statistic: options.statistic ?? Stats.SUM,
        period: options.period,
        label: `${options.labelPrefix}${value}`,
      }),
  );
}

/** A metric summed over all the values of its dimension (metric math). */
function summed(name: DimensionalMetric, label: string, period: Duration): MathExpression {
  const metrics = eachValue(name, { period, labelPrefix: '' });
  const ids = metrics.map((_, index) => `m${index}`);
  return new MathExpression({
    expression: `SUM([${ids.join(', ')}])`,
    usingMetrics: Object.fromEntries(ids.map((id, index) => [id, metrics[index] as Metric])),
    label,
    period,
  });
}

/** A line graph of a few metrics; with an alarm, its threshold drawn across. */
function graph(title: string, metrics: IMetric[], width = 8, alarm?: Alarm): GraphWidget {
  return new GraphWidget({
    title,
    left: metrics,
    width,
    height: 6,
    ...(alarm === undefined ? {} : { leftAnnotations: [alarm.toAnnotation()] }),
  });
}

/** A row holding a section's title. */
function heading(title: string): IWidget[] {
  return [new TextWidget({ markdown: `## ${title}`, width: 24, height: 1 })];
}
