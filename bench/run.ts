/**
 * `npm run bench`: measures the system on this machine and prints a markdown table
 * (metric | value | target). Timing never fails the run: a missed target is reported as
 * missed. Progress goes to stderr, the report to stdout.
 *
 *   npm run bench              the full run (about 10 minutes on 2 busy cores)
 *   npm run bench -- --quick   shorter phases and a scale phase of 10,000 rules, for trying the
 *                              benchmark itself out
 */
import { type AuthorizerResult, measureAuthorizerCost } from './authorizer.ts';
import { AwsRequestCounter } from './aws-counter.ts';
import { type BundleResult, measureBundles } from './bundles.ts';
import { type BacktestThroughput, backtestText } from './backtest.ts';
import { type EngineResult, type EngineScaling, floorRatio } from './engine.ts';
import { measureMuteCheckRatio, type MuteCheckResult } from './mutes.ts';
import type { StormResult } from './storm.ts';
import { type CostEstimate, estimateCost, loadPrices, operationBreakdown } from './cost.ts';
import { benchCredentials } from './credentials.ts';
import { compareEndpoints, type EndpointResult } from './endpoint.ts';
import { type LatencyResult, measureAlertLatency } from './latency.ts';
import { machineDescription, machineSpeedLine, measureMachineSpeed } from './machine.ts';
import { measureRequestsPerReading, type RequestsResult } from './requests.ts';
import { benchWorker, QueueWatcher, startBenchStack } from './stack.ts';
import { errorText, formatBytes, formatMs, formatNumber, percentile, progress } from './support.ts';
import { markdownTable, type Row, target } from './table.ts';
import { runReportingScript, runThroughputProcess, type ThroughputResult } from './throughput.ts';
import { type FleetBill, referenceFleet, referenceFleetBill } from './fleet-bill.ts';
import {
  type InstrumentationOptions,
  type InstrumentationRun,
  runInstrumentationProcess,
} from './instrumentation.ts';
import { runScaleLevel, type ScaleLevelResult, type ScaleOptions } from './scale.ts';
import type { TableCount } from './aws-counter.ts';
import { settings as productSettings } from '../infra/settings.ts';

const quick = process.argv.includes('--quick');
const settings = {
  latency: {
    alerts: quick ? 50 : 300,
    warmup: quick ? 50 : 500,
    alertTimeoutMs: 10_000,
    budgetMs: 60_000,
  },
  requests: {
    singleReadings: quick ? 30 : 100,
    batches: quick ? 5 : 20,
    batchSize: 100,
    drainTimeoutMs: 60_000,
  },
  authorizer: { calls: quick ? 50 : 300, warmup: 20, drainTimeoutMs: 30_000 },
  throughput: {
    clients: 4,
    batchSize: 100,
    durationMs: quick ? 5_000 : 20_000,
    warmupMs: quick ? 2_000 : 5_000,
    drainTimeoutMs: quick ? 15_000 : 60_000,
  },
  endpoint: { connections: 16, warmupMs: 2_000, durationMs: quick ? 3_000 : 8_000 },
  /** No metrics, metrics, metrics and tracing, twice: a fresh stack each (bench/instrumentation.ts). */
  instrumentation: {
    latency: {
      alerts: quick ? 50 : 200,
      warmup: quick ? 50 : 100,
      alertTimeoutMs: 10_000,
      budgetMs: 30_000,
    },
    throughput: {
      clients: 4,
      batchSize: 100,
      durationMs: quick ? 5_000 : 10_000,
      warmupMs: quick ? 2_000 : 3_000,
      drainTimeoutMs: 60_000,
    },
  } satisfies InstrumentationOptions,
  bundleRuns: quick ? 2 : 5,
  /** The scale phase: one fresh stack with no rules, one with `rules` (bench/scale.ts). */
  scale: {
    rules: quick ? 10_000 : 100_000,
    devices: quick ? 10_000 : 100_000,
    sendingDevices: quick ? 5_000 : 10_000,
    latency: {
      alerts: quick ? 100 : 200,
      warmup: quick ? 50 : 100,
      alertTimeoutMs: 10_000,
      budgetMs: 30_000,
    },
    steady: { readingsPerSecond: 1_000, durationMs: quick ? 10_000 : 20_000 },
    throughput: {
      clients: 4,
      batchSize: 100,
      durationMs: quick ? 5_000 : 10_000,
      warmupMs: quick ? 2_000 : 3_000,
      drainTimeoutMs: 60_000,
    },
  } satisfies Omit<ScaleOptions, 'rules'> & { rules: number },
};

/** The table's sections, in the order they are printed (not the order they are measured). */
const sections = {
  engine: [] as Row[],
  mutes: [] as Row[],
  scale: [] as Row[],
  latency: [] as Row[],
  authorizer: [] as Row[],
  throughput: [] as Row[],
  instrumentation: [] as Row[],
  endpoint: [] as Row[],
  requests: [] as Row[],
  fleetBill: [] as Row[],
  bundles: [] as Row[],
};
type Section = keyof typeof sections;
const notes: string[] = [];
let failedPhases = 0;

/** Runs one phase; a phase that throws becomes an error row in its section, and the run goes on. */
async function phase<T>(section: Section, name: string, run: () => Promise<T>): Promise<T | null> {
  progress(`${name}…`);
  try {
    return await run();
  } catch (error) {
    failedPhases += 1;
    progress(`${name} failed: ${errorText(error)}`);
    sections[section].push({
      metric: name,
      value: `error: ${errorText(error)}`,
      target: '(not measured)',
    });
    return null;
  }
}

/** Warm-up deliveries reported as the latency right after a start. */
const COLD_ALERTS = 100;

