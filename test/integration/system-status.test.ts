import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamodb } from '../../adapters/clients/dynamodb.ts';
import { metricsNamespace, metricsService } from '../../domain/metrics.ts';
import type { LocalStack } from '../../local/stack.ts';
import { stackApi, startTestStack } from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

let stack: LocalStack;

beforeAll(async () => {
  // A failing message is delivered three times, a second apart, then dead-lettered. Two
  // pollers: while the worker is held, both wait on their batch and nothing else is taken.
  stack = await startTestStack({
    queue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 },
    worker: { batchSize: 10, maxBatchingWindowMs: 0, concurrency: 2 },
    statusPeriodSeconds: 5,
  });
});

afterAll(async () => {
  await stack?.stop();
});

const api = stackApi(() => stack);

interface Point {
  at: string;
  value: number;
}
interface Status {
  readAt: string;
  queueDepth: number;
  queueInFlight: number;
  deadLetterDepth: number;
  oldestMessageAgeSeconds: number | null;
  periodSeconds: number;
  readingsAccepted: Point[];
  readingsEvaluated: Point[];
  evaluationLagP50: Point[];
  evaluationLagP99: Point[];
  oldestMessageAge: Point[];
}

const STATUS = `query ($minutes: Int) {
  systemStatus(minutes: $minutes) {
    readAt queueDepth queueInFlight deadLetterDepth oldestMessageAgeSeconds periodSeconds
    readingsAccepted { at value } readingsEvaluated { at value }
    evaluationLagP50 { at value } evaluationLagP99 { at value } oldestMessageAge { at value }
  }
}`;

async function status(minutes?: number): Promise<Status> {
  const answer = await api<{ systemStatus: Status }>(STATUS, { minutes });
  if (!answer.data) throw new Error(JSON.stringify(answer.errors));
  return answer.data.systemStatus;
}

/**
 * Holds the worker: every DynamoDB call of the handlers in this process (the worker's
 * storing of readings first) waits until `release`. The pollers wait on their batch, so
 * what arrives meanwhile stays queued.
 */
function holdWorker(): { release(): void } {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding = true;
  dynamodb.middlewareStack.add(
    (next) => async (args) => {
      if (holding) await held;
      return next(args);
    },
    { step: 'initialize', name: 'hold-worker' },
  );
  return {
    release: () => {
      holding = false;
      release();
      dynamodb.middlewareStack.remove('hold-worker');
    },
  };
}

describe('systemStatus against the local stack', () => {
  it('given a message the worker cannot evaluate, then after its deliveries it is counted in the dead-letter queue', async () => {
    // Prepare
    const before = await status();
    const sqs = new SQSClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.SqsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

    // Act: a record that is neither a reading nor a work message
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.outputs.EvaluationQueueUrl,
        MessageBody: '{"this is": "not a reading"}',
      }),
    );

    // Assess
    const after = await waitFor(async () => {
      const now = await status();
      return now.deadLetterDepth > before.deadLetterDepth && now;
    }, 'the poison message in the dead-letter queue');
    expect(after.deadLetterDepth).toBe(before.deadLetterDepth + 1);
  });

  it('given readings queued while the worker is held, then the queue depth and the age of the oldest message show the backlog, and both fall back once it is evaluated', async () => {
    // Prepare
    const worker = holdWorker();
    const readings = Array.from({ length: 200 }, (_, i) => ({
      id: `backlog-${i}`,
      deviceId: 'S-backlog',
      metric: 'temperature',
      value: i,
    }));

    // Act
    const ack = await api<{ ingestEvents: { accepted: number } }>(
      'mutation ($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }',
      { input: readings },
    );
    expect(ack.data?.ingestEvents.accepted).toBe(200);

    // Assess: five messages of 40 readings wait, and the oldest has waited a while
    const backlog = await waitFor(async () => {
      const now = await status();
      return (now.oldestMessageAgeSeconds ?? 0) >= 1 && now;
    }, 'the backlog to age');
    expect(backlog.queueDepth).toBe(5);
    expect(backlog.oldestMessageAge.at(-1)?.value).toBe(backlog.oldestMessageAgeSeconds);
    expect(Date.parse(backlog.readAt)).toBeGreaterThan(Date.now() - 60_000);

    worker.release();
    const drained = await waitFor(
      async () => {
        const now = await status();
        return now.queueDepth === 0 && now.oldestMessageAgeSeconds === 0 && now;
      },
      'the backlog to be evaluated',
      30_000,
    );
    expect(drained.queueInFlight).toBe(0);
    const stored = await api<{ events: { items: unknown[] } }>(
      'query { events(deviceId: "S-backlog", limit: 1000) { items { id } } }',
    );
    expect(stored.data?.events.items).toHaveLength(200);
    // The functions' own metrics, captured from their output: ingest accepted the 200 and
    // the worker evaluated them, each message's lag recorded.
    const counted = await waitFor(async () => {
      const now = await status();
      const total = (points: Point[]) =>
        points.reduce((sum, point) => sum + point.value * now.periodSeconds, 0);
      return total(now.readingsEvaluated) >= 200 && total(now.readingsAccepted) >= 200 && now;
    }, "the functions' metrics of the backlog");
    expect(counted.evaluationLagP99.length).toBeGreaterThan(0);
  });

  it("given metrics a handler in the endpoint's process writes with Powertools, then systemStatus shows readings per second and the evaluation lag's p50 and p99 per period", async () => {
    // Prepare: what a function writes at the end of an invocation, to the process's stdout
    const metrics = new Metrics({ namespace: metricsNamespace, serviceName: metricsService });

    // Act
    metrics.addMetric('ReadingsAccepted', MetricUnit.Count, 50);
    metrics.addMetric('ReadingsEvaluated', MetricUnit.Count, 40);
    for (let lag = 1; lag <= 50; lag++) {
      metrics.addMetric('EvaluationLag', MetricUnit.Milliseconds, lag);
    }
    metrics.publishStoredMetrics();

    // Assess
    const now = await waitFor(async () => {
      const read = await status(5);
      return read.evaluationLagP99.length > 0 && read;
    }, 'the evaluation lag in systemStatus');
    expect(now.periodSeconds).toBe(5);
    const latest = (series: Point[]) => series.at(-1)?.value ?? 0;
    expect(latest(now.readingsAccepted)).toBeGreaterThanOrEqual(50 / 5);
    expect(latest(now.readingsEvaluated)).toBeGreaterThanOrEqual(40 / 5);
    expect(latest(now.evaluationLagP99)).toBeGreaterThanOrEqual(latest(now.evaluationLagP50));
    expect(latest(now.evaluationLagP50)).toBeGreaterThan(0);
    for (const point of now.readingsEvaluated) {
      expect(Date.parse(point.at) % 5000).toBe(0);
    }
  });

  it('given minutes outside 1 to 60, then systemStatus is refused with a ValidationError', async () => {
    const answer = await api(STATUS, { minutes: 61 });
    expect(answer.errors?.[0]).toMatchObject({ errorType: 'ValidationError' });
  });
});
