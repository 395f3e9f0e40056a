import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import { QueueUnavailableError } from '../../../domain/errors.ts';
import { ingestBatch, ingestOne } from '../../../domain/ingest.ts';
import type { ReadingDefaults } from '../../../domain/reading.ts';
import { FakeQueue } from '../../support/fakes.ts';

const receivedAt = Date.parse('2026-05-01T12:00:00.000Z');
let counter = 0;
const defaults: ReadingDefaults = {
  receivedAt,
  newId: () => `id-${++counter}`,
  oldestAcceptedAt: receivedAt - 1e10,
};
const good = (value: number) => ({ deviceId: 'D1', metric: 'cpu', value });

describe('ingestBatch', () => {
  it('given good and bad readings, then the good are enqueued and each bad one is refused with its reason', async () => {
    const queue = new FakeQueue();
    const result = await ingestBatch(
      [good(1), { ...good(2), metric: '' }, good(3)],
      queue,
      defaults,
    );
    expect(result.accepted).toBe(2);
    expect(result.rejected).toBe(1);
    expect(result.results.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(result.results[1]?.error).toEqual({
      errorType: 'ValidationError',
      message: 'input[1].metric is required and must be a non-empty string',
    });
    expect(queue.sent.map((r) => r.value)).toEqual([1, 3]);
  });

  it('given the queue refuses one reading, then only that reading is reported as not accepted', async () => {
    const queue = new FakeQueue();
    queue.refuse = new Set([1]);
    const result = await ingestBatch([good(1), good(2), good(3)], queue, defaults);
    expect(result.results[1]?.error?.errorType).toBe('QueueUnavailable');
    expect(result.results[2]?.event?.value).toBe(3);
    expect(result.accepted).toBe(2);
  });

  it('given more than 1,000 readings or none, then the whole call is refused and nothing is enqueued', async () => {
    const queue = new FakeQueue();
    await expect(
      ingestBatch(
        Array.from({ length: 1001 }, () => good(1)),
        queue,
        defaults,
      ),
    ).rejects.toThrow(/at most 1000/);
    await expect(ingestBatch([], queue, defaults)).rejects.toBeInstanceOf(ValidationError);
    expect(queue.sent).toEqual([]);
  });
});

describe('ingestOne', () => {
  it('given the queue is unavailable, then the call fails so the client retries', async () => {
    const queue = new FakeQueue();
    queue.refuse = new Set([0]);
    await expect(ingestOne(good(1), queue, defaults)).rejects.toBeInstanceOf(QueueUnavailableError);
  });
});
