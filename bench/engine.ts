import { pathToFileURL } from 'node:url';
import { applyReading, type EpisodeState, newEpisode } from '../domain/episode.ts';
import type { Labels } from '../domain/labels.ts';
import type { Reading } from '../domain/reading.ts';
import { newRule, type Rule } from '../domain/rule.ts';
import { type IndexedRule, RuleIndex } from '../domain/rule-index.ts';
import { FLEET_METRICS, fleetDeviceId, fleetLabels, fleetRules } from './fleet.ts';

export interface EngineResult {
  rules: number;
  /** `one-rule`: each reading matches one rule (measureEngine); `fleet`: the scale phase's mix over labelled devices. */
  mix: 'one-rule' | 'fleet';
  readings: number;
  readingsPerSecond: number;
  /** Rules a reading matched, on average. */
  matchedPerReading: number;
}

/** The fleet every rule count of the engine phase runs over. */
export const ENGINE_DEVICES = 100_000;

/**
 * The evaluation engine alone, on one core: the index lookup plus the lifecycle step of
 * every matching rule, with episodes in memory. Every rule count runs over the same fleet
 * (`deviceCount` devices, readings spread over them), and each reading matches one rule
 * whatever the number of rules, so the figures show what the number of rules itself costs:
 * below `deviceCount` rules, each rule is an every-device rule of a metric of its own and
 * device k sends metric k mod `ruleCount`; at `deviceCount` rules, each device has a rule of
 * its own (of its metric, k mod 10). One reading in a thousand breaches.
 */
export function measureEngine(
  ruleCount: number,
  readingCount: number,
  deviceCount = ENGINE_DEVICES,
): EngineResult {
  const created = '2026-01-01T00:00:00.000Z';
  const perDevice = ruleCount >= deviceCount;
  const metrics = perDevice ? 10 : ruleCount;
  const metricOf = Array.from({ length: metrics }, (_, i) => `m${i}`);
  const rules: Rule[] = Array.from({ length: ruleCount }, (_, i) =>
    newRule(
      {
        ...(perDevice ? { deviceId: `d${i % deviceCount}` } : {}),
        metric: metricOf[i % metrics] as string,
        operator: 'GT',
        threshold: 90,
        forReadings: 2,
      },
      `r-${i}`,
      created,
    ),
  );
  // Readings arrive parsed from the queue; building them is not the engine's work.
  const readings = Array.from({ length: readingCount }, (_, n) => {
    const device = (n * 7919) % deviceCount;
    return reading(n, `d${device}`, metricOf[device % metrics] as string);
  });
  return { ...run(new RuleIndex(rules), readings, () => undefined), mix: 'one-rule' };
}

/**
 * The engine on the scale phase's rule mix (bench/fleet.ts: per-device rules and 5% label
 * selector rules) over `deviceCount` labelled devices, readings of the fleet's metrics
 * spread over them: what label-selector rules add to a reading's lookup and steps.
 */
export function measureFleetEngine(
  ruleCount: number,
  deviceCount: number,
  readingCount: number,
): EngineResult {
  const index = new RuleIndex(fleetRules(ruleCount, deviceCount, '2026-01-01T00:00:00.000Z'));
  const ids = Array.from({ length: deviceCount }, (_, k) => fleetDeviceId(k));
  const labels = new Map(ids.map((id, k) => [id, fleetLabels(k)]));
  const readings = Array.from({ length: readingCount }, (_, n) =>
    reading(
      n,
      ids[(n * 7919) % deviceCount] as string,
      FLEET_METRICS[n % FLEET_METRICS.length] as string,
    ),
  );
  return { ...run(index, readings, (id) => labels.get(id)), rules: ruleCount, mix: 'fleet' };
}

const START = Date.parse('2026-05-01T00:00:00.000Z');

/** Reading number `n`: one in a thousand breaches (95), the others read 20. */
function reading(n: number, deviceId: string, metric: string): Reading {
  return {
    id: `r${n}`,
    deviceId,
    metric,
    value: n % 1000 === 0 ? 95 : 20,
    timestamp: new Date(START + n).toISOString(),
  };
}

/** The timed part: each reading's lookup (with its device's labels) and matching rules' steps. */
function run(
  index: RuleIndex,
  readings: readonly Reading[],
  labelsOf: (deviceId: string) => Labels | undefined,
): Omit<EngineResult, 'mix'> {
  // Episodes by rule, then device: as the worker groups a batch, without building keys.
  const episodes = new Map<IndexedRule, Map<string, EpisodeState>>();
  let matched = 0;
  const begin = process.hrtime.bigint();
  for (const reading of readings) {
    const labels = labelsOf(reading.deviceId);
    for (const rule of index.matching(reading.deviceId, reading.metric, labels)) {
      matched++;
      const byDevice = episodes.get(rule);
      const state = byDevice?.get(reading.deviceId) ?? newEpisode(rule.id, reading.deviceId);
      const step = applyReading(rule, state, reading, START, labels);
      if (!step.changed) continue;
      // Only an episode that changed is kept, as the worker writes only those.
      if (byDevice) byDevice.set(reading.deviceId, { ...step.state, outbox: [] });
      else episodes.set(rule, new Map([[reading.deviceId, { ...step.state, outbox: [] }]]));
    }
  }
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  return {
    rules: index.size,
    readings: readings.length,
    readingsPerSecond: readings.length / seconds,
    matchedPerReading: matched / readings.length,
  };
}