function latencyRows(result: LatencyResult): void {
  const n = result.deliveryMs.length;
  const label = `\`ingestEvent\` → \`onAlert\` delivery over websocket (${n} alerts, one at a time, after ${result.coldMs.length} warm-up alerts)`;
  const p50 = percentile(result.deliveryMs, 50);
  const p90 = percentile(result.deliveryMs, 90);
  const p99 = percentile(result.deliveryMs, 99);
  const enough = n >= 200;
  sections.latency.push({
    metric: `${label}, p50`,
    value: formatMs(p50),
    target: target('≤ 15 ms', enough ? p50 <= 15 : false),
  });
  sections.latency.push({ metric: `${label}, p90`, value: formatMs(p90), target: '—' });
  sections.latency.push({
    metric: `${label}, p99`,
    value: formatMs(p99),
    target: target('≤ 50 ms', enough ? p99 <= 50 : false),
  });
  const cold = result.coldMs.slice(0, COLD_ALERTS);
  sections.latency.push({
    metric: `\`ingestEvent\` → \`onAlert\` delivery, the first ${cold.length} alerts after the stack started (part of the warm-up), p50 / p99`,
    value: `${formatMs(percentile(cold, 50))} / ${formatMs(percentile(cold, 99))}`,
    target: '—',
  });
  if (result.missed > 0 || result.coldMissed > 0 || !enough) {
    sections.latency.push({
      metric: 'Alerts not delivered within 10 s (latency run): measured; warm-up',
      value: `${result.missed} of ${result.missed + n}; ${result.coldMissed} of ${result.coldMissed + result.coldMs.length}`,
      target: target('0, and ≥ 200 measured', result.missed === 0 && enough),
    });
  }
  sections.latency.push({
    metric: '`ingestEvent` HTTP round trip (same run), p50 / p99',
    value: `${formatMs(percentile(result.ingestMs, 50))} / ${formatMs(percentile(result.ingestMs, 99))}`,
    target: '—',
  });
  const alerts = result.missed + n;
  const requests = Object.values(result.counts.operations).reduce((s, c) => s + c.requests, 0);
  sections.latency.push({
    metric: 'AWS API requests per breaching reading (latency run), + AppSync `publishAlert` calls',
    value: `${(requests / alerts).toFixed(2)} + ${(result.counts.publishAlertCalls / alerts).toFixed(2)} publishAlert`,
    target: '—',
  });
  const blocks = Array.from({ length: Math.floor(result.coldMs.length / COLD_ALERTS) }, (_, i) =>
    formatMs(percentile(result.coldMs.slice(i * COLD_ALERTS, (i + 1) * COLD_ALERTS), 50)),
  );
  if (blocks.length > 0) {
    notes.push(
      `Latency warm-up, from the stack's first alert on: p50 of each block of ${COLD_ALERTS} alerts ${blocks.join(', ')}.`,
    );
  }
  notes.push(
    `Latency run, AWS requests per breaching reading: ${operationBreakdown(result.counts, alerts, true)}; ` +
      `real-time updates received per alert: ${(result.framesReceived / alerts).toFixed(2)}; ` +
      `worker receive-to-delete per batch: p50 ${formatMs(percentile(result.counts.workerDurationsMs, 50))}, p99 ${formatMs(percentile(result.counts.workerDurationsMs, 99))}.`,
  );
}

/** The device authorizer's cost: the same call with its decision cached, and not. */
function authorizerRows(result: AuthorizerResult): void {
  const n = result.cachedMs.length;
  const figures = (samples: number[]) =>
    `p50 ${formatMs(percentile(samples, 50))}, p90 ${formatMs(percentile(samples, 90))}`;
  const ratio = (p: number) =>
    `${(percentile(result.uncachedMs, p) / percentile(result.cachedMs, p)).toFixed(2)}×`;
  sections.authorizer.push({
    metric: `\`ingestEvent\` HTTP round trip with a device token, the authorizer's decision cached vs not cached (a token the endpoint has not seen, so the authorizer function runs); ${n} calls each, alternating, same stack`,
    value: `cached ${figures(result.cachedMs)}; uncached ${figures(result.uncachedMs)}; uncached / cached: p50 ${ratio(50)}, p90 ${ratio(90)}`,
    target: '—',
  });
}

function throughputRows(result: ThroughputResult): void {
  const { clients, batchSize, durationMs } = settings.throughput;
  sections.throughput.push({
    metric: `Batch ingest acknowledged (\`ingestEvents\` × ${batchSize}, ${clients} concurrent clients, ${durationMs / 1000} s; the emulators' data in memory, as with \`npm start -- --ephemeral\`)`,
    value: `${formatNumber(result.acknowledgedPerSecond)} readings/s`,
    target: target('≥ 20,000/s', result.acknowledgedPerSecond >= 20_000),
  });
  sections.throughput.push({
    metric: 'Batch ingest stored and evaluated by the worker (first call → queue empty)',
    value: `${formatNumber(result.processedPerSecond)} readings/s (${drainNote(result)})`,
    target: target('≥ 20,000/s', result.processedPerSecond >= 20_000),
  });
  sections.throughput.push({
    metric: `Batch ingest acknowledged, the first ${result.warmup.durationMs / 1000} s after the stack started (a warm-up, before the load above)`,
    value: `${formatNumber(result.warmup.acknowledgedPerSecond)} readings/s`,
    target: '—',
  });
  sections.throughput.push({
    metric:
      'Peak RSS of the throughput phase process (the whole local stack; the load clients run in a process of their own)',
    value: `${formatBytes(result.peakRssBytes)} (during the batch load: ${formatBytes(result.phaseRssBytes)})`,
    target: '—',
  });
  notes.push(
    `Batch load: ${formatNumber(result.calls)} calls, ${formatNumber(result.accepted)} readings accepted, ` +
      `${formatNumber(result.rejected)} rejected, ${result.failedCalls} calls failed; ` +
      `the worker had finished about ${formatNumber(result.processedDuringLoad)} readings when the load stopped and then ran at ${formatNumber(result.afterLoadPerSecond)} readings/s alone; ` +
      `CPU of the stack's process: ${result.coresBusyDuringLoad.toFixed(2)} cores busy during the load, ${result.coresBusyAfterLoad.toFixed(2)} after it (the endpoint on one event loop, the worker and the emulators on a thread each, as npm start runs them); ` +
      `worker: event source mapping with ${benchWorker.concurrency} pollers, batch size ${benchWorker.batchSize}.`,
  );
}

