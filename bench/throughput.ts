import { performance } from 'node:perf_hooks';
import type { LocalStack } from '../local/stack.ts';
import { READINGS_PER_MESSAGE } from '../adapters/sqs-evaluation-queue.ts';
import { startBenchScript, type TokenName } from './child-process.ts';
import type { QueueDepth, QueueWatcher } from './stack.ts';
import { progress } from './support.ts';

export interface ThroughputOptions {
  clients: number;
  batchSize: number;
  durationMs: number;
  /**
   * A load of this length first, drained and not counted: the stack has just started, and
   * its code runs slower until the JIT compiler has optimized it.
   */
  warmupMs: number;
  /** How long after the load to wait for the worker to drain the queue. */
  drainTimeoutMs: number;
  /** Send the scale phase's fleet readings from its first this many devices (bench/fleet.ts). */
  fleetDevices?: number;
}

export interface ThroughputResult {
  accepted: number;
  rejected: number;
  failedCalls: number;
  calls: number;
  /** From the first call to the last acknowledgement, ms. */
  loadMs: number;
  /** Readings acknowledged per second. */
  acknowledgedPerSecond: number;
  /** Readings the worker stored and evaluated, by the end of the drain wait. */
  processed: number;
  /** From the first call until the queue was empty (or the drain wait ended), ms. */
  processingMs: number;
  processedPerSecond: number;
  /** Readings the worker had finished when the load stopped (estimated from the queue's messages). */
  processedDuringLoad: number;
  /** The worker's rate once the load stopped (it shares one event loop with everything). */
  afterLoadPerSecond: number;
  /** This process's CPU use during the load and after it, in cores (1.0 = one core busy). */
  coresBusyDuringLoad: number;
  coresBusyAfterLoad: number;
  drained: boolean;
  /** Readings left in the queue when the drain wait ended (estimated from its messages). */
  remaining: number;
  /** Highest resident set size of this process so far, bytes. */
  peakRssBytes: number;
  /** Highest resident set size sampled during this phase, bytes. */
  phaseRssBytes: number;
  /** The warm-up load: readings acknowledged per second, right after the stack started. */
  warmup: { durationMs: number; acknowledgedPerSecond: number };
}

interface LoadTotals {
  calls: number;
  accepted: number;
  rejected: number;
  failedCalls: number;
  startedAt: number;
  lastAckAt: number;
}

/** Runs bench/load-clients.ts in its own process and returns what it counted. */
function runLoadClients(
  url: string,
  deviceToken: string,
  options: ThroughputOptions,
): Promise<LoadTotals> {
  return runReportingScript<LoadTotals>(
    './load-clients.ts',
    [
      url,
      options.clients,
      options.batchSize,
      options.durationMs,
      ...(options.fleetDevices ? [options.fleetDevices] : []),
    ],
    { deviceToken },
  );
}

/**
 * Batch ingestion under load: `clients` concurrent clients, in a process of their own, each
 * send `ingestEvents` batches back to back for a fixed time, then the queue is watched until the worker has stored and
 * evaluated every acknowledged reading (or the drain wait ends). No rule covers these
 * readings' metric, so this measures ingestion and storage, not alert delivery; with
 * `fleetDevices`, the readings are the scale phase's fleet's, which its rules watch.
 */
