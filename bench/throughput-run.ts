/**
 * The batch-ingest phase in a process of its own, on a local stack configured as `npm start`
 * runs it (the worker on its own thread), so that the other phases' stack, whose worker
 * shares the endpoint's event loop for request counting, takes no part. Prints one JSON
 * line: the ThroughputResult. Started by run.ts:
 *
 *   node bench/throughput-run.ts <clients> <batch size> <duration ms> <warm-up ms> <drain timeout ms>
 */
import { QueueWatcher, startBenchStack } from './stack.ts';
import { measureThroughput } from './throughput.ts';

const [clients, batchSize, durationMs, warmupMs, drainTimeoutMs] = process.argv
  .slice(2)
  .map(Number);
if (!clients || !batchSize || !durationMs || !warmupMs || !drainTimeoutMs) {
  throw new Error(
    'Usage: node bench/throughput-run.ts <clients> <batch size> <duration ms> <warm-up ms> <drain timeout ms>',
  );
}
const stack = await startBenchStack({ workerThread: true });
const queue = new QueueWatcher(stack.outputs);
try {
  const result = await measureThroughput(stack, queue, {
    clients,
    batchSize,
    durationMs,
    warmupMs,
    drainTimeoutMs,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  queue.close();
  await stack.stop();
}
process.exit(0);
