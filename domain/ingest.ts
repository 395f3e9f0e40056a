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

/**
 * Accepts one reading: validated, kept to the caller's devices, then durable in the queue
 * before the call returns.
 */
export async function ingestOne(
  input: EventInput,
  queue: ReadingQueue,
  defaults: ReadingDefaults,
  scope: DeviceScope | null,
): Promise<Reading> {
  const reading = acceptedReading(input, defaults, scope);
  const failed = await queue.enqueue([reading]);
  const reason = failed.get(0);
  if (reason !== undefined) {
    throw new QueueUnavailableError(`The reading was not accepted, retry it: ${reason}`);
  }
  return reading;
}

/**
 * Accepts a batch reading by reading: a bad reading, or one of a device outside the
 * caller's scope, is refused on its own with the reason, the others are enqueued. The
 * result lists every reading in input order.
 */
export async function ingestBatch(
  inputs: readonly EventInput[],
  queue: ReadingQueue,
  defaults: ReadingDefaults,
  scope: DeviceScope | null,
): Promise<IngestEventsResult> {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new ValidationError('input must list at least one reading', 'input');
  }
  if (inputs.length > limits.maxBatchSize) {
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
  inputs.forEach((input, index) => {
    try {
      accepted.push({ index, reading: acceptedReading(input, defaults, scope, `input[${index}]`) });
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      results[index] = {
        index,
        event: null,
        error: clientFailure(error),
      };
    }
  });
  const failed = await queue.enqueue(accepted.map(({ reading }) => reading));
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