export async function measureThroughput(
  stack: LocalStack,
  queue: QueueWatcher,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  // The readings' device ids start with `demo-`, which the stack's demo credential covers.
  const { GraphQLUrl: url, DemoDeviceToken: deviceToken } = stack.outputs;
  progress(`throughput: warming up for ${options.warmupMs / 1000} s`);
  const warm = await runLoadClients(url, deviceToken, { ...options, durationMs: options.warmupMs });
  // A backlog left over would be worked off during the measured load and counted in it.
  if (!(await queue.drained(options.drainTimeoutMs, 100))) {
    throw new Error(
      `The warm-up load's readings were not all processed within ${options.drainTimeoutMs / 1000} s`,
    );
  }
  const warmup = {
    durationMs: options.warmupMs,
    acknowledgedPerSecond: perSecond(warm.accepted, warm.lastAckAt - warm.startedAt),
  };
  const before = await queue.depth();
  const inHand = (depth: QueueDepth) => depth.visible + depth.inFlight;
  const backlog = inHand(before);
  let phaseRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    phaseRss = Math.max(phaseRss, process.memoryUsage.rss());
  }, 100);
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const load = await runLoadClients(url, deviceToken, options);
  const { accepted, rejected, failedCalls, calls } = load;
  const lastAck = started + (load.lastAckAt - load.startedAt);
  const loadMs = lastAck - started;
  const cpuDuringLoad = process.cpuUsage(cpuAtStart);
  const cpuAtLoadEnd = process.cpuUsage();
  const drainStarted = performance.now();
  const atLoadEnd = await queue.depth();
  progress(
    `throughput: load done, waiting up to ${options.drainTimeoutMs / 1000} s for the worker`,
  );
  const drained = await queue.drained(options.drainTimeoutMs, 100);
  // From the first call (made in the clients' process, after it started) to the empty queue.
  const processingMs = Date.now() - load.startedAt;
  const after = await queue.depth();
  clearInterval(sampler);
  // The queue counts messages; each call's readings go out in messages of up to
  // READINGS_PER_MESSAGE, so a message left in the queue holds this many readings on average.
  const readingsPerMessage =
    options.batchSize / Math.ceil(options.batchSize / READINGS_PER_MESSAGE);
  const readingsIn = (depth: QueueDepth) =>
    Math.min(accepted, Math.round(Math.max(0, inHand(depth) - backlog) * readingsPerMessage));
  const remaining = readingsIn(after);
  const processed = accepted - remaining;
  const queuedAtLoadEnd = readingsIn(atLoadEnd);
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const cpuDuringDrain = process.cpuUsage(cpuAtLoadEnd);
  /** CPU time (user + system, all threads) per wall-clock time: 1.0 = one core busy. */
  const coresBusy = (usage: NodeJS.CpuUsage, seconds: number) =>
    (usage.user + usage.system) / 1e6 / seconds;
  return {
    accepted,
    rejected,
    failedCalls,
    calls,
    loadMs,
    acknowledgedPerSecond: perSecond(accepted, loadMs),
    processed,
    processingMs,
    processedPerSecond: processed / (processingMs / 1000),
    processedDuringLoad: accepted - queuedAtLoadEnd,
    afterLoadPerSecond: (queuedAtLoadEnd - remaining) / drainSeconds,
    coresBusyDuringLoad: coresBusy(cpuDuringLoad, (drainStarted - started) / 1000),
    coresBusyAfterLoad: coresBusy(cpuDuringDrain, drainSeconds),
    drained,
    remaining,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    phaseRssBytes: phaseRss,
    warmup,
  };
}

/** A rate per second; 0 when nothing was counted (no acknowledgement, so no time span). */
function perSecond(count: number, ms: number): number {
  return count > 0 && ms > 0 ? count / (ms / 1000) : 0;
}

/**
 * Runs the throughput phase in bench/throughput-run.ts, on a stack of its own; `onDisk`, with
 * the emulators writing through to disk as a plain `npm start` has them do.
 */
export function runThroughputProcess(
  options: ThroughputOptions,
  { onDisk = false }: { onDisk?: boolean } = {},
): Promise<ThroughputResult> {
  return runReportingScript<ThroughputResult>('./throughput-run.ts', [
    options.clients,
    options.batchSize,
    options.durationMs,
    options.warmupMs,
    options.drainTimeoutMs,
    ...(onDisk ? ['--on-disk'] : []),
  ]);
}

/**
 * Runs a bench script in a process of its own (tokens and `environment` in its environment);
 * its last stdout line is its JSON report.
 */
export function runReportingScript<T>(
  script: string,
  args: (string | number)[],
  tokens: Partial<Record<TokenName, string>> = {},
  environment: Record<string, string> = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = startBenchScript(
      script,
      args,
      tokens,
      ['ignore', 'pipe', 'inherit'],
      environment,
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as T);
    });
  });
}
