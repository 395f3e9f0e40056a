import type { ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { LocalStack } from '../local/stack.ts';
import type { AwsRequestCounter, RequestCounts } from './aws-counter.ts';
import { startBenchScript } from './child-process.ts';
import type { BenchCredentials } from './credentials.ts';
import type { QueueWatcher } from './stack.ts';
import { expectData, graphqlRequest } from './support.ts';

/** The metric only latency readings use; a catch-all rule makes every such reading breach. */
export const LATENCY_METRIC = 'bench.latency';

const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;

export interface LatencyOptions {
  /** Alerts measured, after the warm-up. */
  alerts: number;
  /** Alerts sent before measuring, the first one to arrive included, to warm the stack up. */
  warmup: number;
  /** How long to wait for one alert before counting it as missed. */
  alertTimeoutMs: number;
  /** Upper bound for the warm-up, and again for the measurement. */
  budgetMs: number;
}

export interface LatencyResult {
  /** ingestEvent call start → `data` frame received, per alert, in ms. */
  deliveryMs: number[];
  /** ingestEvent HTTP round trip, per reading, in ms. */
  ingestMs: number[];
  /** Deliveries before measuring, from the stack's first alert on, in ms: the warm-up. */
  coldMs: number[];
  /** Warm-up alerts not delivered within the alert timeout. */
  coldMissed: number;
  missed: number;
  /** AWS requests while the measured alerts were produced (queue drained before the snapshot). */
  counts: RequestCounts;
  /** Data frames received while counting (one subscriber): AppSync real-time updates. */
  framesReceived: number;
}

/**
 * `ingestEvent` → `onAlert` delivery latency, measured by a client in a process of its own
 * (bench/latency-client.ts), which ingests with the demo device token and subscribes with the
 * admin's ID token (both handed over in its environment, not on its command line). A catch-all rule (created by the admin) on a metric only this phase
 * sends makes every reading breach; each reading comes from a new device, so each starts
 * its own alert (whatever the alert de-duplication per device and rule). Readings are sent
 * one at a time, each after the previous alert arrived, and timed from just before the HTTP
 * call to the receipt of the `data` frame carrying that reading's id as `eventId`.
 */
export async function measureAlertLatency(
  stack: LocalStack,
  counter: AwsRequestCounter,
  queue: QueueWatcher,
  credentials: BenchCredentials,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const { GraphQLUrl: url, RealtimeUrl: realtimeUrl } = stack.outputs;
  expectData(
    await graphqlRequest(url, credentials.adminToken, CREATE_RULE, {
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
  const child = startBenchScript(
    './latency-client.ts',
    [
      url,
      realtimeUrl,
      LATENCY_METRIC,
      options.alerts,
      options.warmup,
      options.alertTimeoutMs,
      options.budgetMs,
    ],
    { deviceToken: credentials.deviceToken, idToken: credentials.adminToken },
    ['pipe', 'pipe', 'inherit'],
  );
  const { stdin, stdout } = child as ChildProcessByStdio<Writable, Readable, null>;
  const lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
  const nextLine = async <T>(): Promise<T> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the latency client stopped before reporting');
    return JSON.parse(value as string) as T;
  };
  try {
    const { warm, coldMs, coldMissed } = await nextLine<{
      warm: number;
      coldMs: number[];
      coldMissed: number;
    }>();
    if (warm === 0) throw new Error('No alert arrived within 20 s of creating the rule');
    await queue.drained(30_000);
    counter.reset();
    stdin.write('go\n');
    await nextLine<{ sent: number }>();
    await queue.drained(30_000);
    const counts = counter.snapshot();
    stdin.write('done\n');
    const samples = await nextLine<Omit<LatencyResult, 'counts' | 'coldMs' | 'coldMissed'>>();
    return { ...samples, coldMs, coldMissed, counts };
  } finally {
    child.kill();
  }
}
