import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalStack } from '../local/stack.ts';
import type { AwsRequestCounter } from './aws-counter.ts';
import type { IngestRun } from './cost.ts';
import { BENCH_DEVICE_PREFIX, type BenchCredentials } from './credentials.ts';
import { FLEET_METRICS } from './fleet.ts';
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
  /**
   * Batches shaped as a fleet sends them (the cost model's reference fleet): each call one
   * reading of each of 5 metrics from each of 20 devices, the devices in turn.
   */
  fleet: IngestRun;
  batchSize: number;
  /** Devices the fleet-shaped run cycles through. */
  fleetDevices: number;
  /** False when a run's readings were not all processed within the drain timeout. */
  drained: { single: boolean; batch: boolean; fleet: boolean };
}

/** Devices the fleet-shaped run takes in turn: each is seen again every 10 calls. */
const FLEET_RUN_DEVICES = 200;

/**
 * AWS requests per reading, with no rule breached: a catch-all rule watches the readings'
 * metric with a threshold they never reach (the usual case: rules exist, readings are
 * normal; the rule is the admin's, the readings the demo device credential's). One run sends single readings with `ingestEvent`, one after the other; the
 * next sends `ingestEvents` batches of 10 devices' readings of one metric, one after the
 * other; the last sends batches shaped as a fleet sends them (20 devices, one reading of
 * each of 5 metrics, each metric watched by a catch-all rule), the devices in turn, after
 * each device was seen once. Each run is counted until the
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
  for (const metric of FLEET_METRICS) {
    expectData(
      await graphqlRequest(url, adminToken, CREATE_RULE, {
        input: {
          metric: `${COST_METRIC}.${metric}`,
          operator: 'GT',
          threshold: 1e12,
          severity: 'INFO',
          name: `bench: watches the fleet-shaped cost readings of ${metric}, never breached`,
        },
      }),
      'createRule (requests, fleet-shaped)',
    );
  }
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

  let nextFleetDevice = 0;
  const sendFleetBatch = async () => {
    const input = Array.from({ length: options.batchSize }, (_, i) => {
      const device = (nextFleetDevice + Math.floor(i / FLEET_METRICS.length)) % FLEET_RUN_DEVICES;
      return {
        id: `${runId}-${(sequence += 1)}`,
        deviceId: `${BENCH_DEVICE_PREFIX}cost-${runId}-fleet-${device}`,
        metric: `${COST_METRIC}.${FLEET_METRICS[i % FLEET_METRICS.length]}`,
        value: 20 + (sequence % 7),
      };
    });
    nextFleetDevice =
      (nextFleetDevice + Math.ceil(options.batchSize / FLEET_METRICS.length)) % FLEET_RUN_DEVICES;
    const started = performance.now();
    const data = expectData(
      await graphqlRequest<{ ingestEvents: { accepted: number } }>(url, deviceToken, INGEST_MANY, {
        input,
      }),
      'ingestEvents (requests, fleet-shaped)',
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
  // Every device of the fleet-shaped run once before counting: devices in the inventory, as
  // a running fleet's are.
  for (let i = 0; i < FLEET_RUN_DEVICES / (options.batchSize / FLEET_METRICS.length); i += 1) {
    await sendFleetBatch();
  }
  await queue.drained(options.drainTimeoutMs);
  const fleet = await run(options.batches, options.batchSize, sendFleetBatch);
  progress(`requests: ${options.batches} fleet-shaped batches counted`);
  return {
    single: single.result,
    batch: batch.result,
    fleet: fleet.result,
    batchSize: options.batchSize,
    fleetDevices: FLEET_RUN_DEVICES,
    drained: { single: single.drained, batch: batch.drained, fleet: fleet.drained },
  };
}