/** Whether the queue emptied after a batch load, and when. */
function drainNote(result: ThroughputResult): string {
  const seconds = result.processingMs / 1000;
  return result.drained
    ? `all ${formatNumber(result.processed)} drained after ${seconds.toFixed(1)} s`
    : `not drained: ${formatNumber(result.remaining)} of ${formatNumber(result.accepted)} still queued ${seconds.toFixed(0)} s after the first call`;
}

/** The same load on a stack whose emulators write through to disk, as plain `npm start`. */
function onDiskThroughputRows(result: ThroughputResult): void {
  sections.throughput.push({
    metric:
      'The same load and warm-up with the emulators writing through to disk, as a plain `npm start` has them: acknowledged; stored and evaluated',
    value: `${formatNumber(result.acknowledgedPerSecond)} readings/s; ${formatNumber(result.processedPerSecond)} readings/s (${drainNote(result)})`,
    target: '—',
  });
  notes.push(
    `Batch load with the emulators on disk: ${formatNumber(result.accepted)} readings accepted, ${result.failedCalls} calls failed; ` +
      `warm-up ${formatNumber(result.warmup.acknowledgedPerSecond)} readings/s acknowledged; ` +
      `CPU of the stack's process: ${result.coresBusyDuringLoad.toFixed(2)} cores busy during the load, ${result.coresBusyAfterLoad.toFixed(2)} after it; ` +
      `peak RSS ${formatBytes(result.peakRssBytes)}.`,
  );
}

const instrumentationModes = ['off', 'metrics', 'metrics and tracing'] as const;
const instrumentationOrder = [...instrumentationModes, ...[...instrumentationModes].reverse()];

/** One run per mode: each mode's runs together (latencies pooled, rates averaged, counts summed). */
function combineRuns(runs: InstrumentationRun[]): InstrumentationRun[] {
  return instrumentationModes.map((mode) => {
    const of = runs.filter((run) => run.mode === mode);
    const sum = (key: 'emfLines' | 'segments' | 'segmentBytes' | 'alertsMissed') =>
      of.reduce((total, run) => total + run[key], 0);
    return {
      mode,
      deliveryMs: of.flatMap((run) => run.deliveryMs),
      alertsMissed: sum('alertsMissed'),
      processedPerSecond: of.reduce((t, run) => t + run.processedPerSecond, 0) / of.length,
      drained: of.every((run) => run.drained),
      emfLines: sum('emfLines'),
      segments: sum('segments'),
      segmentBytes: sum('segmentBytes'),
    };
  });
}

/**
 * The cost of the handlers' metrics, and of metrics with Powertools tracing: the same phase
 * with neither, each on a fresh stack.
 */
function instrumentationRows(runs: InstrumentationRun[]): void {
  const { throughput, latency } = settings.instrumentation;
  const [off, ...on] = runs;
  if (!off) return;
  const p = (run: InstrumentationRun, q: number) => percentile(run.deliveryMs, q);
  for (const run of on) {
    const rate = run.processedPerSecond / off.processedPerSecond;
    const drained = off.drained && run.drained ? '' : ' (a load did not drain)';
    sections.instrumentation.push({
      metric: `Instrumentation: batch ingest stored and evaluated, the handlers with no metrics vs ${run.mode} (\`ingestEvents\` × ${throughput.batchSize}, ${throughput.clients} clients, ${throughput.durationMs / 1000} s, the worker on the endpoint's event loop; two runs of each, a fresh stack each, mirrored order, mean rate)`,
      value: `off ${formatNumber(off.processedPerSecond)} readings/s; ${run.mode} ${formatNumber(run.processedPerSecond)} readings/s; ratio ${rate.toFixed(2)}×${drained}`,
      target: target('≥ 0.95×', rate >= 0.95),
    });
    const p50 = p(off, 50) / p(run, 50);
    const p90 = p(off, 90) / p(run, 90);
    sections.instrumentation.push({
      metric: `Instrumentation: \`ingestEvent\` → \`onAlert\` delivery, no metrics vs ${run.mode} (${off.deliveryMs.length} and ${run.deliveryMs.length} alerts one at a time over two runs each, after ${latency.warmup} warm-up alerts a run), p50 / p90; speed ratio (latency off ÷ latency ${run.mode})`,
      value: `off ${formatMs(p(off, 50))} / ${formatMs(p(off, 90))}; ${run.mode} ${formatMs(p(run, 50))} / ${formatMs(p(run, 90))}; p50 ${p50.toFixed(2)}×, p90 ${p90.toFixed(2)}×`,
      target: target('p50 ≥ 0.95×', p50 >= 0.95),
    });
  }
  const written = runs
    .map(
      (run) =>
        `${run.mode}: ${formatNumber(run.emfLines)} EMF lines, ${formatNumber(run.segments)} X-Ray segment documents (${formatBytes(run.segmentBytes)}), ${run.alertsMissed} alerts missed`,
    )
    .join('; ');
  notes.push(
    `Instrumentation phase: every run in the environment Lambda gives a traced function (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, a sampled trace header, a stand-in X-Ray daemon on 127.0.0.1), differing only in POWERTOOLS_METRICS_DISABLED and POWERTOOLS_TRACE_ENABLED; ${written}. ` +
      'The deployed functions write metrics and leave Powertools tracing off (docs/metrics.md). The other phases run with metrics off (their stdout is the report) and no tracing (outside Lambda).',
  );
}

