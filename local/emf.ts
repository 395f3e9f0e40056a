/**
 * CloudWatch's embedded metric format (EMF), read as CloudWatch Logs reads it: a log line that
 * is a JSON object with an `_aws` member names, in `_aws.CloudWatchMetrics`, which of its
 * top-level members are metric values (a number, or an array of up to 100) and which are
 * dimension values (strings), under which namespace, with the time in `_aws.Timestamp`
 * (epoch milliseconds). Each metric is published once per dimension set of its directive.
 * What breaks the specification is left out, as CloudWatch leaves it: the whole line when
 * `_aws` is malformed, else the directive, dimension set or metric at fault.
 */

/** The values of one metric in one EMF document, under one dimension set. */
export interface EmfDataPoint {
  namespace: string;
  name: string;
  /** The unit the directive declares; `None` when it declares none. */
  unit: string;
  dimensions: Record<string, string>;
  /** Epoch milliseconds. */
  timestamp: number;
  values: number[];
}

const MAX_VALUES = 100;
const MAX_DIMENSIONS = 30;

/** The data points of an EMF line; none for a line that is not a valid EMF document. */
export function parseEmf(line: string): EmfDataPoint[] {
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    return [];
  }
  if (!isObject(document) || !isObject(document._aws)) return [];
  const { Timestamp: timestamp, CloudWatchMetrics: directives } = document._aws;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) return [];
  if (!Array.isArray(directives)) return [];
  const root = document;
  return directives.flatMap((directive): EmfDataPoint[] => {
    if (!isObject(directive)) return [];
    const { Namespace: namespace, Dimensions: dimensionSets, Metrics: metrics } = directive;
    if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > 255) {
      return [];
    }
    if (!Array.isArray(dimensionSets) || !Array.isArray(metrics)) return [];
    // A directive with no dimension set publishes its metrics without dimensions.
    const sets = (dimensionSets.length === 0 ? [[]] : dimensionSets).flatMap((set) => {
      const dimensions = dimensionsOf(set, root);
      return dimensions ? [dimensions] : [];
    });
    return metrics.flatMap((metric): EmfDataPoint[] => {
      if (!isObject(metric) || typeof metric.Name !== 'string' || metric.Name === '') return [];
      const values = valuesOf(root[metric.Name]);
      if (!values) return [];
      const unit = typeof metric.Unit === 'string' && metric.Unit !== '' ? metric.Unit : 'None';
      return sets.map((dimensions) => ({
        namespace,
        name: metric.Name as string,
        unit,
        dimensions,
        timestamp,
        values,
      }));
    });
  });
}

/** A dimension set's names with their values from the document; null when one is missing. */
function dimensionsOf(set: unknown, root: Record<string, unknown>): Record<string, string> | null {
  if (!Array.isArray(set) || set.length > MAX_DIMENSIONS) return null;
  const dimensions: Record<string, string> = {};
  for (const name of set) {
    if (typeof name !== 'string') return null;
    const value = root[name];
    if (typeof value !== 'string' || value === '') return null;
    dimensions[name] = value;
  }
  return dimensions;
}

/** A metric's values: a number or a non-empty array of at most 100; null otherwise. */
function valuesOf(member: unknown): number[] | null {
  const values = Array.isArray(member) ? member : [member];
  if (values.length === 0 || values.length > MAX_VALUES) return null;
  return values.every((value) => typeof value === 'number' && Number.isFinite(value))
    ? (values as number[])
    : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a log line may be an EMF document: cheap, to route lines before any parsing. A
 * function writes each EMF document as one line of JSON with an `_aws` member.
 */
export function mayBeEmf(line: string): boolean {
  return line.trimStart().startsWith('{') && line.includes('"_aws"');
}
