import { availableParallelism, cpus, totalmem } from 'node:os';

/**
 * The machine the numbers came from, printed above the table: throughput and latency
 * mean little without the cores, CPU, Node version and memory they were measured on.
 */
export function machineDescription(): string[] {
  const processors = cpus();
  const model = processors[0]?.model.trim() || 'unknown CPU';
  return [
    `- Cores: ${processors.length} (available parallelism ${availableParallelism()})`,
    `- CPU: ${model}`,
    `- Node: ${process.version} (${process.platform} ${process.arch})`,
    `- Memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB total`,
  ];
}
