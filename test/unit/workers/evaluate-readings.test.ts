import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EvaluationDeps } from '../../../domain/evaluation.ts';
import type { Reading } from '../../../domain/reading.ts';
import { reading, t0 } from '../../support/builders.ts';
import { type Captured, captureOutput, pointsOf, sumOf } from '../../support/emf.ts';
import type * as TracerModuleType from '../../../adapters/tracer.ts';
import type {
  FakeAlertStore,
  FakeChannel,
  FakeEpisodeStore,
  FakeReadingStore,
} from '../../support/fakes.ts';

// The worker's wiring with in-memory ports, but the functions' own metrics and alert hook.
vi.mock('../../../adapters/wiring/evaluation.ts', async () => {
  const { metrics } = await import('../../../adapters/metrics.ts');
  const { alertFired } = await import('../../../adapters/instrumentation.ts');
  const { RuleIndex } = await import('../../../domain/rule-index.ts');
  const fakes = await import('../../support/fakes.ts');
  const { rule } = await import('../../support/builders.ts');
  const index = new RuleIndex([rule('hot', { severity: 'CRITICAL' })]);
  const evaluationDeps: EvaluationDeps = {
    readings: new fakes.FakeReadingStore(),
    rules: async () => index,
    devices: { loadMany: async () => new Map(), recordSightings: async () => undefined },
    episodes: new fakes.FakeEpisodeStore(),
    alerts: new fakes.FakeAlertStore(),
    notifier: new fakes.FakeChannel(),
    publisher: new fakes.FakeChannel(),
    now: () => t0 + 60_000,
    sleep: async () => undefined,
    firingWindowMs: 60_000,
    deliveryLeaseMs: 60_000,
    ...fakes.muteDeps(new fakes.FakeMutes()),
    metrics,
    onAlertFired: alertFired,
  };
  return { evaluationDeps };
});

type TracerModule = typeof TracerModuleType;

// Powertools Tracer's X-Ray segments as plain recorders: tracing is on where a test says so.
const xray = vi.hoisted(() => {
  /** What the handler does with an X-Ray (sub)segment, recorded. */
  class FakeSubsegment {
    readonly annotations: Record<string, unknown> = {};
    readonly name: string;
    readonly all: FakeSubsegment[];
    readonly parent: FakeSubsegment | null;
    closed = false;
    constructor(name: string, all: FakeSubsegment[], parent: FakeSubsegment | null = null) {
      this.name = name;
      this.all = all;
      this.parent = parent;
    }
    addNewSubsegment(name: string): FakeSubsegment {
      const subsegment = new FakeSubsegment(name, this.all, this);
      this.all.push(subsegment);
      return subsegment;
    }
    addAnnotation(key: string, value: unknown): void {
      this.annotations[key] = value;
    }
    close(): void {
      this.closed = true;
    }
  }
  const subsegments: FakeSubsegment[] = [];
  const facade = new FakeSubsegment('facade', subsegments);
  const state = { enabled: false, current: facade, facade, subsegments };
  const tracer = {
    isTracingEnabled: () => state.enabled,
    getSegment: () => state.current,
    setSegment: (segment: FakeSubsegment) => void (state.current = segment),
    annotateColdStart: () => undefined,
    addServiceNameAnnotation: () => undefined,
    addErrorAsMetadata: () => undefined,
    putAnnotation: (key: string, value: unknown) => state.current.addAnnotation(key, value),
    captureAWSv3Client: <T>(client: T) => client,
  };
  return { state, tracer };
});
vi.mock('../../../adapters/tracer.ts', async (importActual) => {
  const actual = await importActual<TracerModule>();
  const tracer = xray.tracer as unknown as NonNullable<typeof actual.tracer>;
  return {
    tracer,
    traceAlertFired: (alert: Parameters<typeof actual.traceAlertFired>[0]) =>
      actual.traceAlertFired(alert, tracer),
  };
});

const { handler } = await import('../../../workers/evaluate-readings.ts');
const { evaluationDeps } = await import('../../../adapters/wiring/evaluation.ts');
const { logger } = await import('../../../adapters/logger.ts');

const SENT_MS_AGO = 5_000;

function record(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `${messageId}-handle`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now() - SENT_MS_AGO),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:evaluation',
    awsRegion: 'eu-west-1',
  };
}

const readings = (...list: Reading[]) => ({ readings: list });
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const context = {
  functionName: 'telemetry-alerts-worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:telemetry-alerts-worker',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
} as Context;

let output: Captured;

