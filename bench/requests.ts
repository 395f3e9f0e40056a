import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalStack } from '../local/stack.ts';
import type { AwsRequestCounter } from './aws-counter.ts';
import type { IngestRun } from './cost.ts';
import { BENCH_DEVICE_PREFIX, type BenchCredentials } from './credentials.ts';
import { benchRulesRefreshMs, type QueueWatcher } from './stack.ts';
import { expectData, graphqlRequest, progress } from './support.ts';

/** The metric the request-count readings use; a rule watches it but is never breached. */
const COST_METRIC = 'bench.cost';

const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const INGEST_ONE = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }`;
const INGEST_MANY = `mutation IngestMany($input: [EventInput!]!) { ingestEvents(input: $input) { accepted rejected } }`;

export interface RequestsOptions {
  /** ingestEvent calls, one reading each. */
  singleReadings: number;
  /** ingestEvents calls of `batchSize` readings. */
  batches: number;
  batchSize: number;
  /** How long to wait for the worker to drain each run. */
  drainTimeoutMs: number;
}

export interface RequestsResult {
  single: IngestRun;
  batch: IngestRun;
  batchSize: number;
  /** False when a run's readings were not all processed within the drain timeout. */
  drained: { single: boolean; batch: boolean };
}

/**
 * AWS requests per reading, with no rule breached: a catch-all rule watches the readings'
 * metric with a threshold they never reach (the usual case: rules exist, readings are
 * normal; the rule is the admin's, the readings the demo device credential's). One run sends single readings with `ingestEvent`, one after the other; the
 * other sends `ingestEvents` batches, one after the other. Each run is counted until the
 * worker has drained the queue, so the worker's and the event source mapping's requests
 * for those readings are all in.
 */
export async function measureRequestsPerReading(
  stack: LocalStack,
  counter: AwsRequestCounter,
  queue: QueueWatcher,
  credentials: BenchCredentials,
  options: RequestsOptions,
): Promise<RequestsResult> {
  const { GraphQLUrl: url } = stack.outputs;
  const { adminToken, deviceToken } = credentials;
  expectData(
    await graphqlRequest(url, adminToken, CREATE_RULE, {
      input: {
        metric: COST_METRIC,
        operator: 'GT',
        threshold: 1e12,
        severity: 'INFO',
        name: 'bench: watches the cost readings, never breached',
      },
    }),
    'createRule (requests)',
  );
  const runId = randomUUID().slice(0, 8);
  let sequence = 0;
  const reading = (device: number) => ({
    id: `${runId}-${(sequence += 1)}`,
    deviceId: `${BENCH_DEVICE_PREFIX}cost-${runId}-${device}`,
    metric: COST_METRIC,
    value: 20 + (sequence % 7),
  });
  const sendOne = async () => {
    const started = performance.now();
    expectData(
      await graphqlRequest(url, deviceToken, INGEST_ONE, { input: reading(sequence % 10) }),
      'ingestEvent (requests)',
    );
    return performance.now() - started;
  };
  const sendBatch = async () => {
    const input = Array.from({ length: options.batchSize }, (_, i) => reading(i % 10));
    const started = performance.now();
    const data = expectData(
      await graphqlRequest<{ ingestEvents: { accepted: number } }>(url, deviceToken, INGEST_MANY, {
        input,
      }),
      'ingestEvents (requests)',
    );
    if (data.ingestEvents.accepted !== options.batchSize) {
      throw new Error(`ingestEvents accepted ${data.ingestEvents.accepted}/${options.batchSize}`);
    }
    return performance.now() - started;
  };

  // Let the worker load the new rule, and warm every path up, before counting.
  await sleep(benchRulesRefreshMs + 200);
  for (let i = 0; i < 10; i += 1) await sendOne();
  await sendBatch();
  await queue.drained(options.drainTimeoutMs);

  const run = async (calls: number, readingsPerCall: number, send: () => Promise<number>) => {
    counter.reset();
    const ingestCallMs: number[] = [];
    for (let i = 0; i < calls; i += 1) ingestCallMs.push(await send());
    const drained = await queue.drained(options.drainTimeoutMs);
    const result: IngestRun = {
      readings: calls * readingsPerCall,
      ingestCalls: calls,
      ingestCallMs,
      counts: counter.snapshot(),
      realtimeUpdates: 0,
    };
    return { result, drained };
  };
  const single = await run(options.singleReadings, 1, sendOne);
  progress(`requests: ${options.singleReadings} single readings counted`);
  const batch = await run(options.batches, options.batchSize, sendBatch);
  progress(`requests: ${options.batches} batches of ${options.batchSize} counted`);
  return {
    single: single.result,
    batch: batch.result,
    batchSize: options.batchSize,
    drained: { single: single.drained, batch: batch.drained },
  };
}