function endpointRows(result: EndpointResult): void {
  const { connections } = settings.endpoint;
  const { local, baseline, baselineUncached } = result;
  const ratio = local.requestsPerSecond / baseline.requestsPerSecond;
  const ratioUncached = local.requestsPerSecond / baselineUncached.requestsPerSecond;
  const load = (run: EndpointResult['local']) =>
    `${formatNumber(run.requestsPerSecond)} req/s, p99 ${formatMs(run.p99Ms)}`;
  sections.endpoint.push({
    metric: `Baseline: bare \`graphql\` + \`node:http\`, same schema, \`createRule\` with a trivial resolver, ${connections} keep-alive connections, the user-pool ID token verified with \`aws-jwt-verify\`, parse + validate every request`,
    value: load(baselineUncached),
    target: '—',
  });
  sections.endpoint.push({
    metric:
      'Baseline as above with a document cache (parse + validate once per query text, as the local endpoint does)',
    value: load(baseline),
    target: '—',
  });
  sections.endpoint.push({
    metric:
      "Local GraphQL endpoint (`startLocalAppSync` with the product's auth modes, the ID token verified as AppSync does; same trivial resolver behind the resolver code), same load",
    value: `${load(local)} (${(ratio * 100).toFixed(0)}% of the cached baseline, ${(ratioUncached * 100).toFixed(0)}% of the uncached one)`,
    target: target('≥ 50% of the cached baseline req/s', ratio >= 0.5),
  });
  const errors = local.errors + baseline.errors + baselineUncached.errors;
  if (errors > 0) {
    notes.push(
      `Endpoint load errors: local ${local.errors}, baseline ${baseline.errors}, uncached baseline ${baselineUncached.errors}.`,
    );
  }
}

function costRows(result: RequestsResult): void {
  const prices = loadPrices();
  const single = estimateCost(result.single, prices);
  const batch = estimateCost(result.batch, prices);
  const n = result.batchSize;
  const perReading = (estimate: CostEstimate) =>
    `${estimate.requestsPerReading.total.toFixed(3)} (SQS ${estimate.requestsPerReading.sqs.toFixed(3)}, DynamoDB ${estimate.requestsPerReading.dynamodb.toFixed(3)}, SNS ${estimate.requestsPerReading.sns.toFixed(3)})`;
  const dollars = (value: number) => `$${value.toFixed(2)}`;
  sections.requests.push({
    metric: 'AWS API requests per reading, `ingestEvent` (1 reading per call), no rule breached',
    value: perReading(single),
    target: '—',
  });
  sections.requests.push({
    metric: `AWS API requests per reading, \`ingestEvents\` (${n} readings per call), no rule breached`,
    value: perReading(batch),
    target: target('≤ 0.15', batch.requestsPerReading.total <= 0.15),
  });
  sections.requests.push({
    metric:
      'AWS cost per 1,000,000 readings, AWS API requests only (SQS + DynamoDB + SNS), 1 per call',
    value: dollars(single.perMillion.awsApi),
    target: '—',
  });
  sections.requests.push({
    metric: `AWS cost per 1,000,000 readings, AWS API requests only, ${n} per call`,
    value: dollars(batch.perMillion.awsApi),
    target: '—',
  });
  sections.requests.push({
    metric: 'AWS cost per 1,000,000 readings, total with AppSync operations and Lambda, 1 per call',
    value: dollars(single.perMillion.total),
    target: '— (naive one-call-per-reading design ≈ $6.59)',
  });
  sections.requests.push({
    metric: `AWS cost per 1,000,000 readings, total with AppSync operations and Lambda, ${n} per call`,
    value: dollars(batch.perMillion.total),
    target: target('≤ $0.40', batch.perMillion.total <= 0.4),
  });
  const detail = (name: string, run: RequestsResult['single'], estimate: CostEstimate) =>
    `${name}: ${formatNumber(run.readings)} readings in ${run.ingestCalls} calls; requests per reading ${operationBreakdown(run.counts, run.readings)} ` +
    `(handlers alone ${estimate.handlerRequestsPerReading.toFixed(3)}, the rest is the event source mapping's polling); ` +
    `SQS billed requests ${estimate.sqsBilledPerReading.toFixed(3)}, DynamoDB WRU ${estimate.writeUnitsPerReading.toFixed(2)} and RRU ${estimate.readUnitsPerReading.toFixed(3)} per reading (estimated from item sizes and GSIs); ` +
    `worker invocations per reading ${estimate.workerInvocationsPerReading.toFixed(3)} (nominal 1/${benchWorker.batchSize} = ${(1 / benchWorker.batchSize).toFixed(3)}); ` +
    `Lambda durations used: ingest ${estimate.ingestDurationMs} ms (median HTTP round trip), worker ${estimate.workerDurationMs} ms (median receive-to-delete); ` +
    `per 1M readings: SQS $${estimate.perMillion.sqs.toFixed(3)}, DynamoDB $${estimate.perMillion.dynamodb.toFixed(3)}, SNS $${estimate.perMillion.sns.toFixed(3)}, AppSync $${estimate.perMillion.appsync.toFixed(3)}, Lambda $${estimate.perMillion.lambda.toFixed(3)}.`;
  notes.push(detail('`ingestEvent` run', result.single, single));
  notes.push(detail(`\`ingestEvents\` × ${n} run`, result.batch, batch));
  notes.push(
    detail(
      `Fleet-shaped \`ingestEvents\` × ${n} run (20 devices × 5 metrics a call)`,
      result.fleet,
      estimateCost(result.fleet, prices),
    ),
  );
  if (!result.drained.single || !result.drained.batch || !result.drained.fleet) {
    notes.push('A request-count run did not drain within its timeout: its counts are incomplete.');
  }
  notes.push(
    `Prices: bench/aws-prices.json (${prices.region}, dated ${prices.date}); Lambda arm64 ${prices.lambda.memoryMb} MB at $${prices.lambda.arm64PerGbSecond} per GB-s plus $${prices.lambda.requestsPerMillion} per million requests; free tiers ignored.`,
  );
}

