import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import {
  type DimensionValue,
  metricCatalog,
  type MetricDimension,
  type MetricName,
  type Metrics,
  metricsNamespace,
  metricsService,
} from '../domain/metrics.ts';

/**
 * Powertools publishes a line by itself once one metric holds 100 values, and forgets the
 * line's dimension as it does; a line is therefore written before that.
 */
const POINTS_PER_LINE = 99;

/** Powertools Metrics, saying whether it writes at all (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV). */
export class PowertoolsEmf extends PowertoolsMetrics {
  get writes(): boolean {
    return !this.isDisabled();
  }
}

/** The data points of one dimension set until the invocation's flush. */
interface Pending {
  /** Null for the set {service}; else {service, dimension}. */
  dimension: MetricDimension | null;
  value: string;
  names: MetricName[];
  values: number[];
}

/**
 * The Metrics port on Powertools Metrics: CloudWatch's embedded metric format, one JSON line
 * on stdout per dimension set (CloudWatch Logs turns each into data points). A data point
 * with a dimension is published with the set {service, that dimension}, one without with
 * {service} only: dimension sets never mix, so a dashboard reads every metric by the same
 * set whatever else an invocation recorded. Points are held until `flush`, once per
 * invocation (adapters/instrumentation.ts), and recorded nowhere while Powertools is
 * disabled (POWERTOOLS_METRICS_DISABLED).
 */
export class EmfMetrics implements Metrics {
  readonly #powertools: PowertoolsEmf;
  readonly #writes: boolean;
  readonly #none: Pending = { dimension: null, value: '', names: [], values: [] };
  /** By dimension, then value: both from the catalog's closed sets, so a handful at most. */
  readonly #byDimension = new Map<MetricDimension, Map<string, Pending>>();

  constructor(powertools: PowertoolsEmf) {
    this.#powertools = powertools;
    this.#writes = powertools.writes;
  }

  add<N extends MetricName>(name: N, value: number, dimensionValue?: DimensionValue<N>): void {
    if (!this.#writes) return;
    const definition = metricCatalog[name];
    const pending =
      'dimension' in definition && dimensionValue !== undefined
        ? this.#pending(definition.dimension, dimensionValue)
        : this.#none;
    pending.names.push(name);
    pending.values.push(value);
  }

  /** Writes what was recorded since the last flush, one line per dimension set (or per 99 points). */
  flush(): void {
    this.#publish(this.#none);
    for (const values of this.#byDimension.values()) {
      for (const pending of values.values()) this.#publish(pending);
    }
  }

  #pending(dimension: MetricDimension, value: string): Pending {
    let values = this.#byDimension.get(dimension);
    if (values === undefined) {
      values = new Map();
      this.#byDimension.set(dimension, values);
    }
    let pending = values.get(value);
    if (pending === undefined) {
      pending = { dimension, value, names: [], values: [] };
      values.set(value, pending);
    }
    return pending;
  }

  #publish(pending: Pending): void {
    const { names, values } = pending;
    for (let start = 0; start < names.length; start += POINTS_PER_LINE) {
      if (pending.dimension !== null) {
        this.#powertools.addDimension(pending.dimension, pending.value);
      }
      const end = Math.min(start + POINTS_PER_LINE, names.length);
      for (let i = start; i < end; i++) {
        const name = names[i] as MetricName;
        this.#powertools.addMetric(name, metricCatalog[name].unit, values[i] as number);
      }
      // Clears the line's metrics and its dimension.
      this.#powertools.publishStoredMetrics();
    }
    names.length = 0;
    values.length = 0;
  }
}

/**
 * The functions' metrics: one Powertools instance, namespace and `service` dimension from the
 * catalog (domain/metrics.ts).
 */
export const metrics = new EmfMetrics(
  new PowertoolsEmf({ namespace: metricsNamespace, serviceName: metricsService }),
);
