import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LocalStack } from '../local/stack.ts';
import type { AwsRequestCounter, RequestCounts } from './aws-counter.ts';
import { RealtimeSubscription } from '../local/realtime-client.ts';
import type { QueueWatcher } from './stack.ts';
import { expectData, graphqlRequest, progress } from './support.ts';

/** The metric only latency readings use; a catch-all rule makes every such reading breach. */
export const LATENCY_METRIC = 'bench.latency';

const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const INGEST_ONE = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }`;
const ON_ALERT = `subscription OnAlert { onAlert { id deviceId eventId } }`;

export interface LatencyOptions {
  /** Alerts measured, after the warm-up. */
  alerts: number;
  warmup: number;
  /** How long to wait for one alert before counting it as missed. */
  alertTimeoutMs: number;
  /** Upper bound for the whole measurement. */
  budgetMs: number;
}

export interface LatencyResult {
  /** ingestEvent call start → `data` frame received, per alert, in ms. */
  deliveryMs: number[];
  /** ingestEvent HTTP round trip, per reading, in ms. */
  ingestMs: number[];
  missed: number;
  /** AWS requests while the measured alerts were produced (queue drained before the snapshot). */
  counts: RequestCounts;
  /** Data frames received while counting (one subscriber): AppSync real-time updates. */
  framesReceived: number;
}

/**
 * `ingestEvent` → `onAlert` delivery latency. A catch-all rule on a metric only this phase
 * sends makes every reading breach; each reading comes from a new device, so each starts
 * its own alert (whatever the alert de-duplication per device and rule). Readings are sent
 * one at a time, each after the previous alert arrived, and timed from just before the HTTP
 * call to the receipt of the `data` frame carrying that reading's id as `eventId`.
 */
export async function measureAlertLatency(
  stack: LocalStack,
  counter: AwsRequestCounter,
  queue: QueueWatcher,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const { GraphQLUrl: url, ApiKey: apiKey, RealtimeUrl: realtimeUrl } = stack.outputs;
  const subscription = await RealtimeSubscription.open(realtimeUrl, url, apiKey, ON_ALERT);
  try {
    expectData(
      await graphqlRequest(url, apiKey, CREATE_RULE, {
        input: {
          metric: LATENCY_METRIC,
          operator: 'GT',
          threshold: 0,
          severity: 'INFO',
          name: 'bench: every latency reading breaches',
        },
      }),
      'createRule (latency)',
    );
    const runId = randomUUID().slice(0, 8);
    const sendOne = async (device: string) => {
      const id = randomUUID();
      let stopListening = () => {};
      let timer: NodeJS.Timeout | undefined;
      const arrived = new Promise<number | null>((resolve) => {
        stopListening = subscription.onData((frame) => {
          const alert = frame.data.onAlert as { eventId?: string } | undefined;
          if (alert?.eventId === id) resolve(frame.receivedAt);
        });
        timer = setTimeout(() => resolve(null), options.alertTimeoutMs);
      });
      const started = performance.now();
      const result = await graphqlRequest(url, apiKey, INGEST_ONE, {
        input: { id, deviceId: `lat-${runId}-${device}`, metric: LATENCY_METRIC, value: 100 },
      });
      const acknowledged = performance.now();
      expectData(result, 'ingestEvent (latency)');
      const receivedAt = await arrived;
      stopListening();
      clearTimeout(timer);
      return {
        ingestMs: acknowledged - started,
        deliveryMs: receivedAt === null ? null : receivedAt - started,
      };
    };

    // The worker reloads rules every couple of seconds: wait until the rule fires.
    let warm = 0;
    const warmDeadline = performance.now() + 20_000;
    for (let index = 0; warm < options.warmup && performance.now() < warmDeadline; index += 1) {
      if ((await sendOne(`warm-${index}`)).deliveryMs !== null) warm += 1;
    }
    if (warm === 0) throw new Error('No alert arrived within 20 s of creating the rule');
    await queue.drained(30_000);

    let frames = 0;
    const stopCountingFrames = subscription.onData(() => {
      frames += 1;
    });
    counter.reset();
    const deliveryMs: number[] = [];
    const ingestMs: number[] = [];
    let missed = 0;
    const deadline = performance.now() + options.budgetMs;
    for (let index = 0; index < options.alerts && performance.now() < deadline; index += 1) {
      const sample = await sendOne(String(index));
      ingestMs.push(sample.ingestMs);
      if (sample.deliveryMs === null) missed += 1;
      else deliveryMs.push(sample.deliveryMs);
      if ((index + 1) % 100 === 0) progress(`latency: ${index + 1}/${options.alerts} alerts`);
    }
    await queue.drained(30_000);
    const counts = counter.snapshot();
    stopCountingFrames();
    return { deliveryMs, ingestMs, missed, counts, framesReceived: frames };
  } finally {
    subscription.close();
  }
}