beforeEach(() => {
  const fresh = (name: keyof EvaluationDeps) => {
    const current = evaluationDeps[name] as object;
    return new (current.constructor as new () => object)();
  };
  Object.assign(evaluationDeps, {
    readings: fresh('readings') as FakeReadingStore,
    episodes: fresh('episodes') as FakeEpisodeStore,
    alerts: fresh('alerts') as FakeAlertStore,
    notifier: fresh('notifier') as FakeChannel,
    publisher: fresh('publisher') as FakeChannel,
  });
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  xray.state.enabled = false;
  logger.setLogLevel('INFO');
  vi.restoreAllMocks();
});

describe('the worker, observed', () => {
  it('given records of readings and a poison record, when the worker runs, then its one flush counts the readings evaluated, one evaluation lag per record, the poison record and the alert fired', async () => {
    // Prepare
    const event = batch(
      record('m1', readings(reading('r1', 20, 1), reading('r2', 21, 2))),
      record('m2', readings(reading('r3', 70, 3))),
      record('m3', 'not json'),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
    const points = output.points();
    expect(pointsOf(points, 'ReadingsEvaluated')).toEqual([
      expect.objectContaining({ unit: 'Count', values: [3] }),
    ]);
    const lag = pointsOf(points, 'EvaluationLag');
    expect(lag).toEqual([expect.objectContaining({ unit: 'Milliseconds' })]);
    expect(lag[0]?.values).toHaveLength(2);
    for (const value of lag[0]?.values ?? []) expect(value).toBeGreaterThanOrEqual(SENT_MS_AGO);
    expect(pointsOf(points, 'PoisonRecords')).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    expect(sumOf(points, 'AlertsFired', { severity: 'CRITICAL' })).toBe(1);
    expect(sumOf(points, 'NotificationsSent', { channel: 'group' })).toBe(1);
    expect(sumOf(points, 'NotificationsSent', { channel: 'push' })).toBe(1);
  });

  it("given a reading that fires an alert, then the worker's log lines about it carry its id as correlation_id, as the alert's eventId does", async () => {
    // As an invocation sampled for debug logs (POWERTOOLS_LOGGER_SAMPLE_RATE) starts.
    vi.spyOn(logger, 'refreshSampleRateCalculation').mockImplementation(() =>
      logger.setLogLevel('DEBUG'),
    );

    await handler(batch(record('m1', readings(reading('r1', 20, 1), reading('r9', 75, 2)))));

    const logs = output.logs();
    const received = logs.find((line) => line.message === 'Readings received');
    expect(received).toMatchObject({ messageId: 'm1', correlation_ids: ['r1', 'r9'] });
    const fired = logs.find((line) => line.message === 'Alert fired');
    const [stored] = (evaluationDeps.alerts as FakeAlertStore).items.values();
    expect(stored?.alert.eventId).toBe('r9');
    expect(fired).toMatchObject({
      correlation_id: 'r9',
      alertId: stored?.alert.id,
      ruleId: 'hot',
      severity: 'CRITICAL',
    });
  });

  it('given a reading whose evaluation fails, then the warning carries its correlation_id and its record adds no evaluation lag', async () => {
    (evaluationDeps.episodes as FakeEpisodeStore).beforeSave = async () => {
      throw new Error('DynamoDB unavailable');
    };

    const result = await handler(batch(record('m1', readings(reading('r5', 80, 1)))));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    const warning = output
      .logs()
      .find((line) => line.message?.toString().startsWith('Reading not'));
    expect(warning).toMatchObject({ level: 'WARN', correlation_id: 'r5', messageId: 'm1' });
    expect(pointsOf(output.points(), 'EvaluationLag')).toEqual([]);
  });

  it('given a Lambda context, then every log line of the invocation carries it', async () => {
    await handler(batch(record('m1', readings(reading('r7', 90, 1)))), context);

    const logs = output.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(line).toMatchObject({
        function_name: context.functionName,
        function_request_id: context.awsRequestId,
      });
    }
  });

  it('given tracing on, then the invocation is a subsegment and the alert that fired is marked with its rule and alert ids, never a reading value', async () => {
    // Prepare
    xray.state.enabled = true;

    // Act
    await handler(batch(record('m1', readings(reading('r8', 65.5, 1)))));

    // Assess
    const { subsegments, facade } = xray.state;
    const invocation = subsegments.find((s) => s.name === '## evaluate-readings');
    expect(invocation?.closed).toBe(true);
    expect(xray.state.current).toBe(facade);
    const marks = subsegments.filter((s) => s.name === 'alert fired');
    const [stored] = (evaluationDeps.alerts as FakeAlertStore).items.values();
    expect(marks.map((s) => s.annotations)).toEqual([{ ruleId: 'hot', alertId: stored?.alert.id }]);
    expect(marks[0]?.parent).toBe(invocation);
    expect(marks[0]?.closed).toBe(true);
    const annotated = subsegments.flatMap((s) => Object.values(s.annotations));
    expect(annotated).not.toContain(65.5);
  });
});
