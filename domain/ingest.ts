import type { EventInput, IngestEventsResult } from '../generated/graphql.ts';
import { covers, type DeviceScope } from './caller.ts';
import {
  ClientError,
  clientFailure,
  QueueUnavailableError,
  UnauthorizedError,
  ValidationError,
} from './errors.ts';
import { limits } from './limits.ts';
import { type DimensionValue, type Metrics, noMetrics } from './metrics.ts';
import type { ReadingQueue } from './ports.ts';
import { parseReading, type Reading, type ReadingDefaults } from './reading.ts';
import { truncate } from './time.ts';

/**
 * A valid reading the caller may send: any device for people and workloads (`scope` null),
 * only its own devices for a device credential.
 */
function acceptedReading(
  input: EventInput,
  defaults: ReadingDefaults,
  scope: DeviceScope | null,
  path = 'input',
): Reading {
  const reading = parseReading(input, defaults, path);
  if (scope !== null && !covers(scope, reading.deviceId)) {
    throw new UnauthorizedError(
      `${path}.deviceId '${truncate(reading.deviceId)}' is not a device this credential covers`,
    );
  }
  return reading;
}

type RefusalReason = DimensionValue<'ReadingsRefused'>;

/** The class of a client error, as ReadingsRefused counts it. */
function refusalReason(error: ClientError): RefusalReason {
  if (error instanceof UnauthorizedError) return 'Unauthorized';
  if (error instanceof QueueUnavailableError) return 'QueueUnavailable';
  return 'Validation';
}

/**
 * Hands readings to the queue; a call that fails outright (the queue unreachable) counts them
 * all as refused before it is raised.
 */
async function enqueue(
  readings: readonly Reading[],
  queue: ReadingQueue,
  metrics: Metrics,
): Promise<Map<number, string>> {
  try {
    return await queue.enqueue(readings);
  } catch (error) {
    if (readings.length > 0) metrics.add('ReadingsRefused', readings.length, 'QueueUnavailable');
    throw error;
  }
}

/**
 * Accepts one reading: validated, kept to the caller's devices, then durable in the queue
 * before the call returns. Counted as accepted or refused, by the class of the reason.
 */
export async function ingestOne(
  input: EventInput,
  queue: ReadingQueue,
  defaults: ReadingDefaults,
  scope: DeviceScope | null,
  metrics: Metrics = noMetrics,
): Promise<Reading> {
  let reading: Reading;
  try {
    reading = acceptedReading(input, defaults, scope);
  } catch (error) {
    if (error instanceof ClientError) metrics.add('ReadingsRefused', 1, refusalReason(error));
    throw error;
  }
  const failed = await enqueue([reading], queue, metrics);
  const reason = failed.get(0);
  if (reason !== undefined) {
    metrics.add('ReadingsRefused', 1, 'QueueUnavailable');
    throw new QueueUnavailableError(`The reading was not accepted, retry it: ${reason}`);
  }
  metrics.add('ReadingsAccepted', 1);
  return reading;
}

/**
 * Accepts a batch reading by reading: a bad reading, or one of a device outside the
 * caller's scope, is refused on its own with the reason, the others are enqueued. The
 * result lists every reading in input order. Counted as ingestOne counts, once per batch.
 */
export async function ingestBatch(
  inputs: readonly EventInput[],
  queue: ReadingQueue,
  defaults: ReadingDefaults,
  scope: DeviceScope | null,
  metrics: Metrics = noMetrics,
): Promise<IngestEventsResult> {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new ValidationError('input must list at least one reading', 'input');
  }
  if (inputs.length > limits.maxBatchSize) {
    metrics.add('ReadingsRefused', inputs.length, 'Validation');
    throw new ValidationError(
      `input has ${inputs.length} readings; at most ${limits.maxBatchSize} per call, split the batch`,
      'input',
    );
  }
  const results: IngestEventsResult['results'] = inputs.map((_, index) => ({
    index,
    event: null,
    error: null,
  }));
  const accepted: { index: number; reading: Reading }[] = [];
  let invalid = 0;
  let unauthorized = 0;
  inputs.forEach((input, index) => {
    try {
      accepted.push({ index, reading: acceptedReading(input, defaults, scope, `input[${index}]`) });
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      if (refusalReason(error) === 'Unauthorized') unauthorized++;
      else invalid++;
      results[index] = {
        index,
        event: null,
        error: clientFailure(error),
      };
    }
  });
  if (invalid > 0) metrics.add('ReadingsRefused', invalid, 'Validation');
  if (unauthorized > 0) metrics.add('ReadingsRefused', unauthorized, 'Unauthorized');
  const failed = await enqueue(
    accepted.map(({ reading }) => reading),
    queue,
    metrics,
  );
  if (failed.size > 0) metrics.add('ReadingsRefused', failed.size, 'QueueUnavailable');
  if (failed.size < accepted.length) metrics.add('ReadingsAccepted', accepted.length - failed.size);
  accepted.forEach(({ index, reading }, position) => {
    const reason = failed.get(position);
    results[index] =
      reason === undefined
        ? { index, event: reading, error: null }
        : {
            index,
            event: null,
            error: clientFailure(new QueueUnavailableError(`Not accepted, retry it: ${reason}`)),
          };
  });
  const rejected = results.filter((result) => result.error !== null).length;
  return { accepted: results.length - rejected, rejected, results };
}
