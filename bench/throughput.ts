import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LocalStack } from '../local/stack.ts';
import type { QueueWatcher } from './stack.ts';
import { graphqlRequest, progress } from './support.ts';

const INGEST_MANY = `mutation IngestMany($input: [EventInput!]!) { ingestEvents(input: $input) { accepted rejected } }`;

export interface ThroughputOptions {
  clients: number;
  batchSize: number;
  durationMs: number;
  /** How long after the load to wait for the worker to drain the queue. */
  drainTimeoutMs: number;
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
  /** Readings the worker had finished when the load stopped. */
  processedDuringLoad: number;
  /** The worker's rate once the load stopped (it shares one event loop with everything). */
  afterLoadPerSecond: number;
  /** This process's CPU use during the load and after it, in cores (1.0 = one core busy). */
  coresBusyDuringLoad: number;
  coresBusyAfterLoad: number;
  drained: boolean;
  /** Left in the queue when the drain wait ended. */
  remaining: number;
  /** Highest resident set size of this process so far, bytes. */
  peakRssBytes: number;
  /** Highest resident set size sampled during this phase, bytes. */
  phaseRssBytes: number;
}

/**
 * Batch ingestion under load: `clients` concurrent clients each send `ingestEvents` batches
 * back to back for a fixed time, then the queue is watched until the worker has stored and
 * evaluated every acknowledged reading (or the drain wait ends). No rule covers these
 * readings' metric, so this measures ingestion and storage, not alert delivery.
 */
export async function measureThroughput(
  stack: LocalStack,
  queue: QueueWatcher,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const { GraphQLUrl: url, ApiKey: apiKey } = stack.outputs;
  const runId = randomUUID().slice(0, 8);
  const before = await queue.depth();
  const backlog = before.visible + before.inFlight;
  let phaseRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    phaseRss = Math.max(phaseRss, process.memoryUsage.rss());
  }, 100);
  let accepted = 0;
  let rejected = 0;
  let failedCalls = 0;
  let calls = 0;
  let lastAck = 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async (clientIndex: number) => {
    let sequence = 0;
    while (performance.now() < deadline) {
      const input = Array.from({ length: options.batchSize }, (_, i) => ({
        deviceId: `load-${runId}-${clientIndex}-${i % 20}`,
        metric: 'bench.load',
        value: (sequence += 1) % 100,
      }));
      calls += 1;
      try {
        const result = await graphqlRequest<{
          ingestEvents: { accepted: number; rejected: number };
        }>(url, apiKey, INGEST_MANY, { input });
        if (result.status !== 200 || !result.data) {
          failedCalls += 1;
          continue;
        }
        accepted += result.data.ingestEvents.accepted;
        rejected += result.data.ingestEvents.rejected;
        lastAck = performance.now();
      } catch {
        failedCalls += 1;
      }
    }
  };
  const ticker = setInterval(
    () => progress(`throughput: ${accepted.toLocaleString('en-US')} readings acknowledged`),
    5000,
  );
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  } finally {
    clearInterval(ticker);
  }
  const loadMs = lastAck - started;
  const cpuDuringLoad = process.cpuUsage(cpuAtStart);
  const cpuAtLoadEnd = process.cpuUsage();
  const drainStarted = performance.now();
  const atLoadEnd = await queue.depth();
  progress(
    `throughput: load done, waiting up to ${options.drainTimeoutMs / 1000} s for the worker`,
  );
  const drained = await queue.drained(options.drainTimeoutMs, 250);
  const processingMs = performance.now() - started;
  const after = await queue.depth();
  clearInterval(sampler);
  const remaining = Math.max(0, after.visible + after.inFlight - backlog);
  const processed = accepted - remaining;
  const queuedAtLoadEnd = Math.max(0, atLoadEnd.visible + atLoadEnd.inFlight - backlog);
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
    acknowledgedPerSecond: accepted / (loadMs / 1000),
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
  };
}
