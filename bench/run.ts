/**
 * `npm run bench`: measures the system on this machine and prints a markdown table
 * (metric | value | target). Timing never fails the run: a missed target is reported as
 * missed. Progress goes to stderr, the report to stdout.
 *
 *   npm run bench              the full run (about 2 minutes on 2 cores)
 *   npm run bench -- --quick   shorter phases, for trying the benchmark itself out
 */
import { type AuthorizerResult, measureAuthorizerCost } from './authorizer.ts';
import { AwsRequestCounter } from './aws-counter.ts';
import { type BundleResult, measureBundles } from './bundles.ts';
import { type EngineResult, measureEngineScaling } from './engine.ts';
import { type CostEstimate, estimateCost, loadPrices, operationBreakdown } from './cost.ts';
import { benchCredentials } from './credentials.ts';
import { compareEndpoints, type EndpointResult } from './endpoint.ts';
import { type LatencyResult, measureAlertLatency } from './latency.ts';
import { machineDescription, machineSpeedLine, measureMachineSpeed } from './machine.ts';
import { measureRequestsPerReading, type RequestsResult } from './requests.ts';
import { benchWorker, QueueWatcher, startBenchStack } from './stack.ts';
import { errorText, formatBytes, formatMs, formatNumber, percentile, progress } from './support.ts';
import { markdownTable, type Row, target } from './table.ts';
import { runThroughputProcess, type ThroughputResult } from './throughput.ts';

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
  bundleRuns: quick ? 2 : 5,
};

/** The table's sections, in the order they are printed (not the order they are measured). */
const sections = {
  engine: [] as Row[],
  latency: [] as Row[],
  authorizer: [] as Row[],
  throughput: [] as Row[],
  endpoint: [] as Row[],
  requests: [] as Row[],
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
  if (!result.drained.single || !result.drained.batch) {
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
      // Before the batch load, so its backlog cannot leak into the counts.
      const requests = await phase('requests', 'AWS requests per reading', () =>
        measureRequestsPerReading(stack, counter, queue, credentials, settings.requests),
      );
      counter.uninstall();
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
const endpoint = await phase('endpoint', 'GraphQL endpoint vs baseline', () =>
  compareEndpoints(settings.endpoint),
);
if (endpoint) endpointRows(endpoint);
const bundles = await phase('bundles', 'Lambda bundles', () => measureBundles(settings.bundleRuns));
if (bundles) bundleRows(bundles);
const engine = await phase('engine', 'Evaluation engine', async () =>
  measureEngineScaling(quick ? 200_000 : 1_000_000),
);
if (engine) engineRows(engine);
const speedAtEnd = await measureMachineSpeed().catch(() => null);

/** The engine alone: readings per second on one core, by number of rules. */
function engineRows(results: EngineResult[]): void {
  const base = results[0];
  for (const result of results) {
    const cost = base ? base.readingsPerSecond / result.readingsPerSecond : 1;
    sections.engine.push({
      metric: `Evaluation engine, ${formatNumber(result.rules)} rules (index + lifecycle step, one core, episodes in memory)`,
      value: `${formatNumber(Math.round(result.readingsPerSecond))} readings/s/core${result === base ? '' : ` (${cost.toFixed(2)}× the cost at ${formatNumber(base?.rules ?? 0)} rules)`}`,
      target:
        result.rules === 100_000
          ? target(
              '≥ 1,000,000 readings/s/core, ≤ 1.5× the 10-rule cost',
              result.readingsPerSecond >= 1_000_000 && cost <= 1.5,
            )
          : '—',
    });
  }
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
