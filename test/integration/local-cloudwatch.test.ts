import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsSystemStatusSource } from '../../adapters/aws-system-status.ts';
import { metricsNamespace, metricsService } from '../../domain/metrics.ts';
import { startCloudWatch } from '../../local/cloudwatch.ts';
import type { RunningServer } from '../../local/emulators.ts';
import { parseEmf } from '../../local/emf.ts';
import { MetricsStore } from '../../local/metrics-store.ts';
import { recordQueueMetrics } from '../../local/queue-metrics.ts';

// The CloudWatch emulator on its own, with the AWS SDK's CloudWatch client and the status
// adapter against it, as the status resolver reaches it on the local stack.
const now = Date.now();
const periodStart = Math.floor(now / 60_000) * 60_000 - 60_000;
const store = new MetricsStore();
let server: RunningServer;
let reads = 0;
let cloudwatch: CloudWatchClient;

const emf = (timestamp: number, root: Record<string, unknown>, names: string[]) =>
  JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: metricsNamespace,
          Dimensions: [['service']],
          Metrics: names.map((Name) => ({
            Name,
            Unit: Name === 'EvaluationLag' ? 'Milliseconds' : 'Count',
          })),
        },
      ],
    },
    service: metricsService,
    ...root,
  });

beforeAll(async () => {
  server = await startCloudWatch({
    host: '127.0.0.1',
    port: 0,
    store,
    beforeRead: () => (reads += 1),
  });
  cloudwatch = new CloudWatchClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const lines = [
    emf(periodStart + 1_000, { ReadingsEvaluated: 30, EvaluationLag: [100, 200, 300] }, [
      'ReadingsEvaluated',
      'EvaluationLag',
    ]),
    emf(periodStart + 12_000, { ReadingsEvaluated: 50, EvaluationLag: [400] }, [
      'ReadingsEvaluated',
      'EvaluationLag',
    ]),
    emf(periodStart + 13_000, { ReadingsAccepted: 80 }, ['ReadingsAccepted']),
  ];
  for (const point of lines.flatMap(parseEmf)) store.record(point);
  recordQueueMetrics(
    store,
    new Map([
      [
        'telemetry-readings',
        {
          messages: {
            ready: [{ sentTimestamp: now - 42_000 }],
            delayed: [],
            inflight: [{ message: { sentTimestamp: now - 7_000 } }],
          },
        },
      ],
    ]),
    now,
  );
});

afterAll(async () => {
  cloudwatch?.destroy();
  await server?.close();
});

describe('the local CloudWatch emulator', () => {
  it('given captured EMF, when the SDK asks GetMetricData for sums and percentiles, then each period with data has its statistic, in the order asked', async () => {
    const metric = (MetricName: string) => ({
      Namespace: metricsNamespace,
      MetricName,
      Dimensions: [{ Name: 'service', Value: metricsService }],
    });
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(periodStart),
        EndTime: new Date(now + 1000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          {
            Id: 'evaluated',
            MetricStat: { Metric: metric('ReadingsEvaluated'), Period: 10, Stat: 'Sum' },
          },
          { Id: 'lag', MetricStat: { Metric: metric('EvaluationLag'), Period: 60, Stat: 'p50' } },
          {
            Id: 'hidden',
            MetricStat: { Metric: metric('ReadingsAccepted'), Period: 60, Stat: 'Sum' },
            ReturnData: false,
          },
        ],
      }),
    );
    expect(answer.MetricDataResults).toEqual([
      expect.objectContaining({
        Id: 'evaluated',
        Label: 'ReadingsEvaluated',
        StatusCode: 'Complete',
        Timestamps: [new Date(periodStart), new Date(periodStart + 10_000)],
        Values: [30, 50],
      }),
      expect.objectContaining({ Id: 'lag', Values: [200] }),
    ]);
    expect(reads).toBeGreaterThan(0);
  });

  it('given no ScanBy, then points come newest first, as CloudWatch gives them', async () => {
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(periodStart),
        EndTime: new Date(now + 1000),
        MetricDataQueries: [
          {
            Id: 'evaluated',
            MetricStat: {
              Metric: {
                Namespace: metricsNamespace,
                MetricName: 'ReadingsEvaluated',
                Dimensions: [{ Name: 'service', Value: metricsService }],
              },
              Period: 10,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    expect(answer.MetricDataResults?.[0]?.Values).toEqual([50, 30]);
  });

  it('given metric math or an unknown statistic, then the SDK gets an InvalidParameterValue error that says so', async () => {
    const expression = cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(periodStart),
        EndTime: new Date(now),
        MetricDataQueries: [{ Id: 'rate', Expression: 'SUM(METRICS())' }],
      }),
    );
    await expect(expression).rejects.toMatchObject({
      name: expect.stringMatching(/InvalidParameterValue/),
      message: expect.stringContaining('metric math'),
    });
    const statistic = cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(periodStart),
        EndTime: new Date(now),
        MetricDataQueries: [
          {
            Id: 'odd',
            MetricStat: {
              Metric: { Namespace: metricsNamespace, MetricName: 'EvaluationLag' },
              Period: 60,
              Stat: 'TM99',
            },
          },
        ],
      }),
    );
    await expect(statistic).rejects.toMatchObject({ message: expect.stringContaining('TM99') });
  });

  it('given captured metrics and queue samples, then ListMetrics names each metric with its dimensions', async () => {
    const answer = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/SQS' }));
    expect(answer.Metrics?.map((m) => m.MetricName).sort()).toEqual([
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesDelayed',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesVisible',
    ]);
    expect(answer.Metrics?.[0]?.Dimensions).toEqual([
      { Name: 'QueueName', Value: 'telemetry-readings' },
    ]);
  });

  it("given the status adapter, then its series come from the emulator: sums, the lag's percentiles and the queue's oldest message age", async () => {
    const source = new AwsSystemStatusSource(undefined as never, cloudwatch, {
      evaluationQueueUrl: 'http://127.0.0.1:1/000000000000/telemetry-readings',
      deadLetterQueueUrl: 'http://127.0.0.1:1/000000000000/telemetry-readings-dlq',
    });
    const series = await source.series({ from: periodStart, to: now + 1000, periodSeconds: 60 });
    expect(series.readingsEvaluated).toEqual([{ at: periodStart, value: 80 }]);
    expect(series.readingsAccepted).toEqual([{ at: periodStart, value: 80 }]);
    expect(series.evaluationLagP50).toEqual([{ at: periodStart, value: 200 }]);
    expect(series.evaluationLagP99).toEqual([{ at: periodStart, value: 400 }]);
    expect(series.oldestMessageAge.at(-1)?.value).toBe(42);
  });
});