/** measureLookupFloor's figures. */
export interface LookupFloor {
  /** Nanoseconds a reading: the device's entry among `deviceCount`. */
  byDeviceNs: number;
  /** Nanoseconds a reading: the metric's entry among 10. */
  byMetricNs: number;
  deviceCount: number;
  /** Readings above their entry's threshold, counted so that no lookup is optimized away. */
  breaches: number;
}

/**
 * What the runtime itself charges for a lookup among many keys, the floor under the engine's
 * 100,000-rule figure: the same readings (measureEngine's, over `deviceCount` devices), each
 * looked up by device in a bare Map of `deviceCount` entries and by metric in one of 10, and
 * a field of the entry read. Entries are allocated together, which is kinder to the cache
 * than an index filled from a store's pages, so the difference is a lower bound.
 */
export function measureLookupFloor(
  readingCount: number,
  deviceCount = ENGINE_DEVICES,
): LookupFloor {
  const metricOf = Array.from({ length: 10 }, (_, i) => `m${i}`);
  const byDevice = new Map(
    Array.from({ length: deviceCount }, (_, i) => [`d${i}`, { threshold: 90 + (i % 2) }]),
  );
  const byMetric = new Map(metricOf.map((metric, i) => [metric, { threshold: 90 + (i % 2) }]));
  const readings = Array.from({ length: readingCount }, (_, n) => {
    const device = (n * 7919) % deviceCount;
    return reading(n, `d${device}`, metricOf[device % 10] as string);
  });
  let counted = 0;
  const timed = (lookup: (reading: Reading) => { threshold: number } | undefined): number => {
    let breaches = 0;
    const begin = process.hrtime.bigint();
    for (const reading of readings)
      if (reading.value > (lookup(reading)?.threshold ?? 0)) breaches++;
    const ns = Number(process.hrtime.bigint() - begin) / readings.length;
    counted += breaches;
    return ns;
  };
  const device = (reading: Reading) => byDevice.get(reading.deviceId);
  const metric = (reading: Reading) => byMetric.get(reading.metric);
  // Each timed twice, alternately; the second of each counts (the first warms it up).
  timed(device);
  timed(metric);
  const byDeviceNs = timed(device);
  const byMetricNs = timed(metric);
  return { byDeviceNs, byMetricNs, deviceCount, breaches: counted };
}

export interface EngineScaling {
  results: EngineResult[];
  floor: LookupFloor;
}

/**
 * The three rule counts of the benchmark, each after a warm-up run, then 100,000 rules of
 * the scale phase's mix over 100,000 labelled devices, and the runtime's floor.
 */
export function measureEngineScaling(readingCount = 1_000_000): EngineScaling {
  const warmUp = Math.min(readingCount, 200_000);
  const perDevice = [10, 1_000, 100_000].map((count) => {
    measureEngine(count, warmUp);
    return measureEngine(count, readingCount);
  });
  measureFleetEngine(100_000, 100_000, warmUp);
  const fleet = measureFleetEngine(100_000, 100_000, readingCount);
  return { results: [...perDevice, fleet], floor: measureLookupFloor(readingCount) };
}

/**
 * The best the 100,000-rule figure could be, as a multiple of the 10-rule cost, if the engine
 * added nothing to a lookup among 100,000 devices but the runtime's own charge for it.
 */
export function floorRatio(tenRules: EngineResult, floor: LookupFloor): number {
  const tenNs = 1e9 / tenRules.readingsPerSecond;
  return (tenNs + floor.byDeviceNs - floor.byMetricNs) / tenNs;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `--json [readings]`: the run's report starts it so, in a process of its own (a heap and
  // a JIT that no other phase has shaped), and reads one line.
  if (process.argv[2] === '--json') {
    const scaling = measureEngineScaling(Number(process.argv[3] ?? 1_000_000));
    process.stdout.write(`${JSON.stringify(scaling)}\n`);
    process.exit(0);
  }
  const { results, floor } = measureEngineScaling();
  for (const result of results) {
    console.log(
      `${result.rules} rules${result.mix === 'fleet' ? ' (the scale phase mix, 100,000 labelled devices)' : ''}: ${Math.round(result.readingsPerSecond).toLocaleString('en')} readings/s/core (${result.matchedPerReading.toFixed(2)} rules matched per reading)`,
    );
  }
  console.log(
    `floor: a Map lookup by device among ${floor.deviceCount.toLocaleString('en')} ${floor.byDeviceNs.toFixed(0)} ns, by metric among 10 ${floor.byMetricNs.toFixed(0)} ns; at best ${floorRatio(results[0] as EngineResult, floor).toFixed(2)}× the 10-rule cost`,
  );
}
