import { describe, expect, it } from 'vitest';
import type { ChartEpisode, ChartReading, ChartRule } from '../../../../console/src/chart-model.ts';
import { chartModel, niceTicks, valueDomain } from '../../../../console/src/chart-model.ts';

const from = Date.parse('2026-05-01T12:00:00.000Z');
const to = from + 3_600_000;
const at = (minute: number) => new Date(from + minute * 60_000).toISOString();
const reading = (minute: number, value: number): ChartReading => ({ timestamp: at(minute), value });

const rule = (changes: Partial<ChartRule> = {}): ChartRule => ({
  id: 'hot',
  name: 'Too hot',
  operator: 'GT',
  threshold: 60,
  clearThreshold: null,
  enabled: true,
  ...changes,
});

const episode = (
  id: string,
  firedAt: string,
  resolvedAt: string | null,
  severity: ChartEpisode['severity'] = 'WARNING',
): ChartEpisode => ({ id, severity, firedAt, resolvedAt });

function model(
  input: Partial<{ readings: ChartReading[]; rules: ChartRule[]; episodes: ChartEpisode[] }>,
) {
  return chartModel({ from, to, readings: [], rules: [], episodes: [], ...input });
}

describe('chartModel readings', () => {
  it('given a baseline of 0 and values far above it, then the drawn range reaches down to 0', () => {
    const drawn = model({ readings: [reading(10, 50), reading(20, 60)] });
    expect(drawn.domain[0]).toBeGreaterThan(40);
    const withBaseline = chartModel({
      from,
      to,
      readings: [reading(10, 50), reading(20, 60)],
      rules: [],
      episodes: [],
      baseline: 0,
    });
    expect(withBaseline.domain[0]).toBeLessThanOrEqual(0);
    expect(withBaseline.domain[1]).toBeGreaterThanOrEqual(60);
  });

  it('given readings before, inside and after the range, then only those inside are drawn, in time order', () => {
    // Prepare
    const readings = [
      reading(50, 5),
      reading(-1, 100),
      reading(10, 3),
      reading(61, 200),
      reading(30, 4),
      reading(0, 1),
      reading(60, 6),
    ];

    // Act
    const chart = model({ readings });

    // Assess: the ends of the range are inside it.
    expect(chart.points).toHaveLength(5);
    const xs = chart.points.map((p) => p.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(chart.points[0]?.x).toBeCloseTo(chart.plot.left);
    expect(chart.points.at(-1)?.x).toBeCloseTo(chart.plot.right);
    // Values 100 and 200 were outside the range, so they do not stretch the y domain.
    expect(chart.domain[1]).toBeLessThan(100);
  });

  it('given readings, then a higher value is drawn higher (smaller y) and every point is inside the plot', () => {
    const chart = model({ readings: [reading(10, 20), reading(20, 80), reading(30, 50)] });

    const [low, high, middle] = chart.points.map((p) => p.y);
    expect(high).toBeLessThan(middle as number);
    expect(middle).toBeLessThan(low as number);
    for (const point of chart.points) {
      expect(point.y).toBeGreaterThanOrEqual(chart.plot.top);
      expect(point.y).toBeLessThanOrEqual(chart.plot.bottom);
      expect(point.x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(point.x).toBeLessThanOrEqual(chart.plot.right);
    }
  });
});

describe('chartModel y domain', () => {
  it("given readings well below a rule's threshold and clear threshold, then the domain still includes both", () => {
    const chart = model({
      readings: [reading(10, 20), reading(20, 25)],
      rules: [
        rule({ threshold: 90, clearThreshold: 80 }),
        rule({ id: 'cold', operator: 'LT', threshold: 5 }),
      ],
    });

    expect(chart.domain[0]).toBeLessThan(5);
    expect(chart.domain[1]).toBeGreaterThan(90);
  });

  it('given a flat series, then the domain has a height and the series is drawn mid-plot', () => {
    const chart = model({ readings: [reading(10, 42), reading(20, 42)] });

    const [low, high] = chart.domain;
    expect(high).toBeGreaterThan(low);
    expect(low).toBeLessThan(42);
    expect(high).toBeGreaterThan(42);
    const y = chart.points[0]?.y as number;
    expect(Number.isFinite(y)).toBe(true);
    expect(y).toBeCloseTo((chart.plot.top + chart.plot.bottom) / 2);
    expect(chart.yTicks.length).toBeGreaterThan(0);
  });

  it('given no readings and no rules, then the domain is usable: finite, with a height and ticks', () => {
    const chart = model({});

    const [low, high] = chart.domain;
    expect(Number.isFinite(low) && Number.isFinite(high)).toBe(true);
    expect(high).toBeGreaterThan(low);
    expect(chart.points).toEqual([]);
    expect(chart.yTicks.length).toBeGreaterThan(1);
    for (const tick of chart.yTicks) expect(Number.isFinite(tick.y)).toBe(true);
  });

  it.each([
    ['a flat series at zero', [0, 0]],
    ['a flat negative series', [-5, -5]],
    ['one value', [1234]],
    ['no values', []],
  ])(
    'given %s, then valueDomain gives a finite range with a height around the values',
    (_case, values) => {
      const [low, high] = valueDomain(values);

      expect(Number.isFinite(low) && Number.isFinite(high)).toBe(true);
      expect(high).toBeGreaterThan(low);
      for (const value of values) {
        expect(low).toBeLessThan(value);
        expect(high).toBeGreaterThan(value);
      }
    },
  );

  it('given values, then valueDomain pads both ends so lines at the extremes stay visible', () => {
    const [low, high] = valueDomain([10, 20, 15]);

    expect(low).toBeLessThan(10);
    expect(high).toBeGreaterThan(20);
  });
});

describe('chartModel threshold lines', () => {
  it('given a rule without a clear threshold, then one threshold line inside the plot and no clear line', () => {
    const chart = model({ readings: [reading(10, 20), reading(20, 80)], rules: [rule()] });

    expect(chart.lines).toHaveLength(1);
    const [line] = chart.lines;
    expect(line).toMatchObject({ ruleId: 'hot', kind: 'threshold', value: 60, enabled: true });
    expect(line?.label).toBe('Too hot: fires > 60');
    expect(line?.y).toBeGreaterThan(chart.plot.top);
    expect(line?.y).toBeLessThan(chart.plot.bottom);
  });

  it('given a rule with a clear threshold below its threshold, then a clear line is drawn below the threshold line', () => {
    const chart = model({
      readings: [reading(10, 20)],
      rules: [rule({ threshold: 60, clearThreshold: 50 })],
    });

    const threshold = chart.lines.find((l) => l.kind === 'threshold');
    const clear = chart.lines.find((l) => l.kind === 'clear');
    expect(clear).toMatchObject({ ruleId: 'hot', value: 50, label: 'Too hot: clears at 50' });
    // Higher values are higher on screen: the threshold (60) has the smaller y.
    expect(threshold?.y).toBeLessThan(clear?.y as number);
    for (const line of [threshold, clear]) {
      expect(line?.y).toBeGreaterThanOrEqual(chart.plot.top);
      expect(line?.y).toBeLessThanOrEqual(chart.plot.bottom);
    }
  });

  it('given a rule without a name and disabled, then its line is labelled by id and marked disabled', () => {
    const chart = model({
      rules: [rule({ id: 'r-42', name: null, operator: 'LTE', threshold: 3, enabled: false })],
    });

    expect(chart.lines).toEqual([
      expect.objectContaining({ label: 'r-42: fires <= 3', enabled: false }),
    ]);
  });

  it('given two rules, then each has its own lines, in rule order', () => {
    const chart = model({
      rules: [rule({ clearThreshold: 55 }), rule({ id: 'cold', operator: 'LT', threshold: 5 })],
    });

    expect(chart.lines.map((l) => `${l.ruleId}:${l.kind}`)).toEqual([
      'hot:threshold',
      'hot:clear',
      'cold:threshold',
    ]);
  });
});

describe('chartModel episode bands', () => {
  it('given an episode inside the range, then its band spans its firing to its resolution', () => {
    const chart = model({ episodes: [episode('e1', at(15), at(45), 'CRITICAL')] });

    const { left, right } = chart.plot;
    const quarter = (right - left) / 4;
    expect(chart.bands).toHaveLength(1);
    expect(chart.bands[0]).toMatchObject({ alertId: 'e1', severity: 'CRITICAL', open: false });
    expect(chart.bands[0]?.x0).toBeCloseTo(left + quarter);
    expect(chart.bands[0]?.x1).toBeCloseTo(left + 3 * quarter);
  });

  it('given episodes that started before or ended after the range, then their bands are clipped to the plot', () => {
    const chart = model({
      episodes: [episode('before', at(-30), at(10)), episode('after', at(50), at(90))],
    });

    const [before, after] = chart.bands;
    expect(before?.x0).toBeCloseTo(chart.plot.left);
    expect(before?.x1).toBeGreaterThan(chart.plot.left);
    expect(after?.x1).toBeCloseTo(chart.plot.right);
    expect(after?.x0).toBeLessThan(chart.plot.right);
  });

  it('given an open episode (not resolved), then its band runs to the end of the range and is marked open', () => {
    const chart = model({
      episodes: [episode('open', at(40), null), episode('long', at(-10), null)],
    });

    expect(chart.bands).toHaveLength(2);
    expect(chart.bands[0]).toMatchObject({ alertId: 'open', open: true });
    expect(chart.bands[0]?.x1).toBeCloseTo(chart.plot.right);
    expect(chart.bands[1]?.x0).toBeCloseTo(chart.plot.left);
    expect(chart.bands[1]?.x1).toBeCloseTo(chart.plot.right);
  });

  it('given episodes entirely before or after the range, then they are not drawn', () => {
    const chart = model({
      episodes: [
        episode('earlier', at(-50), at(-10)),
        episode('later', at(70), at(80)),
        episode('later-open', at(65), null),
        episode('kept', at(20), at(30)),
      ],
    });

    expect(chart.bands.map((b) => b.alertId)).toEqual(['kept']);
  });

  it('given an episode resolved the moment it fired, then its band is still visible', () => {
    const chart = model({ episodes: [episode('blip', at(30), at(30))] });

    const band = chart.bands[0];
    expect(band).toBeDefined();
    expect((band?.x1 as number) - (band?.x0 as number)).toBeGreaterThan(0);
  });
});

describe('chartModel x ticks', () => {
  it('given a range, then the time ticks span it evenly from the left to the right of the plot', () => {
    const chart = model({});

    expect(chart.xTicks.map((t) => t.at)).toEqual([0, 1, 2, 3, 4].map((i) => from + i * 900_000));
    expect(chart.xTicks[0]?.x).toBeCloseTo(chart.plot.left);
    expect(chart.xTicks.at(-1)?.x).toBeCloseTo(chart.plot.right);
  });
});

/** The gap between ticks as m × 10^n, with m rounded against floating-point noise. */
function stepOf(ticks: number[]): { mantissa: number; exponent: number } {
  const step = (ticks[1] as number) - (ticks[0] as number);
  const exponent = Math.floor(Math.log10(step) + 1e-9);
  return { mantissa: Math.round((step / 10 ** exponent) * 1e6) / 1e6, exponent };
}

const decimals = (value: number) => (String(value).split('.')[1] ?? '').length;

describe('niceTicks', () => {
  it.each<[number, number]>([
    [0, 1],
    [0, 100],
    [-3.2, 7.9],
    [45, 55],
    [0.001, 0.005],
    [99.2, 100.4],
    [-0.7, -0.1],
    [-1250, 38_000],
    [12.34, 12.36],
  ])(
    'given the domain [%d, %d], then the ticks are round values 1, 2 or 5 × 10^n apart, inside it',
    (low, high) => {
      const ticks = niceTicks([low, high]);

      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(11);
      for (const tick of ticks) {
        expect(tick).toBeGreaterThanOrEqual(low);
        expect(tick).toBeLessThanOrEqual(high);
      }
      const { mantissa, exponent } = stepOf(ticks);
      expect([1, 2, 5]).toContain(mantissa);
      const step = mantissa * 10 ** exponent;
      for (let i = 1; i < ticks.length; i++) {
        expect((ticks[i] as number) - (ticks[i - 1] as number)).toBeCloseTo(step, 9);
      }
      // Each tick is a whole multiple of the step, written without floating-point noise.
      for (const tick of ticks) {
        expect(Math.abs(tick / step - Math.round(tick / step))).toBeLessThan(1e-6);
        expect(decimals(tick)).toBeLessThanOrEqual(Math.max(0, -exponent));
      }
    },
  );

  it('given the domain [0, 1], then the ticks are 0, 0.2, 0.4, 0.6, 0.8 and 1', () => {
    expect(niceTicks([0, 1])).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('given a chart, then its y ticks are niceTicks of its domain, placed by the same scale as the lines', () => {
    const chart = model({ readings: [reading(10, 20), reading(20, 80)], rules: [rule()] });

    expect(chart.yTicks.map((t) => t.value)).toEqual(niceTicks(chart.domain));
    const ys = chart.yTicks.map((t) => t.y);
    // Ticks go up in value, so up the screen.
    expect(ys).toEqual([...ys].sort((a, b) => b - a));
  });

  it('given a domain whose upper end is a multiple of the step, then that end is a tick', () => {
    expect(niceTicks([0, 0.3])).toEqual([0, 0.1, 0.2, 0.3]);
  });
});

describe('niceTicks on a degenerate domain', () => {
  it('given a domain of one value, then there are no ticks rather than an endless loop', () => {
    expect(niceTicks([5, 5])).toEqual([]);
  });
});
