/**
 * The local stack's CloudWatch metrics: data points kept in memory for the last hour, per
 * metric (namespace, name and full dimension set, as CloudWatch identifies a metric) in
 * one-second buckets, from which any period's statistics are computed. A bucket keeps the
 * exact count, sum, minimum and maximum, and up to `samplesPerBucket` of its values (a
 * uniform sample beyond that) for percentiles, so memory stays bounded under load.
 */

/** A metric as CloudWatch identifies it. */
export interface MetricIdentity {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

/** Values of a metric observed at one time (epoch milliseconds). */
export interface MetricObservation extends MetricIdentity {
  unit: string;
  timestamp: number;
  values: readonly number[];
}

/** A statistic over one period: the period's start (epoch milliseconds) and the value. */
export interface StatisticPoint {
  at: number;
  value: number;
}

/** CloudWatch's statistics the store computes: the five basic ones and percentiles (p0–p100). */
export type Statistic = 'Sum' | 'SampleCount' | 'Average' | 'Minimum' | 'Maximum' | `p${string}`;

interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
  samples: number[];
}

interface Series extends MetricIdentity {
  unit: string;
  /** By epoch second. */
  buckets: Map<number, Bucket>;
}

export interface MetricsStoreOptions {
  /** How long data points are kept; older ones are dropped. */
  retentionMs?: number;
  samplesPerBucket?: number;
  now?: () => number;
  random?: () => number;
}

const PERCENTILE = /^p(\d{1,2}(\.\d+)?|100)$/;

/** Whether the store can compute `statistic`. */
export function isStatistic(statistic: string): statistic is Statistic {
  return (
    ['Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'].includes(statistic) ||
    PERCENTILE.test(statistic)
  );
}

export class MetricsStore {
  readonly #series = new Map<string, Series>();
  readonly #retentionMs: number;
  readonly #samplesPerBucket: number;
  readonly #now: () => number;
  readonly #random: () => number;
  #prunedAt = 0;

  constructor(options: MetricsStoreOptions = {}) {
    this.#retentionMs = options.retentionMs ?? 60 * 60_000;
    this.#samplesPerBucket = options.samplesPerBucket ?? 500;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Keeps an observation's values; one older than the retention, or in the future, is dropped. */
  record(observation: MetricObservation): void {
    const now = this.#now();
    this.#prune(now);
    const { timestamp } = observation;
    if (timestamp < now - this.#retentionMs || timestamp > now + 60_000) return;
    const key = keyOf(observation);
    let series = this.#series.get(key);
    if (!series) {
      series = {
        namespace: observation.namespace,
        name: observation.name,
        dimensions: { ...observation.dimensions },
        unit: observation.unit,
        buckets: new Map(),
      };
      this.#series.set(key, series);
    }
    const second = Math.floor(timestamp / 1000);
    let bucket = series.buckets.get(second);
    if (!bucket) {
      bucket = { count: 0, sum: 0, min: Infinity, max: -Infinity, samples: [] };
      series.buckets.set(second, bucket);
    }
    for (const value of observation.values) {
      bucket.count += 1;
      bucket.sum += value;
      bucket.min = Math.min(bucket.min, value);
      bucket.max = Math.max(bucket.max, value);
      if (bucket.samples.length < this.#samplesPerBucket) bucket.samples.push(value);
      else {
        // Reservoir sampling: every value seen has the same chance to be kept.
        const slot = Math.floor(this.#random() * bucket.count);
        if (slot < this.#samplesPerBucket) bucket.samples[slot] = value;
      }
    }
  }

  /**
   * The statistic of a metric per period of `periodSeconds` between `from` (inclusive) and
   * `to` (exclusive), periods aligned to multiples of their length, oldest first; a period
   * without data has no point.
   */
  statistics(
    metric: MetricIdentity,
    query: { from: number; to: number; periodSeconds: number; statistic: Statistic },
  ): StatisticPoint[] {
    const series = this.#series.get(keyOf(metric));
    if (!series) return [];
    const periodMs = query.periodSeconds * 1000;
    const periods = new Map<number, Bucket[]>();
    for (const [second, bucket] of series.buckets) {
      const at = second * 1000;
      if (at < query.from || at >= query.to) continue;
      const start = Math.floor(at / periodMs) * periodMs;
      const buckets = periods.get(start);
      if (buckets) buckets.push(bucket);
      else periods.set(start, [bucket]);
    }
    return [...periods]
      .sort(([a], [b]) => a - b)
      .map(([at, buckets]) => ({ at, value: statistic(buckets, query.statistic) }));
  }

  /** Every metric that has data, for CloudWatch's ListMetrics. */
  metrics(): (MetricIdentity & { unit: string })[] {
    return [...this.#series.values()]
      .filter((series) => series.buckets.size > 0)
      .map(({ namespace, name, dimensions, unit }) => ({ namespace, name, dimensions, unit }));
  }

  /** Drops buckets past the retention, at most once a second. */
  #prune(now: number): void {
    if (now - this.#prunedAt < 1000) return;
    this.#prunedAt = now;
    const oldest = Math.floor((now - this.#retentionMs) / 1000);
    for (const [key, series] of this.#series) {
      for (const second of series.buckets.keys()) {
        if (second < oldest) series.buckets.delete(second);
      }
      if (series.buckets.size === 0) this.#series.delete(key);
    }
  }
}

function keyOf(metric: MetricIdentity): string {
  const dimensions = Object.entries(metric.dimensions)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`);
  return JSON.stringify([metric.namespace, metric.name, dimensions]);
}

function statistic(buckets: readonly Bucket[], name: Statistic): number {
  const count = buckets.reduce((total, bucket) => total + bucket.count, 0);
  const sum = buckets.reduce((total, bucket) => total + bucket.sum, 0);
  switch (name) {
    case 'Sum':
      return sum;
    case 'SampleCount':
      return count;
    case 'Average':
      return sum / count;
    case 'Minimum':
      return Math.min(...buckets.map((bucket) => bucket.min));
    case 'Maximum':
      return Math.max(...buckets.map((bucket) => bucket.max));
    default:
      return percentile(buckets, Number(name.slice(1)));
  }
}

/**
 * The nearest-rank percentile: the smallest value with at least `p` percent of the values
 * at or below it. A bucket's samples stand for all its values, each weighing count ÷ samples.
 */
function percentile(buckets: readonly Bucket[], p: number): number {
  const weighted = buckets
    .flatMap((bucket) =>
      bucket.samples.map((value) => ({ value, weight: bucket.count / bucket.samples.length })),
    )
    .sort((a, b) => a.value - b.value);
  const total = weighted.reduce((sum, sample) => sum + sample.weight, 0);
  const rank = (p / 100) * total;
  let seen = 0;
  for (const sample of weighted) {
    seen += sample.weight;
    // A little slack, so weights that add up in floating point still reach the rank.
    if (seen >= rank - 1e-9 * total) return sample.value;
  }
  return weighted.at(-1)?.value ?? Number.NaN;
}
