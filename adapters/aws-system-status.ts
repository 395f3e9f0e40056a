import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type MetricName, metricsNamespace, metricsService } from '../domain/metrics.ts';
import type {
  MetricPoint,
  QueueDepths,
  StatusSeries,
  StatusWindow,
  SystemStatusSource,
} from '../domain/system-status.ts';

/** Each series: one statistic of one metric, by its CloudWatch name and dimensions. */
type SeriesQuery = {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
};

/**
 * The system's status as AWS keeps it: the queues' attributes from SQS (GetQueueAttributes),
 * the system's metrics and the queue's age of oldest message from CloudWatch (GetMetricData;
 * SQS itself does not tell that age). The local stack serves both APIs, its CloudWatch
 * emulator from the functions' captured EMF and samples of its queues, so this one adapter
 * runs in both places.
 */
export class AwsSystemStatusSource implements SystemStatusSource {
  readonly #sqs: SQSClient;
  readonly #cloudwatch: CloudWatchClient;
  readonly #queues: { evaluationQueueUrl: string; deadLetterQueueUrl: string };
  readonly #series: Record<StatusSeries, SeriesQuery>;

  constructor(
    sqs: SQSClient,
    cloudwatch: CloudWatchClient,
    queues: { evaluationQueueUrl: string; deadLetterQueueUrl: string },
  ) {
    this.#sqs = sqs;
    this.#cloudwatch = cloudwatch;
    this.#queues = queues;
    const own = (metric: MetricName, stat: string): SeriesQuery => ({
      namespace: metricsNamespace,
      metric,
      dimensions: { service: metricsService },
      stat,
    });
    this.#series = {
      readingsAccepted: own('ReadingsAccepted', 'Sum'),
      readingsEvaluated: own('ReadingsEvaluated', 'Sum'),
      evaluationLagP50: own('EvaluationLag', 'p50'),
      evaluationLagP99: own('EvaluationLag', 'p99'),
      oldestMessageAge: {
        namespace: 'AWS/SQS',
        metric: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: queueName(queues.evaluationQueueUrl) },
        stat: 'Maximum',
      },
    };
  }

  async queueDepths(): Promise<QueueDepths> {
    const [evaluation, deadLetter] = await Promise.all([
      this.#counts(this.#queues.evaluationQueueUrl),
      this.#counts(this.#queues.deadLetterQueueUrl),
    ]);
    return {
      waiting: evaluation.visible,
      inFlight: evaluation.notVisible,
      deadLetter: deadLetter.visible + deadLetter.notVisible,
    };
  }

  async series(window: StatusWindow): Promise<Record<StatusSeries, MetricPoint[]>> {
    const names = Object.keys(this.#series) as StatusSeries[];
    const queries: MetricDataQuery[] = names.map((name) => {
      const query = this.#series[name];
      return {
        Id: name.toLowerCase(),
        MetricStat: {
          Metric: {
            Namespace: query.namespace,
            MetricName: query.metric,
            Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: window.periodSeconds,
          Stat: query.stat,
        },
        ReturnData: true,
      };
    });
    const points = new Map<string, MetricPoint[]>(queries.map((q) => [q.Id as string, []]));
    let nextToken: string | undefined;
    do {
      const page = await this.#cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(window.from),
          EndTime: new Date(window.to),
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const values = result.Values ?? [];
        const series = points.get(result.Id ?? '');
        (result.Timestamps ?? []).forEach((at, i) => {
          const value = values[i];
          if (series && value !== undefined) series.push({ at: at.getTime(), value });
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return Object.fromEntries(
      names.map((name) => [name, points.get(name.toLowerCase()) ?? []]),
    ) as Record<StatusSeries, MetricPoint[]>;
  }

  async #counts(queueUrl: string): Promise<{ visible: number; notVisible: number }> {
    const { Attributes } = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      notVisible: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }
}

/** A queue's name, the last part of its URL: what SQS's CloudWatch metrics are keyed by. */
export function queueName(queueUrl: string): string {
  return new URL(queueUrl).pathname.split('/').filter(Boolean).at(-1) ?? queueUrl;
}
