import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  metricCatalog,
  metricDimensions,
  type MetricDimension,
  metricsNamespace,
  metricsService,
} from '../../domain/metrics.ts';
import { settings } from '../../infra/settings.ts';
import { resourcesOf, synthesize } from './synth.ts';

/*
 * What the people who run the system watch in AWS: the dashboard, the alarms and the
 * operations topic they notify (infra/constructs/observability.ts).
 */

let template: Template;

beforeAll(() => {
  template = synthesize({ alertEmail: 'oncall@example.com' });
}, 120_000);

type Properties = Record<string, unknown>;
type Reference = { Ref: string } | { 'Fn::GetAtt': [string, string] };

/** A CloudFormation reference as text: `Ref:Id`, `GetAtt:Id.Attribute`. */
function referenceText(reference: Reference): string {
  return 'Ref' in reference
    ? `Ref:${reference.Ref}`
    : `GetAtt:${reference['Fn::GetAtt'][0]}.${reference['Fn::GetAtt'][1]}`;
}

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][]; alarms?: string[] };
}

/** The dashboard's body, parsed, its references written as `referenceText` does. */
function dashboardOf(from: Template): { widgets: Widget[] } {
  const dashboards = Object.values(resourcesOf(from, 'AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : referenceText(part as Reference)))
    .join('');
  return JSON.parse(text) as { widgets: Widget[] };
}

/** A graph's metric as the dashboard lists it: namespace, name, dimensions and options. */
interface DashboardMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  options: { stat?: string; label?: string; visible?: boolean };
}

function metricsOf(widget: Widget): DashboardMetric[] {
  return (widget.properties.metrics ?? [])
    .filter((entry) => typeof entry[0] === 'string')
    .map((entry) => {
      const last = entry.at(-1);
      const options = typeof last === 'object' ? (last as DashboardMetric['options']) : {};
      const names = entry.filter((part) => typeof part === 'string') as string[];
      const [namespace = '', name = '', ...pairs] = names;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return { namespace, name, dimensions, options };
    });
}

const graphs = (from: Template) =>
  dashboardOf(from).widgets.filter((widget) => widget.type === 'metric');

function graphTitled(from: Template, title: string): Widget {
  const widget = graphs(from).find((candidate) => candidate.properties.title === title);
  expect(widget, title).toBeDefined();
  return widget!;
}

/** The logical id an output refers to. */
function outputRef(from: Template, name: string): string {
  const outputs = from.toJSON().Outputs as Record<string, { Value: { Ref?: string } }>;
  const ref = outputs[name]?.Value.Ref;
  expect(ref, name).toBeDefined();
  return ref!;
}

const alarmsOf = (from: Template) => resourcesOf(from, 'AWS::CloudWatch::Alarm');

/** The alarm watching a metric, by the metric's name (in an expression: any of its metrics). */
function alarmOn(from: Template, metricName: string, dimension?: string): Properties {
  const matches = Object.values(alarmsOf(from)).filter((alarm) => {
    const properties = alarm.Properties;
    const names = [
      properties.MetricName,
      ...((properties.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[]) ?? []).map(
        (metric) => metric.MetricStat?.Metric.MetricName,
      ),
    ];
    return (
      names.includes(metricName) &&
      (dimension === undefined || JSON.stringify(properties).includes(dimension))
    );
  });
  expect(matches, metricName).toHaveLength(1);
  return matches[0]!.Properties;
}

function functionLogicalId(from: Template, entry: string): string {
  const match = Object.entries(
    from.findResources('AWS::Lambda::Function') as Record<
      string,
      { Metadata?: Record<string, string> }
    >,
  ).find(([, fn]) => fn.Metadata?.['telemetry-alerts:entry'] === entry);
  expect(match, entry).toBeDefined();
  return match![0];
}

const queueIds = (from: Template) => {
  const queues = Object.entries(resourcesOf(from, 'AWS::SQS::Queue'));
  const readings = queues.find(([, queue]) => queue.Properties.RedrivePolicy)![0];
  const deadLetter = queues.find(([id]) => id !== readings)![0];
  return { readings, deadLetter };
};

const apiId = (from: Template) => Object.keys(resourcesOf(from, 'AWS::AppSync::GraphQLApi'))[0]!;

describe('the dashboard', () => {
  it('given the stack, then one dashboard shows ingest, lag, the queues, alerts, notifications, the functions and the API', () => {
    const titles = graphs(template).map((widget) => widget.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Readings a minute: accepted, evaluated, refused by reason',
        'Evaluation lag (ms): p50, p99',
        'Readings queue: messages waiting and in flight',
        'Readings queue: age of the oldest message (s)',
        'Dead-letter queue: messages',
        'Alerts fired, by severity',
        'Alerts resolved, by severity',
        'Alerts acknowledged, by severity',
        'Notifications failed, by channel (alarm: all channels, 5 minutes)',
        'Invocations',
        'Errors',
        'Throttles',
        'Duration p99 (ms)',
        'API requests, 4XXError, 5XXError',
        'API 5xx rate (% of requests, 5 minutes)',
        'API latency (ms): p50, p99',
      ]),
    );
    const alarmList = dashboardOf(template).widgets.find((widget) => widget.type === 'alarm');
    expect(alarmList?.properties.alarms).toHaveLength(Object.keys(alarmsOf(template)).length);
  });

  it("given the system's metrics, then every one of the catalog is on the dashboard, each dimension's every value, with exactly the dimension set the functions publish", () => {
    const custom = graphs(template)
      .flatMap(metricsOf)
      .filter((metric) => metric.namespace === metricsNamespace);
    for (const metric of custom) {
      const definition: { unit: string; dimension?: MetricDimension } | undefined =
        metricCatalog[metric.name as keyof typeof metricCatalog];
      expect(definition, metric.name).toBeDefined();
      const expected = ['service', ...(definition?.dimension ? [definition.dimension] : [])];
      expect(Object.keys(metric.dimensions).sort(), metric.name).toEqual(expected.sort());
      expect(metric.dimensions.service).toBe(metricsService);
    }
    for (const [name, definition] of Object.entries(metricCatalog) as [
      string,
      { dimension?: MetricDimension },
    ][]) {
      const shown = custom.filter((metric) => metric.name === name);
      expect(shown.length, name).toBeGreaterThan(0);
      if (definition.dimension === undefined) continue;
      const values = new Set(shown.map((metric) => metric.dimensions[definition.dimension!]));
      expect([...values].sort(), name).toEqual([...metricDimensions[definition.dimension]].sort());
    }
  });

  it('given the evaluation lag, then it is drawn as p50 and p99, not an average', () => {
    const lag = metricsOf(graphTitled(template, 'Evaluation lag (ms): p50, p99'));
    expect(lag.map((metric) => [metric.name, metric.options.stat])).toEqual([
      ['EvaluationLag', 'p50'],
      ['EvaluationLag', 'p99'],
    ]);
  });

  it.each(['Invocations', 'Errors', 'Throttles', 'Duration p99 (ms)'])(
    'given every function of the stack, then the %s graph has a line for it',
    (title) => {
      const functions = Object.keys(resourcesOf(template, 'AWS::Lambda::Function'));
      const shown = metricsOf(graphTitled(template, title)).map(
        (metric) => metric.dimensions.FunctionName,
      );
      expect(shown.sort()).toEqual(functions.map((id) => `Ref:${id}`).sort());
    },
  );

  it('given the queues, then the readings queue shows depth and age, the dead-letter queue its depth', () => {
    const { readings, deadLetter } = queueIds(template);
    const queueOf = (title: string) =>
      metricsOf(graphTitled(template, title)).map((metric) => [
        metric.name,
        metric.dimensions.QueueName,
      ]);
    expect(queueOf('Readings queue: messages waiting and in flight')).toEqual([
      ['ApproximateNumberOfMessagesVisible', `GetAtt:${readings}.QueueName`],
      ['ApproximateNumberOfMessagesNotVisible', `GetAtt:${readings}.QueueName`],
    ]);
    expect(queueOf('Readings queue: age of the oldest message (s)')).toEqual([
      ['ApproximateAgeOfOldestMessage', `GetAtt:${readings}.QueueName`],
    ]);
    expect(queueOf('Dead-letter queue: messages')).toEqual([
      ['ApproximateNumberOfMessagesVisible', `GetAtt:${deadLetter}.QueueName`],
    ]);
  });

  it("given the API, then its 4XXError, 5XXError and latency are read by this API's id", () => {
    const api = metricsOf(graphTitled(template, 'API requests, 4XXError, 5XXError')).concat(
      metricsOf(graphTitled(template, 'API latency (ms): p50, p99')),
    );
    expect(api.map((metric) => metric.name).sort()).toEqual(
      ['4XXError', '5XXError', 'Latency', 'Latency', 'Latency'].sort(),
    );
    for (const metric of api) {
      expect(metric.namespace).toBe('AWS/AppSync');
      expect(metric.dimensions).toEqual({ GraphQLAPIId: `GetAtt:${apiId(template)}.ApiId` });
    }
  });

  it('given the stack, then an output leads to the dashboard in the CloudWatch console', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const url = JSON.stringify(outputs.DashboardUrl?.Value);
    expect(url).toContain('console.aws.amazon.com/cloudwatch/home?region=');
    expect(url).toContain(Object.keys(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]);
  });
});

