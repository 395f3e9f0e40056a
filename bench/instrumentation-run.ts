/**
 * One run of the instrumentation phase in a process of its own, on a fresh local stack (the
 * worker on the endpoint's event loop, as the latency phase has it), with the environment
 * bench/instrumentation.ts gives it: no metrics, metrics, or metrics and tracing. Measures alert latency,
 * then batch throughput, and prints one JSON line: the InstrumentationRun. Started by
 * instrumentation.ts:
 *
 *   node bench/instrumentation-run.ts '<{ mode, latency, throughput } as JSON>'
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { InstrumentationOptions, InstrumentationRun } from './instrumentation.ts';

const options = JSON.parse(process.argv[2] ?? '') as InstrumentationOptions & {
  mode: InstrumentationRun['mode'];
};

// The stand-in X-Ray daemon, bound before the X-Ray SDK is loaded: it reads the address then.
const daemon = createSocket('udp4');
let segments = 0;
let segmentBytes = 0;
daemon.on('message', (message) => {
  segments += 1;
  segmentBytes += message.length;
});
daemon.bind(0, '127.0.0.1');
await once(daemon, 'listening');
process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${daemon.address().port}`;

// The EMF lines go on to stdout, as in Lambda; counted on their way.
let emfLines = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  if (String(chunk).includes('"_aws"')) emfLines += 1;
  return write(chunk, ...rest);
}) as typeof process.stdout.write;

const { AwsRequestCounter } = await import('./aws-counter.ts');
const { benchCredentials } = await import('./credentials.ts');
const { measureAlertLatency } = await import('./latency.ts');
const { QueueWatcher, startBenchStack } = await import('./stack.ts');
const { measureThroughput } = await import('./throughput.ts');

const stack = await startBenchStack();
const queue = new QueueWatcher(stack.outputs);
try {
  const credentials = await benchCredentials(stack.outputs);
  const counter = await AwsRequestCounter.install(stack.outputs, [queue.client]);
  const latency = await measureAlertLatency(stack, counter, queue, credentials, options.latency);
  counter.uninstall();
  const throughput = await measureThroughput(stack, queue, options.throughput);
  const result: InstrumentationRun = {
    mode: options.mode,
    deliveryMs: latency.deliveryMs,
    alertsMissed: latency.missed,
    processedPerSecond: throughput.processedPerSecond,
    drained: throughput.drained,
    emfLines,
    segments,
    segmentBytes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  queue.close();
  await stack.stop();
  daemon.close();
}
process.exit(0);
