/**
 * Geometry of a device chart: one metric's readings as a line, each matching rule's threshold
 * and clear threshold as horizontal lines, alert episodes as shaded bands. Pure, so the
 * scales are tested without a browser; DeviceChart only draws what this returns.
 */
import type { Operator, Severity } from '../../generated/console-operations.ts';
import { operatorSymbols } from '../../domain/rule.ts';

export interface ChartReading {
  timestamp: string;
  value: number;
}

export interface ChartRule {
  id: string;
  name: string | null;
  operator: Operator;
  threshold: number;
  clearThreshold: number | null;
  enabled: boolean;
}

export interface ChartEpisode {
  id: string;
  severity: Severity;
  firedAt: string;
  /** The reading that fired the alert; the band starts there, where the line crossed. */
  eventTimestamp?: string | null;
  resolvedAt: string | null;
}

export interface ChartLine {
  ruleId: string;
  kind: 'threshold' | 'clear';
  value: number;
  y: number;
  label: string;
  enabled: boolean;
}

export interface ChartModel {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  points: { x: number; y: number }[];
  lines: ChartLine[];
  bands: { alertId: string; severity: Severity; x0: number; x1: number; open: boolean }[];
  xTicks: { x: number; at: number }[];
  yTicks: { y: number; value: number }[];
  /** The y range drawn, after padding. */
  domain: [number, number];
}

const WIDTH = 720;
const HEIGHT = 240;
const PLOT = { left: 56, right: WIDTH - 12, top: 12, bottom: HEIGHT - 28 };

export function chartModel(input: {
  from: number;
  to: number;
  readings: readonly ChartReading[];
  rules: readonly ChartRule[];
  episodes: readonly ChartEpisode[];
  /** A value the drawn range always includes, e.g. 0 for a rate, so a flat line reads as such. */
  baseline?: number;
}): ChartModel {
  const { from, to } = input;
  const readings = input.readings
    .map((reading) => ({ at: Date.parse(reading.timestamp), value: reading.value }))
    .filter((reading) => reading.at >= from && reading.at <= to)
    .sort((a, b) => a.at - b.at);
  const levels = input.rules.flatMap((rule) =>
    rule.clearThreshold === null ? [rule.threshold] : [rule.threshold, rule.clearThreshold],
  );
  const domain = valueDomain([
    ...readings.map((reading) => reading.value),
    ...levels,
    ...(input.baseline === undefined ? [] : [input.baseline]),
  ]);
  const x = scale([from, to], [PLOT.left, PLOT.right]);
  const y = scale(domain, [PLOT.bottom, PLOT.top]);

  const lines = input.rules.flatMap((rule): ChartLine[] => {
    const name = rule.name ?? rule.id;
    const line = (kind: ChartLine['kind'], value: number, label: string): ChartLine => ({
      ruleId: rule.id,
      kind,
      value,
      y: y(value),
      label,
      enabled: rule.enabled,
    });
    return [
      line(
        'threshold',
        rule.threshold,
        `${name}: fires ${operatorSymbols[rule.operator]} ${rule.threshold}`,
      ),
      ...(rule.clearThreshold === null
        ? []
        : [line('clear', rule.clearThreshold, `${name}: clears at ${rule.clearThreshold}`)]),
    ];
  });

  const bands = input.episodes.flatMap((episode) => {
    const start = Date.parse(episode.eventTimestamp ?? episode.firedAt);
    const end = episode.resolvedAt === null ? to : Date.parse(episode.resolvedAt);
    if (end < from || start > to) return [];
    return [
      {
        alertId: episode.id,
        severity: episode.severity,
        x0: x(Math.max(start, from)),
        x1: Math.max(x(Math.min(end, to)), x(Math.max(start, from)) + 2),
        open: episode.resolvedAt === null,
      },
    ];
  });

  return {
    width: WIDTH,
    height: HEIGHT,
    plot: PLOT,
    points: readings.map((reading) => ({ x: x(reading.at), y: y(reading.value) })),
    lines,
    bands,
    xTicks: [0, 1, 2, 3, 4].map((i) => {
      const at = from + ((to - from) * i) / 4;
      return { x: x(at), at };
    }),
    yTicks: niceTicks(domain).map((value) => ({ y: y(value), value })),
    domain,
  };
}

/** The values' range with a margin, so lines at the extremes stay visible. */
export function valueDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    const margin = Math.abs(low) > 0 ? Math.abs(low) * 0.1 : 1;
    return [low - margin, high + margin];
  }
  const margin = (high - low) * 0.08;
  low -= margin;
  high += margin;
  return [low, high];
}

function scale([d0, d1]: [number, number], [r0, r1]: [number, number]): (v: number) => number {
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** About five round values (1, 2 or 5 × a power of ten apart) inside the domain. */
export function niceTicks([low, high]: [number, number], count = 5): number[] {
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  if (!(step > 0) || !Number.isFinite(step)) return [];
  // Multiples of the step, each computed afresh: repeated addition drifts past the end.
  const ticks: number[] = [];
  for (let i = Math.ceil(low / step); ; i++) {
    const value = Number((i * step).toPrecision(12));
    if (value > high) return ticks;
    ticks.push(value);
  }
}
