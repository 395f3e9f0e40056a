import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeviceStore } from '../adapters/dynamodb-device-store.ts';
import { ruleChangeFeed } from '../domain/rule-cache.ts';
import type { LocalStack } from '../local/stack.ts';
import type { AwsRequestCounter, RequestCounts, TableCount } from './aws-counter.ts';
import type { BenchCredentials } from './credentials.ts';
import {
  batchPut,
  FLEET_METRICS,
  fleetDeviceId,
  fleetLabels,
  NORMAL_VALUES,
  writeFleetRules,
} from './fleet.ts';
import { type LatencyOptions, measureAlertLatency } from './latency.ts';
import { measureMachineSpeed } from './machine.ts';
import { type QueueWatcher, stackDocuments } from './stack.ts';
import { expectData, graphqlRequest, progress } from './support.ts';
import { measureThroughput, type ThroughputOptions } from './throughput.ts';

const INGEST_MANY = `mutation IngestMany($input: [EventInput!]!) { ingestEvents(input: $input) { accepted rejected } }`;

export interface ScaleOptions {
  /** Fleet rules at this level (bench/fleet.ts); 0 is the level without any. */
  rules: number;
  /** Devices the per-device rules are spread over. */
  devices: number;
  /** The fleet's first devices, which send every reading of the level and carry labels. */
  sendingDevices: number;
  latency: LatencyOptions;
  /** Steady traffic while the DynamoDB reads are counted: a rate, for this long. */
  steady: { readingsPerSecond: number; durationMs: number };
  throughput: ThroughputOptions;
}

/** What one level measured, on its own fresh stack. */
export interface ScaleLevelResult {
  rules: number;
  devices: number;
  sendingDevices: number;
  /** Writing the rules and the sending devices into the tables, ms. */
  setupMs: number;
  /**
   * The worker's first batch after the stack started: the time from sending it to an empty
   * queue, and what the worker read meanwhile (the cold start's full load of every rule).
   */
  coldStart: { ms: number; tables: Record<string, TableCount> };
  /**
   * The stack process's V8 heap after a full garbage collection, before the worker's cold
   * start and after it: the worker's index of the rules is the difference.
   */
  heapBeforeLoadBytes: number;
  heapAfterLoadBytes: number;
  /** ingestEvent → onAlert delivery, ms, and alerts missed (bench/latency.ts). */
  latency: { deliveryMs: number[]; missed: number; warmup: number };
  /** Steady traffic with no rule changes: what the stack read, by table, over `seconds`. */
  steady: { seconds: number; readings: number; tables: Record<string, TableCount> };
  /** One run of the scheduled check, right after the steady traffic: what it read. */
  check: { tables: Record<string, TableCount> };
  throughput: {
    acknowledgedPerSecond: number;
    processedPerSecond: number;
    processed: number;
    drained: boolean;
  };
  /**
   * The shared machine around the measurements (before the latency step, after the
   * throughput step): the fixed task of bench/machine.ts, ms, and the 1-minute load average.
   * Levels run one after the other; these say whether they ran on the same machine.
   */
  machine: { before: MachineState; after: MachineState };
}

export interface MachineState {
  cpuTaskMs: number;
  loadAverage: number;
}

async function machineState(): Promise<MachineState> {
  const { cpuTaskMs } = await measureMachineSpeed();
  return { cpuTaskMs, loadAverage: loadavg()[0] ?? Number.NaN };
}

/**
 * One level of the scale phase, on a stack just started in this process with the worker on
 * its event loop (where the request counter reaches its SDK clients) and the scheduled
 * check left to this function:
 *
 * 1. the fleet's rules and its sending devices (with their labels) are written straight
 *    into the tables; then a wait past the rule refresh's overlap, so no refresh reads the
 *    set-up as changes;
 * 2. the worker's cold start: one batch of fleet readings, counted, with the heap measured
 *    before and after (a full collection each time);
 * 3. alert latency, as the latency phase measures it (its catch-all rule is the level's one
 *    rule change, well before step 4);
 * 4. steady fleet traffic at a fixed rate with no rule change, counted, then one run of the
 *    scheduled check, counted on its own;
 * 5. batch-ingest throughput of fleet readings, as the throughput phase measures it.
 */
export async function measureScaleLevel(
  stack: LocalStack,
  counter: AwsRequestCounter,
  queue: QueueWatcher,
  credentials: BenchCredentials,
  options: ScaleOptions,
): Promise<ScaleLevelResult> {
  const { outputs } = stack;
  const name = `scale, ${options.rules.toLocaleString('en-US')} rules`;
  const setupStarted = performance.now();
  const client = stackDocuments(outputs);
  try {
    progress(`${name}: writing the rules and ${options.sendingDevices} devices`);
    await writeFleetDevices(client, outputs.DevicesTableName, options.sendingDevices);
    if (options.rules > 0) {
      await writeFleetRules(client, outputs.RulesTableName, options.rules, options.devices);
    }
  } finally {
    client.destroy();
  }
  const setupMs = performance.now() - setupStarted;
  await sleep(ruleChangeFeed.overlapMs + 1000);

  progress(`${name}: the worker's cold start`);
  const heapBeforeLoadBytes = heapAfterCollection();
  counter.reset();
  const coldStarted = performance.now();
  await sendFleetBatch(outputs.GraphQLUrl, credentials.deviceToken, 0, options.sendingDevices);
  if (!(await queue.drained(120_000))) throw new Error("The worker's first batch did not finish");
  const coldStart = { ms: performance.now() - coldStarted, tables: counter.snapshot().tables };
  const heapAfterLoadBytes = heapAfterCollection();

  const machineBefore = await machineState();
  progress(`${name}: alert latency`);
  const latency = await measureAlertLatency(stack, counter, queue, credentials, options.latency);

  progress(`${name}: steady traffic, reads counted`);
  const steady = await countSteadyTraffic(stack, counter, queue, credentials, options);
  counter.reset();
  const check = (await import('../workers/check-episodes.ts')) as {
    handler: () => Promise<unknown>;
  };
  await check.handler();
  const checkTables = counter.snapshot().tables;

  progress(`${name}: throughput`);
  const throughput = await measureThroughput(stack, queue, {
    ...options.throughput,
    fleetDevices: options.sendingDevices,
  });
  const machineAfter = await machineState();
  return {
    rules: options.rules,
    devices: options.devices,
    sendingDevices: options.sendingDevices,
    setupMs,
    coldStart,
    heapBeforeLoadBytes,
    heapAfterLoadBytes,
    latency: {
      deliveryMs: latency.deliveryMs,
      missed: latency.missed,
      warmup: latency.coldMs.length,
    },
    steady,
    check: { tables: checkTables },
    throughput: {
      acknowledgedPerSecond: throughput.acknowledgedPerSecond,
      processedPerSecond: throughput.processedPerSecond,
      processed: throughput.processed,
      drained: throughput.drained,
    },
    machine: { before: machineBefore, after: machineAfter },
  };
}

