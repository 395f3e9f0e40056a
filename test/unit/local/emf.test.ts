import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsNamespace, metricsService } from '../../../domain/metrics.ts';
import { tapEmf } from '../../../local/emf-capture.ts';
import { mayBeEmf, parseEmf } from '../../../local/emf.ts';

const at = Date.parse('2026-05-01T12:00:00.000Z');

/** An EMF line with one directive, as CloudWatch's specification shows them. */
function emf(root: Record<string, unknown>, directive: Record<string, unknown>): string {
  return JSON.stringify({
    _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: 'Ns', ...directive }] },
    ...root,
  });
}

let untap: (() => void) | undefined;
afterEach(() => untap?.());

describe('parseEmf', () => {
  it('given a count and an array of values, then each metric gives one data point with all its values, its unit and its dimensions', () => {
    const points = parseEmf(
      emf(
        { service: 'svc', Accepted: 3, Lag: [5, 7, 9] },
        {
          Dimensions: [['service']],
          Metrics: [
            { Name: 'Accepted', Unit: 'Count' },
            { Name: 'Lag', Unit: 'Milliseconds' },
          ],
        },
      ),
    );
    expect(points).toEqual([
      {
        namespace: 'Ns',
        name: 'Accepted',
        unit: 'Count',
        dimensions: { service: 'svc' },
        timestamp: at,
        values: [3],
      },
      {
        namespace: 'Ns',
        name: 'Lag',
        unit: 'Milliseconds',
        dimensions: { service: 'svc' },
        timestamp: at,
        values: [5, 7, 9],
      },
    ]);
  });

  it('given two dimension sets, then the metric is published under each, with only its own dimensions', () => {
    const points = parseEmf(
      emf(
        { service: 'svc', severity: 'CRITICAL', Fired: 1 },
        { Dimensions: [['service'], ['service', 'severity']], Metrics: [{ Name: 'Fired' }] },
      ),
    );
    expect(points.map((p) => p.dimensions)).toEqual([
      { service: 'svc' },
      { service: 'svc', severity: 'CRITICAL' },
    ]);
    expect(points.map((p) => p.unit)).toEqual(['None', 'None']);
  });

  it('given an empty dimension set or none at all, then the metric is published without dimensions', () => {
    for (const dimensions of [[[]], []]) {
      const points = parseEmf(emf({ M: 1 }, { Dimensions: dimensions, Metrics: [{ Name: 'M' }] }));
      expect(points.map((p) => p.dimensions)).toEqual([{}]);
    }
  });

  it('given a dimension set naming a missing or non-string member, then only that set is left out', () => {
    const points = parseEmf(
      emf(
        { service: 'svc', severity: 3, M: 1 },
        { Dimensions: [['service'], ['service', 'severity'], ['site']], Metrics: [{ Name: 'M' }] },
      ),
    );
    expect(points.map((p) => p.dimensions)).toEqual([{ service: 'svc' }]);
  });

  it('given metrics whose values are missing, not numbers, an empty array or more than 100, then only those metrics are left out', () => {
    const points = parseEmf(
      emf(
        {
          Good: 2,
          Text: '2',
          Mixed: [1, 'x'],
          Empty: [],
          TooMany: Array.from({ length: 101 }, () => 1),
        },
        {
          Dimensions: [[]],
          Metrics: ['Good', 'Text', 'Mixed', 'Empty', 'TooMany', 'Missing'].map((Name) => ({
            Name,
          })),
        },
      ),
    );
    expect(points.map((p) => p.name)).toEqual(['Good']);
  });

  it.each([
    ['not JSON', '{"_aws": '],
    ['a plain log line', 'INFO the worker started'],
    ['JSON without _aws', JSON.stringify({ level: 'INFO', message: 'hello' })],
    ['a JSON array', JSON.stringify([{ _aws: {} }])],
    ['no timestamp', JSON.stringify({ _aws: { CloudWatchMetrics: [] }, M: 1 })],
    [
      'a timestamp that is text',
      JSON.stringify({
        _aws: {
          Timestamp: '2026-05-01',
          CloudWatchMetrics: [{ Namespace: 'Ns', Dimensions: [[]], Metrics: [{ Name: 'M' }] }],
        },
        M: 1,
      }),
    ],
    [
      'directives that are not a list',
      JSON.stringify({ _aws: { Timestamp: at, CloudWatchMetrics: {} } }),
    ],
    [
      'a directive without a namespace',
      emf({ M: 1 }, { Namespace: '', Dimensions: [[]], Metrics: [{ Name: 'M' }] }),
    ],
    ['a directive whose metrics are not a list', emf({ M: 1 }, { Dimensions: [[]], Metrics: 'M' })],
  ])('given %s, then no data point is taken', (_case, line) => {
    expect(parseEmf(line)).toEqual([]);
  });

  it('given a bad directive beside a good one, then the good one is still read', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: at,
        CloudWatchMetrics: [
          { Namespace: 7, Dimensions: [[]], Metrics: [{ Name: 'M' }] },
          { Namespace: 'Ns', Dimensions: [[]], Metrics: [{ Name: 'M' }] },
        ],
      },
      M: 4,
    });
    expect(parseEmf(line).map((p) => [p.namespace, p.values])).toEqual([['Ns', [4]]]);
  });

  it("given Powertools Metrics' own output, with a value added three times and a metric with a dimension of its own, then each is read with its unit, values and dimension set", () => {
    // Prepare: what adapters/metrics.ts does in a function, captured as the local stack does
    const lines: string[] = [];
    untap = tapEmf(process.stdout, (line) => lines.push(line));
    const metrics = new Metrics({ namespace: metricsNamespace, serviceName: metricsService });

    // Act
    metrics.addMetric('ReadingsEvaluated', MetricUnit.Count, 10);
    for (const lag of [120, 80, 250])
      metrics.addMetric('EvaluationLag', MetricUnit.Milliseconds, lag);
    metrics.publishStoredMetrics();
    const fired = metrics.singleMetric();
    fired.addDimension('severity', 'CRITICAL');
    fired.addMetric('AlertsFired', MetricUnit.Count, 1);
    untap();

    // Assess
    expect(lines).toHaveLength(2);
    const points = lines.flatMap(parseEmf);
    const byName = Object.fromEntries(points.map((p) => [p.name, p]));
    expect(byName.ReadingsEvaluated).toMatchObject({
      namespace: 'TelemetryAlerts',
      unit: 'Count',
      dimensions: { service: 'telemetry-alerts' },
      values: [10],
    });
    expect(byName.EvaluationLag).toMatchObject({
      unit: 'Milliseconds',
      dimensions: { service: 'telemetry-alerts' },
      values: [120, 80, 250],
    });
    expect(byName.AlertsFired).toMatchObject({
      unit: 'Count',
      dimensions: { service: 'telemetry-alerts', severity: 'CRITICAL' },
      values: [1],
    });
    expect(Math.abs((byName.AlertsFired?.timestamp ?? 0) - Date.now())).toBeLessThan(60_000);
  });
});

describe('mayBeEmf', () => {
  it('given a JSON line with _aws, then it may be EMF; a log line or JSON without _aws may not', () => {
    expect(mayBeEmf('{"_aws":{"Timestamp":1}}')).toBe(true);
    expect(mayBeEmf('  {"x":1,"_aws":{}}')).toBe(true);
    expect(mayBeEmf('{"level":"INFO","message":"hello"}')).toBe(false);
    expect(mayBeEmf('the "_aws" key')).toBe(false);
  });
});