function bundleRows(results: BundleResult[]): void {
  for (const bundle of results) {
    const sizeOk = bundle.bytes <= 300 * 1024;
    const initOk = bundle.initMs <= 150;
    sections.bundles.push({
      metric: `Lambda bundle \`${bundle.entry}\`: minified size, module init (fresh-process \`import()\`, template environment, median of ${settings.bundleRuns})`,
      value: `${formatBytes(bundle.bytes)}, ${formatMs(bundle.initMs)} (${formatMs(bundle.initWithoutSourceMapsMs)} without --enable-source-maps)`,
      target: target('≤ 300 KB, ≤ 150 ms', sizeOk && initOk),
    });
  }
}

const startedAt = new Date();
progress(`starting${quick ? ' (quick)' : ''}`);
// This machine's speed drifts: measured before and after, so each table says how fast it was.
const speedAtStart = await measureMachineSpeed().catch(() => null);
let latencyRun: LatencyResult | null = null;
let requestsRun: RequestsResult | null = null;
const stack = await phase('latency', 'Local stack start', startBenchStack);
if (stack) {
  const queue = new QueueWatcher(stack.outputs);
  try {
    const credentials = await phase('latency', 'Sign-in as the local admin', () =>
      benchCredentials(stack.outputs),
    );
    const counter = credentials
      ? await phase('requests', 'AWS request counter', () =>
          AwsRequestCounter.install(stack.outputs, [queue.client]),
        )
      : null;
    if (credentials && counter) {
      const latency = await phase('latency', 'Alert delivery latency', () =>
        measureAlertLatency(stack, counter, queue, credentials, settings.latency),
      );
      if (latency) latencyRows(latency);
      latencyRun = latency;
      // Before the batch load, so its backlog cannot leak into the counts.
      const requests = await phase('requests', 'AWS requests per reading', () =>
        measureRequestsPerReading(stack, counter, queue, credentials, settings.requests),
      );
      counter.uninstall();
      requestsRun = requests;
      if (requests) await phase('requests', 'AWS cost per reading', async () => costRows(requests));
      // After the counts: the credentials it issues and their lookups are not the product's load.
      const authorizer = await phase('authorizer', "Device authorizer's cost", () =>
        measureAuthorizerCost(stack, queue, credentials, settings.authorizer),
      );
      if (authorizer) authorizerRows(authorizer);
    }
  } finally {
    queue.close();
    progress('stopping the local stack');
    await stack.stop();
  }
}
const throughput = await phase('throughput', 'Batch ingest throughput', () =>
  runThroughputProcess(settings.throughput),
);
if (throughput) throughputRows(throughput);
const onDisk = await phase('throughput', 'Batch ingest throughput, emulators on disk', () =>
  runThroughputProcess(settings.throughput, { onDisk: true }),
);
if (onDisk) onDiskThroughputRows(onDisk);
// Each mode twice, in mirrored order, so a machine speeding up or slowing down over the
// phase weighs on every mode alike.
const instrumentationRuns: InstrumentationRun[] = [];
for (const mode of instrumentationOrder) {
  const run = await phase('instrumentation', `Instrumentation, ${mode}`, () =>
    runInstrumentationProcess(mode, settings.instrumentation),
  );
  if (!run) break;
  instrumentationRuns.push(run);
}
if (instrumentationRuns.length === instrumentationOrder.length) {
  instrumentationRows(combineRuns(instrumentationRuns));
}
// Each level twice, each run on a fresh stack in a process of its own, in mirrored order
// (0, n, n, 0), so that a machine drifting through the phase weighs on both levels alike.
const scaleRuns: ScaleLevelResult[] = [];
for (const rules of [0, settings.scale.rules, settings.scale.rules, 0]) {
  const run = scaleRuns.length + 1;
  const result = await phase('scale', `Scale phase, ${formatNumber(rules)} rules, run ${run}`, () =>
    runScaleLevel({ ...settings.scale, rules }),
  );
  if (!result) break;
  scaleRuns.push(result);
}
const scaleBase = scaleRuns[0];
const scaleLarge = scaleRuns[1];
if (scaleBase && scaleLarge) {
  // Both pairs when all four ran; the first pair alone otherwise.
  const [, , large2, base2] = scaleRuns;
  scaleRows(
    large2 && base2 ? [scaleBase, base2] : [scaleBase],
    large2 && base2 ? [scaleLarge, large2] : [scaleLarge],
  );
}
if (requestsRun) {
  const requests = requestsRun;
  await phase('fleetBill', 'Reference fleet bill', async () =>
    fleetBillRows(
      referenceFleetBill({
        prices: loadPrices(),
        fleetRun: requests.fleet,
        singleRun: requests.single,
        alertRun: latencyRun ? alertRun(latencyRun) : null,
        workers: benchWorker.concurrency,
        rules: scaleLarge ? rulesUsage(scaleLarge) : null,
        retentionDays: productSettings.RETENTION_DAYS.default,
      }),
      requests,
    ),
  );
}
const endpoint = await phase('endpoint', 'GraphQL endpoint vs baseline', () =>
  compareEndpoints(settings.endpoint),
);
if (endpoint) endpointRows(endpoint);
const bundles = await phase('bundles', 'Lambda bundles', () => measureBundles(settings.bundleRuns));
if (bundles) bundleRows(bundles);
const engine = await phase('engine', 'Evaluation engine', () =>
  runReportingScript<EngineScaling>('./engine.ts', ['--json', quick ? 200_000 : 1_000_000]),
);
if (engine) engineRows(engine);
// The backtest and the storm each on a fresh stack in a process of its own: this process's
// handlers keep the clients of the latency phase's stack.
const backtest = await phase('engine', 'Backtest', () =>
  runReportingScript<BacktestThroughput>('./backtest.ts', ['--json', quick ? 200_000 : 1_000_000]),
);
if (backtest) backtestRows(backtest, engine?.results[0]);
const muteCheck = await phase('mutes', 'Silence check', async () =>
  measureMuteCheckRatio(quick ? 50_000 : 200_000),
);
if (muteCheck) muteCheckRows(muteCheck);
const storm = await phase('mutes', 'Alert storm', () =>
  runReportingScript<StormResult>('./storm.ts', ['--json', 500]),
);
if (storm) stormRows(storm);
const speedAtEnd = await measureMachineSpeed().catch(() => null);

