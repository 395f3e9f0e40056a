import { readFileSync } from 'node:fs';
import type { RequestCounts } from './aws-counter.ts';
import { median } from './support.ts';

/** The list prices the cost figures use, kept in one file: bench/aws-prices.json. */
export interface AwsPrices {
  date: string;
  region: string;
  sqs: { standardPerMillionRequests: number; chunkBytes: number };
  dynamodb: {
    onDemandPerMillionWriteRequestUnits: number;
    onDemandPerMillionReadRequestUnits: number;
    storagePerGbMonth: number;
  };
  sns: { publishPerMillion: number };
  appsync: { queryMutationOperationsPerMillion: number; realtimeUpdatesPerMillion: number };
  lambda: { requestsPerMillion: number; arm64PerGbSecond: number; memoryMb: number };
}

/** Reads bench/aws-prices.json, refusing a file without its date or a price. */
export function loadPrices(): AwsPrices {
  const prices = JSON.parse(
    readFileSync(new URL('./aws-prices.json', import.meta.url), 'utf8'),
  ) as AwsPrices;
  const numbers = [
    prices.sqs?.standardPerMillionRequests,
    prices.dynamodb?.onDemandPerMillionWriteRequestUnits,
    prices.dynamodb?.onDemandPerMillionReadRequestUnits,
    prices.dynamodb?.storagePerGbMonth,
    prices.sns?.publishPerMillion,
    prices.appsync?.queryMutationOperationsPerMillion,
    prices.appsync?.realtimeUpdatesPerMillion,
    prices.lambda?.requestsPerMillion,
    prices.lambda?.arm64PerGbSecond,
    prices.lambda?.memoryMb,
  ];
  if (typeof prices.date !== 'string' || numbers.some((n) => typeof n !== 'number')) {
    throw new Error('bench/aws-prices.json lacks its date or a price');
  }
  return prices;
}

/** What one counted ingestion run did, as the cost model needs it. */
export interface IngestRun {
  readings: number;
  /** ingestEvent/ingestEvents calls: AppSync operations and ingest Lambda invocations. */
  ingestCalls: number;
  /** HTTP round trip of each ingest call, ms (upper bound of the ingest function's duration). */
  ingestCallMs: number[];
  counts: RequestCounts;
  /** `onAlert` messages delivered to subscribers. */
  realtimeUpdates: number;
}

/** Per-reading usage and what a million readings cost at list price. */
export interface CostEstimate {
  requestsPerReading: { total: number; sqs: number; dynamodb: number; sns: number };
  /** Requests made by the handlers themselves, without the event source mapping's polling. */
  handlerRequestsPerReading: number;
  sqsBilledPerReading: number;
  writeUnitsPerReading: number;
  readUnitsPerReading: number;
  workerInvocationsPerReading: number;
  appsyncOperationsPerReading: number;
  ingestDurationMs: number;
  workerDurationMs: number;
  perMillion: {
    sqs: number;
    dynamodb: number;
    sns: number;
    awsApi: number;
    appsync: number;
    lambda: number;
    total: number;
  };
}

/**
 * Turns measured request counts into cost per million readings, so a design change shows
 * up in dollars: the AWS API requests alone (SQS, DynamoDB, SNS), and the total with the
 * AppSync operations and Lambda invocations (one ingest invocation per call, one worker
 * invocation per batch the event source mapping delivered) and their duration.
 */
export function estimateCost(run: IngestRun, prices: AwsPrices): CostEstimate {
  const per = (value: number) => value / run.readings;
  const sum = (
    filter: (key: string) => boolean,
    pick: (c: RequestCounts['operations'][string]) => number,
  ) =>
    Object.entries(run.counts.operations)
      .filter(([key]) => filter(key))
      .reduce((total, [, count]) => total + pick(count), 0);
  const isSqs = (key: string) => key.startsWith('SQS.') || key.startsWith('ESM ');
  const isDynamoDb = (key: string) => key.startsWith('DynamoDB.');
  const isSns = (key: string) => key.startsWith('SNS.');
  const requests = {
    sqs: per(sum(isSqs, (c) => c.requests)),
    dynamodb: per(sum(isDynamoDb, (c) => c.requests)),
    sns: per(sum(isSns, (c) => c.requests)),
  };
  const sqsBilled = per(sum(isSqs, (c) => c.billedRequests));
  const snsBilled = per(sum(isSns, (c) => c.billedRequests));
  const writeUnits = per(sum(isDynamoDb, (c) => c.writeUnits));
  const readUnits = per(sum(isDynamoDb, (c) => c.readUnits));
  const million = 1_000_000;
  const sqs = sqsBilled * prices.sqs.standardPerMillionRequests;
  const dynamodb =
    writeUnits * prices.dynamodb.onDemandPerMillionWriteRequestUnits +
    readUnits * prices.dynamodb.onDemandPerMillionReadRequestUnits;
  const sns = snsBilled * prices.sns.publishPerMillion;
  const appsyncOperations = per(run.ingestCalls + run.counts.publishAlertCalls);
  const appsync =
    appsyncOperations * prices.appsync.queryMutationOperationsPerMillion +
    per(run.realtimeUpdates) * prices.appsync.realtimeUpdatesPerMillion;
  const ingestDurationMs = Math.ceil(median(run.ingestCallMs));
  const workerDurationMs = Math.ceil(median(run.counts.workerDurationsMs));
  const gb = prices.lambda.memoryMb / 1024;
  const lambdaPerReading = (invocations: number, ms: number) =>
    invocations * (prices.lambda.requestsPerMillion / million) +
    invocations * (Number.isFinite(ms) ? ms / 1000 : 0) * gb * prices.lambda.arm64PerGbSecond;
  const workerInvocations = per(run.counts.workerInvocations);
  const lambda =
    (lambdaPerReading(per(run.ingestCalls), ingestDurationMs) +
      lambdaPerReading(workerInvocations, workerDurationMs)) *
    million;
  const awsApi = sqs + dynamodb + sns;
  return {
    requestsPerReading: {
      total: requests.sqs + requests.dynamodb + requests.sns,
      ...requests,
    },
    handlerRequestsPerReading: per(
      sum(
        (key) => !key.startsWith('ESM '),
        (c) => c.requests,
      ),
    ),
    sqsBilledPerReading: sqsBilled,
    writeUnitsPerReading: writeUnits,
    readUnitsPerReading: readUnits,
    workerInvocationsPerReading: workerInvocations,
    appsyncOperationsPerReading: appsyncOperations,
    ingestDurationMs,
    workerDurationMs,
    perMillion: { sqs, dynamodb, sns, awsApi, appsync, lambda, total: awsApi + appsync + lambda },
  };
}

/**
 * Requests per reading by operation, e.g. `DynamoDB.PutItem 1.000, ESM ReceiveMessage 0.100`;
 * with `timings`, each with its mean time (long polls excluded, they wait by design).
 */
export function operationBreakdown(
  counts: RequestCounts,
  readings: number,
  timings = false,
): string {
  return Object.entries(counts.operations)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => {
      const mean = count.totalMs / count.requests;
      const time = timings && !key.endsWith('ReceiveMessage') ? ` (${mean.toFixed(1)} ms)` : '';
      return `${key} ${(count.requests / readings).toFixed(3)}${time}`;
    })
    .join(', ');
}
