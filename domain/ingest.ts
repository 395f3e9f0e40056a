import type { EventInput, IngestEventsResult } from '../generated/graphql.ts';
import { clientFailure, QueueUnavailableError, ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import type { ReadingQueue } from './ports.ts';
import { parseReading, type Reading, type ReadingDefaults } from './reading.ts';

/** Accepts one reading: validated, then durable in the queue before the call returns. */
export async function ingestOne(
  input: EventInput,
  queue: ReadingQueue,
  defaults: ReadingDefaults,
): Promise<Reading> {
  const reading = parseReading(input, defaults);
  const failed = await queue.enqueue([reading]);
  const reason = failed.get(0);
  if (reason !== undefined) {
    throw new QueueUnavailableError(`The reading was not accepted, retry it: ${reason}`);
  }
  return reading;
}

/**
 * Accepts a batch reading by reading: a bad reading is refused on its own with the reason,
 * the others are enqueued. The result lists every reading in input order.
 */
export async function ingestBatch(
  inputs: readonly EventInput[],
  queue: ReadingQueue,
  defaults: ReadingDefaults,
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
      accepted.push({ index, reading: parseReading(input, defaults, `input[${index}]`) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
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