/** Items and bytes read per minute, summed over tables, from a window of `seconds`. */
function readsPerMinute(tables: Record<string, TableCount>, seconds: number, only?: string) {
  let items = 0;
  let bytes = 0;
  for (const [name, count] of Object.entries(tables)) {
    if (only !== undefined && name !== only) continue;
    items += count.itemsRead;
    bytes += count.bytesRead;
  }
  return { items: (items * 60) / seconds, bytes: (bytes * 60) / seconds };
}

function readsText(tables: Record<string, TableCount>, seconds: number): string {
  return Object.entries(tables)
    .filter(([, count]) => count.itemsRead > 0 || count.readUnits > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name]) => {
      const { items, bytes } = readsPerMinute(tables, seconds, name);
      return `${name} ${formatNumber(items)} items, ${formatBytes(bytes)}`;
    })
    .join('; ');
}

/**
 * The scale phase: each figure at no rules and at the larger level, and their ratio. Each
 * level's runs (two, in mirrored order, when all ran): the latency from all their alerts, the
 * throughput their mean; the reads, the memory and the notes from each level's first run.
 */
function scaleRows(bases: ScaleLevelResult[], larges: ScaleLevelResult[]): void {
  const [base, large] = [bases[0], larges[0]] as [ScaleLevelResult, ScaleLevelResult];
  const n = formatNumber(large.rules);
  const runs = bases.length;
  const levels = `0 and ${n} rules, fresh stacks, same run${runs > 1 ? `, ${runs} runs of each in mirrored order (0, ${n}, ${n}, 0)` : ''}`;
  const delivery = (results: ScaleLevelResult[]) =>
    results.flatMap((result) => result.latency.deliveryMs);
  const p = (results: ScaleLevelResult[], q: number) => percentile(delivery(results), q);
  const p90Ratio = p(larges, 90) / p(bases, 90);
  sections.scale.push({
    metric: `Scale: \`ingestEvent\` → \`onAlert\` delivery at ${levels} (${delivery(larges).length} and ${delivery(bases).length} alerts one at a time, after ${large.latency.warmup} warm-up alerts a run), p50 / p90`,
    value: `0 rules ${formatMs(p(bases, 50))} / ${formatMs(p(bases, 90))}; ${n} rules ${formatMs(p(larges, 50))} / ${formatMs(p(larges, 90))}; ratio p50 ${(p(larges, 50) / p(bases, 50)).toFixed(2)}×, p90 ${p90Ratio.toFixed(2)}×`,
    target: target('p90 ≤ 1.25× the p90 at 0 rules', p90Ratio <= 1.25),
  });
  const rates = (results: ScaleLevelResult[]) =>
    results.map((result) => formatNumber(result.throughput.processedPerSecond)).join(' and ');
  const meanRate = (results: ScaleLevelResult[]) =>
    results.reduce((sum, result) => sum + result.throughput.processedPerSecond, 0) / results.length;
  const throughputRatio = meanRate(larges) / meanRate(bases);
  const drained = [...bases, ...larges].every((result) => result.throughput.drained);
  sections.scale.push({
    metric: `Scale: fleet readings stored and evaluated (\`ingestEvents\` × 100, 4 clients, ${settings.scale.throughput.durationMs / 1000} s, the worker on the endpoint's event loop) at ${levels}${runs > 1 ? ', mean rate' : ''}`,
    value: `0 rules ${rates(bases)} readings/s; ${n} rules ${rates(larges)} readings/s; ratio ${throughputRatio.toFixed(2)}×${drained ? '' : ' (a load did not drain)'}`,
    target: target('≥ 0.9× the rate at 0 rules', throughputRatio >= 0.9),
  });
  const all = (result: ScaleLevelResult) =>
    readsPerMinute(result.steady.tables, result.steady.seconds);
  sections.scale.push({
    metric: `Scale: DynamoDB items and bytes read per worker per minute, steady fleet traffic (${formatNumber(settings.scale.steady.readingsPerSecond)} readings/s), no rule changes, every table`,
    value: `0 rules ${formatNumber(all(base).items)} items, ${formatBytes(all(base).bytes)}; ${n} rules ${formatNumber(all(large).items)} items, ${formatBytes(all(large).bytes)}`,
    target: '—',
  });
  const rules = readsPerMinute(large.steady.tables, large.steady.seconds, 'Rules');
  const full = readsPerMinute(large.coldStart.tables, 60, 'Rules');
  const share = full.bytes > 0 ? rules.bytes / full.bytes : Number.NaN;
  const itemShare = full.items > 0 ? rules.items / full.items : Number.NaN;
  sections.scale.push({
    metric: `Scale: the rules table read per worker per minute at ${n} rules, steady traffic, no rule changes, against one full load (the worker's cold start)`,
    value: `${formatNumber(rules.items)} items, ${formatBytes(rules.bytes)} per minute; a full load ${formatNumber(full.items)} items, ${formatBytes(full.bytes)}: ${(share * 100).toFixed(3)}% of its bytes, ${(itemShare * 100).toFixed(3)}% of its items`,
    target: target('≤ 1% of a full load per minute', share <= 0.01 && itemShare <= 0.01),
  });
  const grown = (result: ScaleLevelResult) =>
    result.heapAfterLoadBytes - result.heapBeforeLoadBytes;
  const perRule = (grown(large) - grown(base)) / large.rules;
  sections.scale.push({
    metric: `Scale: the worker's memory per rule (V8 heap after a full collection, after the cold start less before it, at ${n} rules less the same at 0, per rule)`,
    value: `${formatNumber(perRule)} bytes (heap grew ${formatBytes(grown(large))} at ${n} rules, ${formatBytes(grown(base))} at 0)`,
    target: '—',
  });
  // In the order they ran: 0, n, then n, 0.
  const ran = [bases[0], larges[0], larges[1], bases[1]].filter((result) => result !== undefined);
  for (const [index, result] of ran.entries()) {
    notes.push(
      `Scale phase, run ${index + 1}, ${formatNumber(result.rules)} rules (${result.rules > 0 ? `over ${formatNumber(result.devices)} devices, ` : ''}the first ${formatNumber(result.sendingDevices)} devices sending and labelled): set-up ${(result.setupMs / 1000).toFixed(1)} s; ` +
        `the worker's first batch ${formatMs(result.coldStart.ms)}, reading ${readsText(result.coldStart.tables, 60) || 'nothing'}; ` +
        `steady traffic ${formatNumber(result.steady.readings)} readings in ${result.steady.seconds.toFixed(1)} s, reads per minute: ${readsText(result.steady.tables, result.steady.seconds) || 'none'}; ` +
        `one scheduled check read ${readsText(result.check.tables, 60) || 'nothing'}; ` +
        `throughput load acknowledged ${formatNumber(result.throughput.acknowledgedPerSecond)} readings/s; alerts missed ${result.latency.missed}; ` +
        `the machine before the latency step and after the throughput step: the fixed task ${result.machine.before.cpuTaskMs.toFixed(1)} ms and ${result.machine.after.cpuTaskMs.toFixed(1)} ms, load average ${result.machine.before.loadAverage.toFixed(1)} and ${result.machine.after.loadAverage.toFixed(1)}.`,
    );
  }
}