/**
 * The sending devices with their labels, written straight into the Devices table as the
 * device store keeps a device it has seen (its item: kind, labels, first and last seen, no
 * latest value yet) and checked by reading a few back through the store. The fleet's other
 * devices exist only in the rules that name them: a device that sends nothing is never read
 * by the worker.
 */
async function writeFleetDevices(
  client: DynamoDBDocumentClient,
  tableName: string,
  count: number,
): Promise<void> {
  const at = new Date(Date.now() - 3600_000).toISOString();
  await batchPut(
    client,
    tableName,
    (function* () {
      for (let index = 0; index < count; index += 1) {
        const labels = fleetLabels(index);
        yield {
          deviceId: fleetDeviceId(index),
          kind: 'device',
          labels,
          firstSeenAt: at,
          lastSeenAt: at,
          latest: {},
        };
      }
    })(),
  );
  const sample = [0, Math.floor(count / 2), count - 1];
  const read = await new DynamoDbDeviceStore(client, tableName).loadMany(sample.map(fleetDeviceId));
  for (const index of sample) {
    const labels = read.get(fleetDeviceId(index))?.labels;
    if (JSON.stringify(labels) !== JSON.stringify(fleetLabels(index))) {
      throw new Error(`The device store reads ${fleetDeviceId(index)} without its labels`);
    }
  }
}

/** V8's heap in use after a full collection (the process runs with --expose-gc). */
function heapAfterCollection(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('The scale phase runs with --expose-gc');
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** One `ingestEvents` call of 100 fleet readings, from 20 devices starting at `first`. */
async function sendFleetBatch(
  url: string,
  deviceToken: string,
  first: number,
  devices: number,
): Promise<void> {
  const input = Array.from({ length: 100 }, (_, i) => {
    const device = (first + Math.floor(i / FLEET_METRICS.length)) % devices;
    return {
      deviceId: fleetDeviceId(device),
      metric: FLEET_METRICS[i % FLEET_METRICS.length] as string,
      value: NORMAL_VALUES.low + (i % 10),
    };
  });
  expectData(
    await graphqlRequest(url, deviceToken, INGEST_MANY, { input }),
    'ingestEvents (scale)',
  );
}

/**
 * Fleet readings at a steady rate (batches of 100, 20 devices each, the devices in turn) for
 * the given time, counted from the first call until the queue is empty.
 */
async function countSteadyTraffic(
  stack: LocalStack,
  counter: AwsRequestCounter,
  queue: QueueWatcher,
  credentials: BenchCredentials,
  options: ScaleOptions,
): Promise<ScaleLevelResult['steady']> {
  const { readingsPerSecond, durationMs } = options.steady;
  const intervalMs = (100 / readingsPerSecond) * 1000;
  // Steady means the worker has seen its fleet: one round of every sending device first, so
  // the count is of a fleet that keeps sending, not of devices the worker meets for the first
  // time (one read each, which a shorter window than one round would count as steady).
  const rounds = Math.ceil(options.sendingDevices / 20);
  for (let call = 0; call < rounds; call += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, rounds - call) }, (_, i) =>
        sendFleetBatch(
          stack.outputs.GraphQLUrl,
          credentials.deviceToken,
          (call + i) * 20,
          options.sendingDevices,
        ),
      ),
    );
  }
  // The latency step's notification group is flushed (30 s after its first alert) before the
  // count, which holds steady traffic only.
  await queue.drained(120_000, 100, { delayed: true });
  counter.reset();
  const started = performance.now();
  // Calls go out on schedule whatever the round trip, as independent devices send.
  const calls: Promise<void>[] = [];
  let batches = 0;
  while (performance.now() - started < durationMs) {
    const due = started + batches * intervalMs;
    if (due > performance.now()) await sleep(due - performance.now());
    calls.push(
      sendFleetBatch(
        stack.outputs.GraphQLUrl,
        credentials.deviceToken,
        batches * 20,
        options.sendingDevices,
      ),
    );
    batches += 1;
  }
  await Promise.all(calls);
  await queue.drained(60_000);
  const seconds = (performance.now() - started) / 1000;
  const counts: RequestCounts = counter.snapshot();
  return { seconds, readings: batches * 100, tables: counts.tables };
}

/** Runs one level in bench/scale-run.ts, a process of its own with a fresh stack. */
export function runScaleLevel(options: ScaleOptions): Promise<ScaleLevelResult> {
  const path = fileURLToPath(new URL('./scale-run.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench/scale-run.ts exited with ${code}`));
      resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as ScaleLevelResult);
    });
  });
}
