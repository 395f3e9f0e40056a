import { pathToFileURL } from 'node:url';
import { applyReading, type EpisodeState, newEpisode } from '../domain/episode.ts';
import type { Reading } from '../domain/reading.ts';
import { newRule, type Rule } from '../domain/rule.ts';
import { type IndexedRule, RuleIndex } from '../domain/rule-index.ts';

export interface EngineResult {
  rules: number;
  readings: number;
  readingsPerSecond: number;
  /** Rules a reading matched, on average. */
  matchedPerReading: number;
}

/**
 * The evaluation engine alone, on one core: the index lookup plus the lifecycle step of
 * every matching rule, with episodes in memory. Each reading matches one rule whatever the
 * number of rules (one rule per device, readings spread over those devices), so the figures
 * show what the number of rules itself costs. One reading in a thousand breaches.
 */
export function measureEngine(ruleCount: number, readingCount: number): EngineResult {
  const created = '2026-01-01T00:00:00.000Z';
  const rules: Rule[] = Array.from({ length: ruleCount }, (_, i) =>
    newRule(
      { deviceId: `d${i}`, metric: 'temperature', operator: 'GT', threshold: 90, forReadings: 2 },
      `r-${i}`,
      created,
    ),
  );
  const index = new RuleIndex(rules);
  const start = Date.parse('2026-05-01T00:00:00.000Z');
  // Readings arrive parsed from the queue; building them is not the engine's work.
  const readings: Reading[] = Array.from({ length: readingCount }, (_, n) => ({
    id: `r${n}`,
    deviceId: `d${(n * 7919) % ruleCount}`,
    metric: 'temperature',
    value: n % 1000 === 0 ? 95 : 20,
    timestamp: new Date(start + n).toISOString(),
  }));
  // Episodes by rule, then device: as the worker groups a batch, without building keys.
  const episodes = new Map<IndexedRule, Map<string, EpisodeState>>();
  let matched = 0;
  const begin = process.hrtime.bigint();
  for (const reading of readings) {
    for (const rule of index.matching(reading.deviceId, reading.metric)) {
      matched++;
      let byDevice = episodes.get(rule);
      if (!byDevice) {
        byDevice = new Map();
        episodes.set(rule, byDevice);
      }
      const state = byDevice.get(reading.deviceId) ?? newEpisode(rule.id, reading.deviceId);
      const step = applyReading(rule, state, reading, start);
      if (step.changed) byDevice.set(reading.deviceId, { ...step.state, outbox: [] });
    }
  }
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  return {
    rules: ruleCount,
    readings: readingCount,
    readingsPerSecond: readingCount / seconds,
    matchedPerReading: matched / readingCount,
  };
}

/** The three rule counts of the benchmark, each after a warm-up run. */
export function measureEngineScaling(readingCount = 1_000_000): EngineResult[] {
  return [10, 1_000, 100_000].map((count) => {
    measureEngine(count, Math.min(readingCount, 200_000));
    return measureEngine(count, readingCount);
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const result of measureEngineScaling()) {
    console.log(
      `${result.rules} rules: ${Math.round(result.readingsPerSecond).toLocaleString('en')} readings/s/core (${result.matchedPerReading.toFixed(2)} rules matched per reading)`,
    );
  }
}