/** The latency run as an ingest run: each reading breached and made a new alert. */
function alertRun(result: LatencyResult) {
  const alerts = result.missed + result.deliveryMs.length;
  return {
    readings: alerts,
    ingestCalls: alerts,
    ingestCallMs: result.ingestMs,
    counts: result.counts,
    realtimeUpdates: result.framesReceived,
  };
}

/** What the cost model takes from the scale phase's larger level. */
function rulesUsage(result: ScaleLevelResult) {
  const rules = result.steady.tables.Rules;
  const full = result.coldStart.tables.Rules;
  const checkUnits = Object.values(result.check.tables).reduce((sum, t) => sum + t.readUnits, 0);
  return {
    refreshReadUnitsPerWorkerMinute: ((rules?.readUnits ?? 0) * 60) / result.steady.seconds,
    fullLoadBytesPerRule: full && full.itemsRead > 0 ? full.bytesRead / full.itemsRead : 0,
    checkReadUnitsPerRun: checkUnits,
  };
}

function fleetBillRows(bill: FleetBill, requests: RequestsResult): void {
  const fleet = referenceFleet;
  const prices = loadPrices();
  const dollars = (value: number) =>
    `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const subject = `Reference fleet, a month (${formatNumber(fleet.devices)} devices × ${fleet.metricsPerDevice} metrics, a reading per metric every ${fleet.intervalSeconds} s in batches of ${fleet.batchSize}, ${formatNumber(fleet.rules)} rules, ${fleet.breachingShare * 100}% breaching; list prices of ${prices.date})`;
  for (const service of Object.keys(bill.byService) as (keyof FleetBill['byService'])[]) {
    const parts = bill.lines
      .filter((line) => line.service === service && line.dollars >= 0.005)
      .map((line) => `${line.what} ${dollars(line.dollars)}`);
    sections.fleetBill.push({
      metric: `${subject}: ${service}`,
      value: `${dollars(bill.byService[service])}${parts.length > 1 ? ` (${parts.join('; ')})` : ''}`,
      target: '—',
    });
  }
  sections.fleetBill.push({
    metric: `${subject}: total`,
    value: `${dollars(bill.total)} (${dollars(bill.total / fleet.devices)} a device)`,
    target: '—',
  });
  const blocks = requests.fleet.counts.tables.ReadingBlocks;
  notes.push(
    `Reference fleet bill: ${formatNumber(bill.readingsPerMonth / 1e9, 2)} billion readings and ${formatNumber(bill.alertsPerMonth / 1e6, 1)} million breaching readings a month (730 hours). ` +
      `Every reading costs what the request phase's fleet-shaped run counted per reading: ${requests.fleet.ingestCalls} calls of ${requests.batchSize} readings, one of each of ${fleet.metricsPerDevice} metrics from each of 20 devices (${requests.fleetDevices} devices in turn, each seen before), every metric watched by a rule that is never breached (${operationBreakdown(requests.fleet.counts, requests.fleet.readings)}; ` +
      `reading blocks ${blocks ? `${(blocks.writeUnits / requests.fleet.readings).toFixed(2)} WRU and ${formatNumber(blocks.bytesWritten / requests.fleet.readings)} bytes` : 'not counted'} per reading: a call holds one reading per device and metric, so each block holds one). ` +
      `Each breaching reading is costed as a new alert (the latency run, one reading per call, less a normal reading one per call): an upper bound, as breaches that continue a firing alert write and send less; ` +
      `one real-time subscriber. The devices table: the run's own device writes are replaced by one write (1 WRU) per device per minute, what the 60 s lastSeenAt granularity leaves when a device's 5 readings arrive together every 10 s. ` +
      `Rules: ${benchWorker.concurrency} worker instances (the event source mapping's pollers), each keeping the rules fresh as the scale phase measured at its larger level with no rule changes, and loading all ${formatNumber(fleet.rules)} rules at a cold start once an hour; the scheduled check once a minute as one run measured there. ` +
      `Storage: the reading blocks' bytes per reading kept for RETENTION_DAYS (${productSettings.RETENTION_DAYS.default}). Not counted: free tiers, CloudWatch logs and metrics, AppSync connection-minutes, e-mail deliveries, data transfer.`,
  );
}

