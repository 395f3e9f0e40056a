import { request as httpRequest, Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './support.ts';

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

/** How fast the machine was at one moment: shared machines drift by tens of percent. */
export interface MachineSpeed {
  /** A fixed task: 10,000 readings to JSON and back, median of 7, ms. */
  cpuTaskMs: number;
  /** Loopback HTTP round trip on a kept-alive connection, p50 of 200 back to back, ms. */
  roundTripMs: number;
  /** The same after 5 ms idle each time, p50 of 50, ms: what a hop after a short wait costs. */
  roundTripAfterIdleMs: number;
}

/** Measures MachineSpeed, in this process, on a loopback server it starts and stops. */
export async function measureMachineSpeed(): Promise<MachineSpeed> {
  const readings = Array.from({ length: 10_000 }, (_, i) => ({
    id: `reading-${i}`,
    deviceId: `device-${i % 100}`,
    metric: 'temperature',
    value: i / 7,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  }));
  const cpuRuns: number[] = [];
  for (let run = 0; run < 8; run++) {
    const started = performance.now();
    JSON.parse(JSON.stringify(readings));
    if (run > 0) cpuRuns.push(performance.now() - started);
  }
  const server = createServer((_, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const roundTrip = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      httpRequest({ host: '127.0.0.1', port, agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(performance.now() - started));
      })
        .on('error', reject)
        .end();
    });
  try {
    for (let i = 0; i < 20; i++) await roundTrip();
    const backToBack: number[] = [];
    for (let i = 0; i < 200; i++) backToBack.push(await roundTrip());
    const afterIdle: number[] = [];
    for (let i = 0; i < 50; i++) {
      await sleep(5);
      afterIdle.push(await roundTrip());
    }
    return {
      cpuTaskMs: median(cpuRuns),
      roundTripMs: median(backToBack),
      roundTripAfterIdleMs: median(afterIdle),
    };
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** One line of the report: the machine's speed at the start and at the end of the run. */
export function machineSpeedLine(start: MachineSpeed | null, end: MachineSpeed | null): string {
  const describe = (speed: MachineSpeed | null) =>
    speed
      ? `${speed.cpuTaskMs.toFixed(1)} ms, ${speed.roundTripMs.toFixed(2)} ms, ${speed.roundTripAfterIdleMs.toFixed(2)} ms`
      : 'not measured';
  return `- Speed (a fixed task, 10,000 readings to JSON and back; a loopback HTTP round trip back to back; the same after 5 ms idle): at the start ${describe(start)}; at the end ${describe(end)}`;
}
