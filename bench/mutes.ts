import { pathToFileURL } from 'node:url';
import { parseAlertMatchers } from '../domain/alert-matchers.ts';
import { emailDecision } from '../domain/delivery.ts';
import { applyReading, newEpisode } from '../domain/episode.ts';
import { type MuteEntry, MuteIndex } from '../domain/mute-set.ts';
import type { Reading } from '../domain/reading.ts';
import { newRule } from '../domain/rule.ts';
import { RuleIndex } from '../domain/rule-index.ts';

export interface MuteCheckResult {
  silences: number;
  /** Alerts decided per second on one core: the engine's step that fires it and its e-mail decision. */
  alertsPerSecond: number;
}

/**
 * What checking silences costs the worker, on one core: every reading fires an alert (a new
 * episode each, the worst case for the check: one decision per reading), and each alert's
 * e-mail is decided against `silenceCount` active silences, one per other device, rule,
 * metric or site, none of which matches. The figure to read is the ratio to no silences.
 */
export function measureMuteCheck(silenceCount: number, alertCount: number): MuteCheckResult {
  const created = '2026-01-01T00:00:00.000Z';
  const rules = new RuleIndex([
    newRule({ metric: 'temperature', operator: 'GT', threshold: 90 }, 'hot', created),
  ]);
  const now = Date.parse('2026-05-01T00:00:00.000Z');
  const mutes: MuteEntry[] = Array.from({ length: silenceCount }, (_, i) => ({
    id: `s${i}`,
    kind: 'SILENCE',
    notifyResolved: true,
    matchers: parseAlertMatchers(
      [
        { deviceId: `other-${i}` },
        { ruleId: `rule-${i}` },
        { metric: `metric-${i}` },
        { labels: [{ key: 'site', operator: 'EQ', values: [`site-${i}`] }] },
      ][i % 4],
      'matchers',
    ),
    active: () => true,
    endsAt: now + 3600_000,
  }));
  const index = new MuteIndex(mutes);
  const readings: Reading[] = Array.from({ length: alertCount }, (_, n) => ({
    id: `r${n}`,
    deviceId: `d${n}`,
    metric: 'temperature',
    value: 95,
    timestamp: new Date(now + n).toISOString(),
  }));
  const labels = { site: 'berlin' };
  let muted = 0;
  const begin = process.hrtime.bigint();
  for (const reading of readings) {
    for (const rule of rules.matching(reading.deviceId, reading.metric)) {
      const step = applyReading(rule, newEpisode(rule.id, reading.deviceId), reading, now, labels);
      for (const notification of step.state.outbox) {
        if (emailDecision(notification, index, now).action !== 'send') muted++;
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  if (muted > 0) throw new Error(`${muted} alerts muted: the silences were meant to match none`);
  return { silences: silenceCount, alertsPerSecond: alertCount / seconds };
}

/**
 * No silences and 10,000, side by side: three alternating rounds after a warm-up of each, the
 * best round of each counted, so a moment of load on a shared machine skews neither.
 */
export function measureMuteCheckRatio(alertCount = 200_000): MuteCheckResult[] {
  const counts = [0, 10_000];
  for (const count of counts) measureMuteCheck(count, Math.min(alertCount, 50_000));
  const best = new Map<number, MuteCheckResult>();
  for (let round = 0; round < 3; round++) {
    for (const count of counts) {
      const result = measureMuteCheck(count, alertCount);
      if ((best.get(count)?.alertsPerSecond ?? 0) < result.alertsPerSecond) best.set(count, result);
    }
  }
  return counts.map((count) => best.get(count) as MuteCheckResult);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [none, many] = measureMuteCheckRatio();
  for (const result of [none, many]) {
    console.log(
      `${result?.silences} silences: ${Math.round(result?.alertsPerSecond ?? 0).toLocaleString('en')} alerts/s/core`,
    );
  }
  console.log(
    `cost ratio: ${((none?.alertsPerSecond ?? 0) / (many?.alertsPerSecond ?? 1)).toFixed(2)}×`,
  );
}
