import { vi } from 'vitest';
import { EmfMetrics, PowertoolsEmf } from '../../adapters/metrics.ts';
import { metricsNamespace, metricsService } from '../../domain/metrics.ts';

/** One metric of one EMF line, as CloudWatch would read it. */
export interface EmfPoint {
  name: string;
  unit: string;
  namespace: string;
  /** The line's dimension set, by name, with the values the line gives them. */
  dimensions: Record<string, string>;
  /** The metric's values on the line: one, or several of the same dimension set. */
  values: number[];
}

/** What a process wrote to stdout and stderr meanwhile: EMF lines and log lines. */
export interface Captured {
  /** Every JSON object written, in order. */
  objects: Record<string, unknown>[];
  /** The EMF lines' metrics (objects with an `_aws` key). */
  points(): EmfPoint[];
  /** The log lines (objects without `_aws`). */
  logs(): Record<string, unknown>[];
  restore(): void;
}

/**
 * Captures what Powertools writes to stdout and stderr (its Console writes to the streams
 * it was given, process.stdout and process.stderr), parsing each line as JSON.
 */
export function captureOutput(): Captured {
  const objects: Record<string, unknown>[] = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) {
      if (line.trim().startsWith('{')) objects.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    objects,
    points: () => objects.flatMap(emfPoints),
    logs: () => objects.filter((object) => !('_aws' in object)),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

/** Reads one EMF object as CloudWatch does: each metric under each of its dimension sets. */
export function emfPoints(object: Record<string, unknown>): EmfPoint[] {
  const aws = object._aws as
    | {
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string; Unit: string }[];
        }[];
      }
    | undefined;
  if (!aws) return [];
  return aws.CloudWatchMetrics.flatMap(({ Namespace, Dimensions, Metrics }) =>
    Dimensions.flatMap((set) =>
      Metrics.map(({ Name, Unit }) => {
        const value = object[Name];
        return {
          name: Name,
          unit: Unit,
          namespace: Namespace,
          dimensions: Object.fromEntries(set.map((key) => [key, String(object[key])])),
          values: Array.isArray(value) ? (value as number[]) : [value as number],
        };
      }),
    ),
  );
}

/** A fresh EMF writer, as adapters/metrics.ts makes the functions' one. */
export function newEmfMetrics(): EmfMetrics {
  return new EmfMetrics(
    new PowertoolsEmf({ namespace: metricsNamespace, serviceName: metricsService }),
  );
}

/**
 * Runs `act` with a fresh EMF writer, flushes it as an invocation's end does, and returns the
 * metrics of the EMF lines written.
 */
export async function emfOf(
  act: (metrics: EmfMetrics) => Promise<unknown> | unknown,
): Promise<EmfPoint[]> {
  const metrics = newEmfMetrics();
  await act(metrics);
  const output = captureOutput();
  try {
    metrics.flush();
  } finally {
    output.restore();
  }
  return output.points();
}

/** The points of `name` whose dimension set is exactly `service` plus `extra`. */
export function pointsOf(
  points: readonly EmfPoint[],
  name: string,
  extra: Record<string, string> = {},
): EmfPoint[] {
  const wanted: Record<string, string> = { service: metricsService, ...extra };
  return points.filter(
    (point) =>
      point.name === name &&
      Object.keys(point.dimensions).length === Object.keys(wanted).length &&
      Object.entries(wanted).every(([key, value]) => point.dimensions[key] === value),
  );
}

/** The sum of `name`'s values in that dimension set; 0 when none was written. */
export function sumOf(
  points: readonly EmfPoint[],
  name: string,
  extra: Record<string, string> = {},
): number {
  return pointsOf(points, name, extra)
    .flatMap((point) => point.values)
    .reduce((total, value) => total + value, 0);
}