/** The e-mails of 500 devices breaching one rule at once: grouped, a handful at most. */
function stormRows(result: StormResult): void {
  sections.mutes.push({
    metric: `Alert storm: ${formatNumber(result.devices)} devices breach one rule at once (fresh stack; group wait and interval 10 s)`,
    value: `${formatNumber(result.alerts)} alerts recorded; ${formatNumber(result.emails)} e-mails naming ${formatNumber(result.listed)} of them, within ${result.seconds.toFixed(1)} s`,
    target: target(
      '≤ 3 e-mails, every alert named',
      result.emails <= 3 && result.listed === result.devices && result.alerts === result.devices,
    ),
  });
}

/** What 10,000 active silences cost each alert's e-mail decision, as a ratio to none. */
function muteCheckRows([none, many]: MuteCheckResult[]): void {
  if (!none || !many) return;
  sections.mutes.push({
    metric: `Alerts fired and their e-mail decided, ${formatNumber(many.silences)} active silences vs none (one core)`,
    value: `${formatNumber(Math.round(many.alertsPerSecond))} vs ${formatNumber(Math.round(none.alertsPerSecond))} alerts/s/core: ${(none.alertsPerSecond / many.alertsPerSecond).toFixed(2)}× the cost`,
    target: '—',
  });
}

/** A backtest through the API, as a ratio to the engine's 10-rule figure of the same run. */
function backtestRows(result: BacktestThroughput, engine: EngineResult | undefined): void {
  sections.engine.push({
    metric: `Backtest: \`backtestRule\` of an every-device rule over ${formatNumber(result.readings)} stored readings of ${result.devices} devices through the API (fresh stack; read in blocks, replayed by the worker's episode steps; vs the engine's 10-rule figure above)`,
    value: backtestText(result, engine),
    target: target('≤ 25 s (its deadline)', result.seconds <= 25),
  });
}

/**
 * The engine alone: readings per second on one core, by number of rules; then the floor the
 * runtime's own Map lookup sets under the 100,000-rule cost.
 */
function engineRows({ results, floor }: EngineScaling): void {
  const base = results[0];
  for (const result of results) {
    const cost = base ? base.readingsPerSecond / result.readingsPerSecond : 1;
    sections.engine.push({
      metric:
        result.mix === 'fleet'
          ? `Evaluation engine, ${formatNumber(result.rules)} rules of the scale phase's mix (5% label selectors) over 100,000 labelled devices, ${result.matchedPerReading.toFixed(2)} rules matched per reading`
          : `Evaluation engine, ${formatNumber(result.rules)} rules (index + lifecycle step, one core, episodes in memory)`,
      value: `${formatNumber(Math.round(result.readingsPerSecond))} readings/s/core${result === base ? '' : ` (${cost.toFixed(2)}× the cost at ${formatNumber(base?.rules ?? 0)} rules)`}`,
      target:
        result.rules === 100_000 && result.mix === 'one-rule'
          ? target(
              '≥ 1,000,000 readings/s/core, ≤ 1.5× the 10-rule cost',
              result.readingsPerSecond >= 1_000_000 && cost <= 1.5,
            )
          : '—',
    });
  }
  if (!base) return;
  sections.engine.push({
    metric: `Evaluation engine's floor: a bare Map lookup of each reading's device among ${formatNumber(floor.deviceCount)} (entries allocated together) vs of its metric among 10, the same readings; the 10-rule cost plus that difference`,
    value: `${floor.byDeviceNs.toFixed(0)} vs ${floor.byMetricNs.toFixed(0)} ns a reading: at best ${floorRatio(base, floor).toFixed(2)}× the 10-rule cost`,
    target: '—',
  });
}

const elapsed = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0);
const report = [
  `## Benchmark, ${startedAt.toISOString()}`,
  '',
  ...machineDescription(),
  machineSpeedLine(speedAtStart, speedAtEnd),
  '',
  markdownTable(Object.values(sections).flat()),
  '',
  'Notes:',
  '',
  ...notes.map((note) => `- ${note}`),
  '',
  `Produced by \`npm run bench${quick ? ' -- --quick' : ''}\` (bench/run.ts) in ${elapsed} s.`,
];
process.stdout.write(`${report.join('\n')}\n`);
// Keep-alive sockets and SDK clients must not hold the process open once the report is out.
// Timing never fails the run; a phase that could not run at all does.
process.exit(failedPhases > 0 ? 1 : 0);
