/**
 * The batch-ingest phase in a process of its own, on a local stack configured as `npm start`
 * runs it (the worker on its own thread), so that the other phases' stack, whose worker
 * shares the endpoint's event loop for request counting, takes no part. The emulators keep
 * their data in memory, as with `npm start -- --ephemeral`, unless `--on-disk` is given:
 * then they write through to a scratch directory in .local, as a plain `npm start` has them
 * do. Prints one JSON line: the ThroughputResult. Started by run.ts:
 *
 *   node bench/throughput-run.ts <clients> <batch size> <duration ms> <warm-up ms> <drain timeout ms> [--on-disk]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueWatcher, startBenchStack } from './stack.ts';
import { repoRoot } from './support.ts';
import { measureThroughput } from './throughput.ts';

const args = process.argv.slice(2);
const onDisk = args.includes('--on-disk');
const [clients, batchSize, durationMs, warmupMs, drainTimeoutMs] = args
  .filter((arg) => arg !== '--on-disk')
  .map(Number);
if (!clients || !batchSize || !durationMs || !warmupMs || !drainTimeoutMs) {
  throw new Error(
    'Usage: node bench/throughput-run.ts <clients> <batch size> <duration ms> <warm-up ms> <drain timeout ms> [--on-disk]',
  );
}
// Beside npm start's own state (.local, ignored by git), on the same file system: the
// system's temporary directory may be in memory (tmpfs).
const localDir = fileURLToPath(new URL('.local/', repoRoot));
if (onDisk) mkdirSync(localDir, { recursive: true });
const stateDir = onDisk ? mkdtempSync(join(localDir, 'bench-')) : undefined;
try {
  const stack = await startBenchStack({ workerThread: true, stateDir });
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
} finally {
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
process.exit(0);