describe('the alarms', () => {
  it('given every alarm, then it has a threshold, a period, evaluation periods, a missing-data treatment and notifies the operations topic when it goes off and when it clears', () => {
    const operations = outputRef(template, 'OperationsTopicArn');
    const alarms = Object.entries(alarmsOf(template));
    expect(alarms).toHaveLength(6);
    for (const [id, { Properties: alarm }] of alarms) {
      expect(alarm.Threshold, id).toEqual(expect.any(Number));
      expect(alarm.EvaluationPeriods, id).toEqual(expect.any(Number));
      expect(alarm.TreatMissingData, id).toEqual(expect.any(String));
      const periods =
        alarm.Period !== undefined
          ? [alarm.Period]
          : (alarm.Metrics as { MetricStat?: { Period: number } }[])
              .filter((metric) => metric.MetricStat)
              .map((metric) => metric.MetricStat!.Period);
      expect(periods.length, id).toBeGreaterThan(0);
      for (const period of periods) expect(period, id).toEqual(expect.any(Number));
      expect(alarm.AlarmActions, id).toEqual([{ Ref: operations }]);
      expect(alarm.OKActions, id).toEqual([{ Ref: operations }]);
    }
  });

  it('given the readings queue, then the age of its oldest message over the default threshold for two minutes sets an alarm off, and that default stays above what one retried reading shows', () => {
    const alarm = alarmOn(template, 'ApproximateAgeOfOldestMessage');
    expect(alarm).toMatchObject({
      Threshold: settings.queueAgeAlarmSeconds.default,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
      EvaluationPeriods: 2,
      Statistic: 'Maximum',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueIds(template).readings, 'QueueName'] } },
      ],
    });
    // SQS leaves a message out of the age after its third receive; a failing reading is
    // received again once the visibility timeout ends.
    expect(settings.queueAgeAlarmSeconds.default).toBeGreaterThan(3 * 180);
  });

  it('given the dead-letter queue, then one message in it sets an alarm off within a minute', () => {
    expect(alarmOn(template, 'ApproximateNumberOfMessagesVisible')).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Period: 60,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [queueIds(template).deadLetter, 'QueueName'] },
        },
      ],
    });
  });

  it.each([
    ['workers/evaluate-readings.ts', settings.workerErrorsAlarmThreshold.default, 300, 1],
    ['workers/check-episodes.ts', 1, 60, 3],
  ])(
    'given the function of %s, then its failed invocations set an alarm off (threshold %d, period %d s, %d periods)',
    (entry, threshold, period, evaluationPeriods) => {
      expect(alarmOn(template, 'Errors', functionLogicalId(template, entry))).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Threshold: threshold,
        Period: period,
        EvaluationPeriods: evaluationPeriods,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(template, entry) } }],
      });
    },
  );

  it('given notification failures, then their sum over every channel, each with its catalog dimension set, sets an alarm off', () => {
    const alarm = alarmOn(template, 'NotificationsFailed');
    const metrics = alarm.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Dimensions: { Name: string; Value: string }[] } };
    }[];
    const inputs = metrics.filter((metric) => metric.MetricStat);
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe(
      `SUM([${inputs.map((metric) => metric.Id).join(', ')}])`,
    );
    expect(
      inputs.map((metric) =>
        Object.fromEntries(metric.MetricStat!.Metric.Dimensions.map((d) => [d.Name, d.Value])),
      ),
    ).toEqual(metricDimensions.channel.map((channel) => ({ service: metricsService, channel })));
    expect(alarm).toMatchObject({
      Threshold: settings.notificationFailuresAlarmThreshold.default,
      EvaluationPeriods: 2,
    });
  });

  it('given the API, then its 5xx responses as a share of its requests set an alarm off, not their count', () => {
    const alarm = alarmOn(template, '5XXError');
    const metrics = alarm.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string }; Stat: string };
    }[];
    const stats = Object.fromEntries(
      metrics
        .filter((metric) => metric.MetricStat)
        .map((metric) => [
          metric.Id,
          `${metric.MetricStat!.Metric.MetricName} ${metric.MetricStat!.Stat}`,
        ]),
    );
    expect(stats).toEqual({ errors: '5XXError Sum', requests: 'Latency SampleCount' });
    expect(metrics.find((metric) => metric.Expression)?.Expression).toMatch(
      /100 \* FILL\(errors, 0\) \/ requests/,
    );
    expect(alarm.Threshold).toBe(settings.apiServerErrorAlarmPercent.default);
  });

  it('given thresholds in context, then the alarms take them', () => {
    const tuned = synthesize({
      queueAgeAlarmSeconds: 120,
      workerErrorsAlarmThreshold: 9,
      notificationFailuresAlarmThreshold: 4,
      apiServerErrorAlarmPercent: 5,
    });
    expect(alarmOn(tuned, 'ApproximateAgeOfOldestMessage').Threshold).toBe(120);
    const worker = functionLogicalId(tuned, 'workers/evaluate-readings.ts');
    expect(alarmOn(tuned, 'Errors', worker).Threshold).toBe(9);
    expect(alarmOn(tuned, 'NotificationsFailed').Threshold).toBe(4);
    expect(alarmOn(tuned, '5XXError').Threshold).toBe(5);
  });

  it('given a threshold out of range in context, then synth stops and names it', () => {
    expect(() => synthesize({ queueAgeAlarmSeconds: 5 })).toThrow(
      'Context queueAgeAlarmSeconds must be a whole number from 60',
    );
  });

  it('given every alarm, then the runbook section its description points to exists in docs/operations.md', () => {
    const guide = readFileSync('docs/operations.md', 'utf8');
    const anchors = new Set(
      [...guide.matchAll(/^#{2,4} (.+)$/gm)].map((heading) =>
        heading[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const [id, { Properties: alarm }] of Object.entries(alarmsOf(template))) {
      const anchor = /docs\/operations\.md#([a-z0-9-]+)/.exec(String(alarm.AlarmDescription));
      expect(anchor, id).not.toBeNull();
      expect(anchors, id).toContain(anchor![1]);
    }
  });
});

describe('the operations topic', () => {
  it('given the stack, then the alarms notify a topic that is not the alerts topic, encrypted with its own key that CloudWatch may use, TLS only', () => {
    const operations = outputRef(template, 'OperationsTopicArn');
    const alerts = outputRef(template, 'AlertsTopicArn');
    expect(operations).not.toBe(alerts);
    const topics = resourcesOf(template, 'AWS::SNS::Topic');
    const key = (topics[operations]!.Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ][0]!;
    expect(key).not.toBe(
      (topics[alerts]!.Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    expect(keys[key]!.Properties.EnableKeyRotation).toBe(true);
    const cloudWatch = (
      keys[key]!.Properties.KeyPolicy as {
        Statement: { Principal: { Service?: string }; Action: string[] }[];
      }
    ).Statement.filter((statement) => statement.Principal.Service === 'cloudwatch.amazonaws.com');
    expect(cloudWatch.map((statement) => statement.Action)).toEqual([
      ['kms:Decrypt', 'kms:GenerateDataKey*'],
    ]);
    // No alarm publishes to the alerts topic, so its key grants CloudWatch nothing.
    for (const [id, { Properties }] of Object.entries(keys)) {
      if (id !== key) expect(JSON.stringify(Properties.KeyPolicy)).not.toContain('cloudwatch');
    }
    const policy = Object.values(resourcesOf(template, 'AWS::SNS::TopicPolicy')).find((p) =>
      JSON.stringify(p.Properties.Topics).includes(operations),
    );
    expect(JSON.stringify(policy?.Properties)).toContain('"aws:SecureTransport":"false"');
  });

  it('given an operations e-mail in context, then it subscribes to the operations topic only, and the alert e-mail to the alerts topic only', () => {
    const withOperations = synthesize({
      alertEmail: 'oncall@example.com',
      operationsEmail: 'sre@example.com,platform@example.com',
    });
    const subscriptions = Object.values(resourcesOf(withOperations, 'AWS::SNS::Subscription')).map(
      (subscription) => [subscription.Properties.Endpoint, subscription.Properties.TopicArn],
    );
    const operations = { Ref: outputRef(withOperations, 'OperationsTopicArn') };
    const alerts = { Ref: outputRef(withOperations, 'AlertsTopicArn') };
    expect(subscriptions).toEqual(
      expect.arrayContaining([
        ['sre@example.com', operations],
        ['platform@example.com', operations],
        ['oncall@example.com', alerts],
      ]),
    );
    expect(subscriptions).toHaveLength(3);
    const without = Object.values(resourcesOf(template, 'AWS::SNS::Subscription'));
    expect(without.map((subscription) => subscription.Properties.TopicArn)).toEqual([alerts]);
  });

  it('given a bad operations e-mail in context, then synth stops with a clear error', () => {
    expect(() => synthesize({ operationsEmail: 'sre-at-example' })).toThrow(
      "Context operationsEmail has an invalid address: 'sre-at-example'",
    );
  });
});
