/**
 * CloudWatch's metrics API, as much as the system reads, served from the local stack's
 * MetricsStore: `GetMetricData` (metric statistics, no metric math) and `ListMetrics`, over
 * the AWS JSON 1.0 protocol the AWS SDK's CloudWatch client speaks (`X-Amz-Target:
 * GraniteServiceVersion20100801.<action>`). So `systemStatus`'s CloudWatch adapter reads the
 * functions' captured EMF and the queues' samples locally as it reads CloudWatch in AWS.
 * Like the DynamoDB and SQS emulators, it checks no signature; it listens on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { RunningServer } from './emulators.ts';
import { isStatistic, type MetricIdentity, type MetricsStore } from './metrics-store.ts';
import { closeServer, listen } from './http-server.ts';

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_QUERIES = 500;

/** An error CloudWatch answers with: its query-protocol code and its JSON type. */
class CloudWatchError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = `${code}Exception`;
    this.code = code;
    this.status = status;
  }
}

const invalid = (message: string) => new CloudWatchError('InvalidParameterValue', message);

export interface CloudWatchOptions {
  host: string;
  port: number;
  store: MetricsStore;
  /** Runs before each GetMetricData is answered: e.g. a fresh sample of the queues. */
  beforeRead?: () => void;
}

/** Starts the CloudWatch emulator; its URL is what AWS_ENDPOINT_URL_CLOUDWATCH points at. */
export async function startCloudWatch(options: CloudWatchOptions): Promise<RunningServer> {
  const actions: Record<string, (input: Record<string, unknown>) => object> = {
    GetMetricData: (input) => {
      options.beforeRead?.();
      return getMetricData(options.store, input);
    },
    ListMetrics: (input) => listMetrics(options.store, input),
  };
  const server = createServer((request, response) => {
    serve(request, response, actions).catch((error: unknown) => {
      const failure =
        error instanceof CloudWatchError
          ? error
          : new CloudWatchError('InternalServiceError', 'Internal error', 500);
      if (!(error instanceof CloudWatchError)) console.error('local CloudWatch:', error);
      if (!response.headersSent) {
        response.writeHead(failure.status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${failure.code};${failure.status < 500 ? 'Sender' : 'Receiver'}`,
        });
        response.end(
          JSON.stringify({
            __type: `com.amazonaws.cloudwatch#${failure.name}`,
            message: failure.message,
          }),
        );
      }
    });
  });
  const port = await listen(server, options.port, options.host);
  return {
    url: `http://${options.host}:${port}`,
    close: () => closeServer(server),
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  actions: Record<string, (input: Record<string, unknown>) => object>,
): Promise<void> {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (request.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
    throw new CloudWatchError('UnknownOperation', 'Only the JSON 1.0 protocol is served');
  }
  const action = actions[target.slice(TARGET_PREFIX.length)];
  if (!action) {
    throw new CloudWatchError(
      'UnknownOperation',
      `${target.slice(TARGET_PREFIX.length)} is not served locally: only GetMetricData and ListMetrics`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse((await readBody(request)) || '{}');
  } catch (error) {
    if (error instanceof CloudWatchError) throw error;
    throw invalid('The request body is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid('The request body must be a JSON object');
  }
  const output = action(input as Record<string, unknown>);
  response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify(output));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw invalid('The request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** GetMetricData for metric statistics: each query's statistic per period in the time range. */
function getMetricData(store: MetricsStore, input: Record<string, unknown>): object {
  const from = seconds(input.StartTime, 'StartTime') * 1000;
  const to = seconds(input.EndTime, 'EndTime') * 1000;
  if (to <= from) throw invalid('The parameter StartTime must be before EndTime.');
  const queries = input.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0 || queries.length > MAX_QUERIES) {
    throw invalid(`MetricDataQueries must hold from 1 to ${MAX_QUERIES} queries.`);
  }
  const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
  const results = queries.flatMap((query: unknown, index) => {
    const parsed = metricQuery(query, index);
    if (!parsed.returnData) return [];
    const points = store.statistics(parsed.metric, {
      from,
      to,
      periodSeconds: parsed.period,
      statistic: parsed.stat,
    });
    if (descending) points.reverse();
    return [
      {
        Id: parsed.id,
        Label: parsed.label,
        Timestamps: points.map((point) => point.at / 1000),
        Values: points.map((point) => point.value),
        StatusCode: 'Complete',
      },
    ];
  });
  return { MetricDataResults: results, Messages: [] };
}

function metricQuery(query: unknown, index: number) {
  const at = `MetricDataQueries.${index + 1}`;
  if (!isObject(query)) throw invalid(`${at} must be an object.`);
  const id = query.Id;
  if (typeof id !== 'string' || !/^[a-z][a-zA-Z0-9_]{0,254}$/.test(id)) {
    throw invalid(`${at}.Id must start with a lower-case letter and hold letters, digits and _.`);
  }
  if (query.Expression !== undefined) {
    throw invalid(`${at}: metric math (Expression) is not served by the local stack.`);
  }
  const stat = query.MetricStat;
  if (!isObject(stat) || !isObject(stat.Metric)) throw invalid(`${at}.MetricStat is required.`);
  const period = stat.Period;
  if (typeof period !== 'number' || !Number.isInteger(period) || period < 1) {
    throw invalid(`${at}.MetricStat.Period must be a whole number of seconds.`);
  }
  if (typeof stat.Stat !== 'string' || !isStatistic(stat.Stat)) {
    throw invalid(`${at}.MetricStat.Stat '${String(stat.Stat)}' is not served locally.`);
  }
  const metric = metricIdentity(stat.Metric, `${at}.MetricStat.Metric`);
  return {
    id,
    label: typeof query.Label === 'string' ? query.Label : metric.name,
    returnData: query.ReturnData !== false,
    period,
    stat: stat.Stat,
    metric,
  };
}

function metricIdentity(metric: Record<string, unknown>, at: string): MetricIdentity {
  const { Namespace: namespace, MetricName: name, Dimensions: dimensions = [] } = metric;
  if (typeof namespace !== 'string' || typeof name !== 'string') {
    throw invalid(`${at} needs a Namespace and a MetricName.`);
  }
  return { namespace, name, dimensions: dimensionsOf(dimensions, at) };
}

function dimensionsOf(dimensions: unknown, at: string): Record<string, string> {
  if (!Array.isArray(dimensions)) throw invalid(`${at}.Dimensions must be a list.`);
  const byName: Record<string, string> = {};
  for (const dimension of dimensions) {
    if (
      !isObject(dimension) ||
      typeof dimension.Name !== 'string' ||
      typeof dimension.Value !== 'string'
    ) {
      throw invalid(`${at}.Dimensions: each needs a Name and a Value.`);
    }
    byName[dimension.Name] = dimension.Value;
  }
  return byName;
}

/** ListMetrics: the metrics with data, filtered by namespace, name and dimensions as asked. */
function listMetrics(store: MetricsStore, input: Record<string, unknown>): object {
  const wanted = Array.isArray(input.Dimensions) ? input.Dimensions : [];
  const metrics = store
    .metrics()
    .filter(
      (metric) =>
        (input.Namespace === undefined || metric.namespace === input.Namespace) &&
        (input.MetricName === undefined || metric.name === input.MetricName) &&
        wanted.every(
          (filter: unknown) =>
            isObject(filter) &&
            typeof filter.Name === 'string' &&
            Object.hasOwn(metric.dimensions, filter.Name) &&
            (filter.Value === undefined || metric.dimensions[filter.Name] === filter.Value),
        ),
    );
  return {
    Metrics: metrics.map((metric) => ({
      Namespace: metric.namespace,
      MetricName: metric.name,
      Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    })),
  };
}

/** A timestamp as the JSON protocol sends it: epoch seconds, possibly with a fraction. */
function seconds(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`The parameter ${field} is required.`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
