import { pathToFileURL } from 'node:url';
import { DynamoDbDeviceStore } from '../adapters/dynamodb-device-store.ts';
import { DynamoDbReadingStore } from '../adapters/dynamodb-reading-store.ts';
import { sightingsOf } from '../domain/device.ts';
import { MAX_BLOCK_READINGS } from '../domain/reading-blocks.ts';
import type { Reading } from '../domain/reading.ts';
import { benchCredentials } from './credentials.ts';
import { type EngineResult, measureEngine } from './engine.ts';
import { stackDocuments, startBenchStack } from './stack.ts';
import { expectData, formatNumber, graphqlRequest, progress } from './support.ts';

const BACKTEST = `query Backtest($input: BacktestInput!) {
  backtestRule(input: $input) { readingsReplayed episodeCount devices { deviceId } }
}`;

export interface BacktestThroughput {
  devices: number;
  readings: number;
  episodes: number;
  /** The backtestRule call, from request to answer, and its readings per second. */
  seconds: number;
  readingsPerSecond: number;
}

const METRIC = 'bench.backtest';

/**
 * A backtest's throughput on a fresh local stack: `devices` devices with `readings` readings
 * between them, one a second each, stored as the worker stores them (blocks of a worker
 * batch of 1,000, written straight to the readings table, and the devices recorded in the
 * inventory), then one `backtestRule` call of an every-device rule over their whole range
 * through the API. One reading in a thousand breaches, as in the engine phase.
 */
export async function measureBacktest(
  devices = 20,
  readings = 1_000_000,
): Promise<BacktestThroughput> {
  const stack = await startBenchStack();
  try {
    const { outputs } = stack;
    const documents = stackDocuments(outputs);
    const store = new DynamoDbReadingStore(documents, outputs.ReadingBlocksTableName, 90);
    const inventory = new DynamoDbDeviceStore(documents, outputs.DevicesTableName);
    const perDevice = Math.ceil(readings / devices);
    // Ending a minute ago: the inventory takes no sighting from the future.
    const start = Date.now() - 60_000 - perDevice * 1000;
    progress(`backtest: storing ${formatNumber(perDevice * devices)} readings…`);
    for (let d = 0; d < devices; d++) {
      const deviceId = `backtest-${d}`;
      const writes: Promise<void>[] = [];
      for (let first = 0; first < perDevice; first += MAX_BLOCK_READINGS) {
        const batch: Reading[] = [];
        for (let n = first; n < Math.min(first + MAX_BLOCK_READINGS, perDevice); n++) {
          batch.push({
            id: `r${n}`,
            deviceId,
            metric: METRIC,
            value: n % 1000 === 500 ? 95 : 20,
            timestamp: new Date(start + n * 1000).toISOString(),
          });
        }
        writes.push(store.saveMany(batch));
        if (first === 0) await inventory.recordSightings(sightingsOf(batch), Date.now());
      }
      await Promise.all(writes);
    }
    const { adminToken } = await benchCredentials(outputs);
    const input = {
      rule: { metric: METRIC, operator: 'GT', threshold: 90 },
      from: new Date(start).toISOString(),
      to: new Date().toISOString(),
    };
    progress('backtest: replaying…');
    const began = process.hrtime.bigint();
    const answer = expectData(
      await graphqlRequest<{
        backtestRule: { readingsReplayed: number; episodeCount: number; devices: unknown[] };
      }>(outputs.GraphQLUrl, adminToken, BACKTEST, { input }),
      'backtestRule',
    );
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    const { readingsReplayed, episodeCount, devices: replayed } = answer.backtestRule;
    return {
      devices: replayed.length,
      readings: readingsReplayed,
      episodes: episodeCount,
      seconds,
      readingsPerSecond: readingsReplayed / seconds,
    };
  } finally {
    await stack.stop();
  }
}

/** The backtest's figure beside the in-memory engine's, as the report prints it. */
export function backtestText(result: BacktestThroughput, engine: EngineResult | undefined): string {
  const ratio = engine
    ? ` = ${(result.readingsPerSecond / engine.readingsPerSecond).toFixed(2)}× the in-memory engine's ${formatNumber(Math.round(engine.readingsPerSecond))} readings/s/core`
    : '';
  return `${formatNumber(result.readings)} readings of ${result.devices} devices replayed in ${result.seconds.toFixed(1)} s (${result.episodes} episodes): ${formatNumber(Math.round(result.readingsPerSecond))} readings/s${ratio}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `--json [readings]`: the run's report starts it so, in a process of its own (a stack's
  // handlers keep the clients of the first stack their process started), and reads one line.
  if (process.argv[2] === '--json') {
    const result = await measureBacktest(20, Number(process.argv[3] ?? 1_000_000));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
  // The engine's figure in the same run: 10 rules, after a warm-up, as the engine phase has it.
  measureEngine(10, 200_000);
  const engine = measureEngine(10, 1_000_000);
  console.log(backtestText(await measureBacktest(), engine));
  process.exit(0);
}
