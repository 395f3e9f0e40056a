/**
 * One level of the scale phase in a process of its own, on a fresh local stack, so that
 * each level's heap, caches and emulator data start from nothing. Prints one JSON line: the
 * ScaleLevelResult. Started by scale.ts (`runScaleLevel`), with --expose-gc:
 *
 *   node --expose-gc bench/scale-run.ts '<ScaleOptions as JSON>'
 */
import { AwsRequestCounter } from './aws-counter.ts';
import { benchCredentials } from './credentials.ts';
import { measureScaleLevel, type ScaleOptions } from './scale.ts';
import { QueueWatcher, startBenchStack } from './stack.ts';

const options = JSON.parse(process.argv[2] ?? '') as ScaleOptions;
// The level runs the scheduled check itself, once, counted; the timer would run it at random.
const stack = await startBenchStack({ episodeCheckIntervalMs: 3600_000 });
const queue = new QueueWatcher(stack.outputs);
try {
  const credentials = await benchCredentials(stack.outputs);
  const counter = await AwsRequestCounter.install(stack.outputs, [queue.client]);
  try {
    const result = await measureScaleLevel(stack, counter, queue, credentials, options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    counter.uninstall();
  }
} finally {
  queue.close();
  await stack.stop();
}
process.exit(0);
