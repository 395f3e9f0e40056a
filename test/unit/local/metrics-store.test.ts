import { describe, expect, it } from 'vitest';
import { isStatistic, type MetricIdentity, MetricsStore } from '../../../local/metrics-store.ts';

const start = Date.parse('2026-05-01T12:00:00.000Z');
const lag: MetricIdentity = {
  namespace: 'TelemetryAlerts',
  name: 'EvaluationLag',
  dimensions: { service: 's' },
};

/** A store whose clock the test moves. */
function storeAt(
  now: { value: number },
  options: { samplesPerBucket?: number; random?: () => number } = {},
) {
  return new MetricsStore({ now: () => now.value, ...options });
}

const observe = (store: MetricsStore, timestamp: number, values: number[], metric = lag) =>
  store.record({ ...metric, unit: 'Milliseconds', timestamp, values });

describe('the metrics store', () => {
  it('given the values 1 to 100 in one period, then p50 is 50, p99 is 99, p100 the highest, and the basic statistics are exact', () => {
    const now = { value: start + 60_000 };
    const store = storeAt(now);
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    // Spread over several seconds of one minute, in several observations.
    for (let i = 0; i < 10; i++)
      observe(store, start + i * 5000, values.slice(i * 10, i * 10 + 10));
    const stat = (statistic: string) =>
      store.statistics(lag, {
        from: start,
        to: start + 60_000,
        periodSeconds: 60,
        statistic: statistic as never,
      });
    expect(stat('p50')).toEqual([{ at: start, value: 50 }]);
    expect(stat('p99')).toEqual([{ at: start, value: 99 }]);
    expect(stat('p100')).toEqual([{ at: start, value: 100 }]);
    expect(stat('p0')).toEqual([{ at: start, value: 1 }]);
    expect(stat('Sum')).toEqual([{ at: start, value: 5050 }]);
    expect(stat('SampleCount')).toEqual([{ at: start, value: 100 }]);
    expect(stat('Average')).toEqual([{ at: start, value: 50.5 }]);
    expect(stat('Minimum')).toEqual([{ at: start, value: 1 }]);
    expect(stat('Maximum')).toEqual([{ at: start, value: 100 }]);
  });

  it('given data in three periods with a gap, then each period with data has one point at its aligned start, oldest first', () => {
    const now = { value: start + 120_000 };
    const store = storeAt(now);
    observe(store, start + 3_000, [1]);
    observe(store, start + 9_999, [2]);
    observe(store, start + 31_000, [5]);
    observe(store, start + 55_000, [7]);
    const sums = store.statistics(lag, {
      from: start,
      to: start + 60_000,
      periodSeconds: 10,
      statistic: 'Sum',
    });
    expect(sums).toEqual([
      { at: start, value: 3 },
      { at: start + 30_000, value: 5 },
      { at: start + 50_000, value: 7 },
    ]);
  });

  it('given a window, then data before `from` and at or after `to` is left out', () => {
    const now = { value: start + 120_000 };
    const store = storeAt(now);
    observe(store, start - 1000, [1]);
    observe(store, start, [2]);
    observe(store, start + 59_000, [4]);
    observe(store, start + 60_000, [8]);
    const sums = store.statistics(lag, {
      from: start,
      to: start + 60_000,
      periodSeconds: 60,
      statistic: 'Sum',
    });
    expect(sums).toEqual([{ at: start, value: 6 }]);
  });

  it('given the same metric under other dimensions or another namespace, then each is its own metric', () => {
    const now = { value: start + 60_000 };
    const store = storeAt(now);
    observe(store, start, [1]);
    observe(store, start, [10], { ...lag, dimensions: { service: 's', severity: 'INFO' } });
    observe(store, start, [100], { ...lag, namespace: 'Other' });
    const sum = (metric: MetricIdentity) =>
      store.statistics(metric, { from: start, to: now.value, periodSeconds: 60, statistic: 'Sum' });
    expect(sum(lag)).toEqual([{ at: start, value: 1 }]);
    expect(sum({ ...lag, dimensions: { severity: 'INFO', service: 's' } })).toEqual([
      { at: start, value: 10 },
    ]);
    expect(sum({ ...lag, dimensions: {} })).toEqual([]);
    expect(store.metrics()).toHaveLength(3);
  });

  it('given data older than the retention, then it is dropped, at record time and as time passes', () => {
    const now = { value: start };
    const store = new MetricsStore({ now: () => now.value, retentionMs: 60_000 });
    observe(store, start - 61_000, [1]);
    observe(store, start - 30_000, [2]);
    const all = () =>
      store.statistics(lag, {
        from: start - 3_600_000,
        to: start + 3_600_000,
        periodSeconds: 3600,
        statistic: 'SampleCount',
      });
    expect(all().map((p) => p.value)).toEqual([1]);
    now.value = start + 40_000;
    observe(store, start + 40_000, [3]);
    expect(all().map((p) => p.value)).toEqual([1]);
    expect(
      store.statistics(lag, {
        from: start,
        to: start + 60_000,
        periodSeconds: 60,
        statistic: 'Sum',
      }),
    ).toEqual([{ at: start, value: 3 }]);
  });

  it('given more values in a second than it samples, then counts and sums stay exact and percentiles come from the sample', () => {
    const now = { value: start + 1000 };
    // A fixed sequence instead of Math.random, so the sample is the same on every run.
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const store = storeAt(now, { samplesPerBucket: 50, random });
    // 1,000 values: 990 of 10 ms and 10 of 1,000 ms, shuffled into the second.
    const values = [
      ...Array.from({ length: 990 }, () => 10),
      ...Array.from({ length: 10 }, () => 1000),
    ];
    observe(store, start, values);
    const stat = (statistic: string) =>
      store.statistics(lag, {
        from: start,
        to: start + 1000,
        periodSeconds: 1,
        statistic: statistic as never,
      })[0]?.value;
    expect(stat('SampleCount')).toBe(1000);
    expect(stat('Sum')).toBe(990 * 10 + 10 * 1000);
    expect(stat('Maximum')).toBe(1000);
    expect(stat('p50')).toBe(10);
  });

  it('given statistic names, then the basic ones and percentiles are served, others are not', () => {
    for (const name of [
      'Sum',
      'SampleCount',
      'Average',
      'Minimum',
      'Maximum',
      'p50',
      'p99',
      'p99.9',
      'p100',
    ]) {
      expect(isStatistic(name), name).toBe(true);
    }
    for (const name of ['sum', 'p101', 'p', 'TM99', 'IQM', 'p-1']) {
      expect(isStatistic(name), name).toBe(false);
    }
  });
});
