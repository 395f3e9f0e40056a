import { afterEach, describe, expect, it, vi } from 'vitest';
import { metricCatalog, type MetricName, metricsNamespace } from '../../../domain/metrics.ts';
import { captureOutput, newEmfMetrics, pointsOf } from '../../support/emf.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Flushes `metrics` and returns the JSON objects written. */
function flushed(metrics: ReturnType<typeof newEmfMetrics>) {
  const output = captureOutput();
  try {
    metrics.flush();
  } finally {
    output.restore();
  }
  return output;
}

describe('EmfMetrics', () => {
  it('given a metric without a dimension, when flushed, then one EMF line carries it in the namespace with the set {service} and its unit', () => {
    // Prepare
    const metrics = newEmfMetrics();
    metrics.add('ReadingsAccepted', 3);

    // Act
    const output = flushed(metrics);

    // Assess
    expect(output.objects).toHaveLength(1);
    expect(output.objects[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: metricsNamespace,
            Dimensions: [['service']],
            Metrics: [{ Name: 'ReadingsAccepted', Unit: 'Count' }],
          },
        ],
      },
      service: 'telemetry-alerts',
      ReadingsAccepted: 3,
    });
  });

  it('given metrics of different dimension sets in one invocation, when flushed, then each set has a line of its own and none mixes', () => {
    const metrics = newEmfMetrics();
    metrics.add('ReadingsAccepted', 2);
    metrics.add('ReadingsRefused', 1, 'Validation');
    metrics.add('ReadingsRefused', 4, 'Unauthorized');
    metrics.add('AlertsFired', 1, 'CRITICAL');
    metrics.add('AlertsResolved', 1, 'CRITICAL');
    metrics.add('EvaluationLag', 120);
    metrics.add('EvaluationLag', 80);

    const output = flushed(metrics);

    const sets = output.objects.map((object) => {
      const aws = object._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] };
      return aws.CloudWatchMetrics.flatMap((m) => m.Dimensions);
    });
    // {service}; {service, reason} twice (two values); {service, severity}
    expect(output.objects).toHaveLength(4);
    for (const set of sets) expect(set).toHaveLength(1);
    const points = output.points();
    expect(pointsOf(points, 'ReadingsRefused', { reason: 'Validation' })[0]?.values).toEqual([1]);
    expect(pointsOf(points, 'ReadingsRefused', { reason: 'Unauthorized' })[0]?.values).toEqual([4]);
    expect(pointsOf(points, 'EvaluationLag')[0]).toMatchObject({
      unit: 'Milliseconds',
      values: [120, 80],
    });
    // The two severity metrics share their set's line.
    const severity = output.objects.find((object) => object.severity === 'CRITICAL');
    expect(severity).toMatchObject({ AlertsFired: 1, AlertsResolved: 1 });
    expect(severity).not.toHaveProperty('reason');
  });

  it('given every metric of the catalog, when flushed, then each goes out with its unit and exactly the set {service, its dimension}', () => {
    const metrics = newEmfMetrics();
    const cases = Object.entries(metricCatalog).map(([name, definition]) => ({
      name: name as MetricName,
      unit: definition.unit,
      extra:
        'dimension' in definition
          ? { [definition.dimension]: dimensionValueOf(definition.dimension) }
          : {},
    }));
    for (const { name, extra } of cases) {
      const value = Object.values(extra)[0];
      (metrics.add as (n: MetricName, v: number, d?: string) => void)(name, 1, value);
    }

    const points = flushed(metrics).points();

    for (const { name, unit, extra } of cases) {
      expect(pointsOf(points, name, extra), name).toEqual([
        expect.objectContaining({ unit, namespace: metricsNamespace, values: [1] }),
      ]);
    }
    expect(points).toHaveLength(cases.length);
  });

  it('given more values of a set than Powertools holds on one line, when flushed, then every line keeps the dimension', () => {
    const metrics = newEmfMetrics();
    for (let i = 0; i < 250; i++) metrics.add('NotificationsSent', 1, 'push');

    const output = flushed(metrics);

    expect(output.objects.length).toBeGreaterThan(1);
    const points = output.points();
    expect(points.every((point) => point.dimensions.channel === 'push')).toBe(true);
    expect(points.flatMap((point) => point.values)).toHaveLength(250);
  });

  it('given nothing recorded, when flushed, then nothing is written (not even a warning)', () => {
    const metrics = newEmfMetrics();
    metrics.add('ReadingsAccepted', 1);
    flushed(metrics);

    const output = flushed(metrics);

    expect(output.objects).toEqual([]);
  });

  it('given POWERTOOLS_METRICS_DISABLED, when metrics are recorded and flushed, then nothing is written', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const metrics = newEmfMetrics();
    metrics.add('ReadingsAccepted', 1);
    metrics.add('AlertsFired', 1, 'INFO');

    const output = flushed(metrics);

    expect(output.objects).toEqual([]);
  });
});

function dimensionValueOf(dimension: string): string {
  return {
    reason: 'QueueUnavailable',
    severity: 'WARNING',
    channel: 'sns',
    refresh: 'full',
    mutedBy: 'silence',
  }[dimension] as string;
}
