import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import { QueueUnavailableError, UnauthorizedError } from '../../../domain/errors.ts';
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
      null,
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
    const result = await ingestBatch([good(1), good(2), good(3)], queue, defaults, null);
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
        null,
      ),
    ).rejects.toThrow(/at most 1000/);
    await expect(ingestBatch([], queue, defaults, null)).rejects.toBeInstanceOf(ValidationError);
    expect(queue.sent).toEqual([]);
  });
});

describe('ingestOne', () => {
  it('given the queue is unavailable, then the call fails so the client retries', async () => {
    const queue = new FakeQueue();
    queue.refuse = new Set([0]);
    await expect(ingestOne(good(1), queue, defaults, null)).rejects.toBeInstanceOf(
      QueueUnavailableError,
    );
  });
});

describe("a device credential's scope", () => {
  const scope = { deviceIds: ['D1'], deviceIdPrefix: 'plant-a/' };
  const of = (deviceId: string, value: number) => ({ deviceId, metric: 'cpu', value });

  it('given a batch with readings of devices outside the scope, then each of those is refused as Unauthorized with its path, and the rest are enqueued', async () => {
    // Prepare
    const queue = new FakeQueue();

    // Act
    const result = await ingestBatch(
      [of('D1', 1), of('D2', 2), of('plant-a/boiler', 3), of('plant-b/boiler', 4)],
      queue,
      defaults,
      scope,
    );

    // Assess
    expect(result).toMatchObject({ accepted: 2, rejected: 2 });
    expect(result.results[1]?.error).toEqual({
      errorType: 'Unauthorized',
      message: "input[1].deviceId 'D2' is not a device this credential covers",
    });
    expect(result.results[3]?.error?.errorType).toBe('Unauthorized');
    expect(result.results[3]?.event).toBeNull();
    expect(queue.sent.map((r) => r.value)).toEqual([1, 3]);
  });

  it('given a reading of a device outside the scope, then the call is refused as Unauthorized and nothing is enqueued', async () => {
    const queue = new FakeQueue();
    const refused = ingestOne(of('D2', 1), queue, defaults, scope);
    await expect(refused).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(refused).rejects.toThrow(
      "input.deviceId 'D2' is not a device this credential covers",
    );
    expect(queue.sent).toEqual([]);
  });

  it('given a reading of a device in the scope, then it is enqueued', async () => {
    const queue = new FakeQueue();
    await ingestOne(of('plant-a/pump', 1), queue, defaults, scope);
    expect(queue.sent.map((r) => r.deviceId)).toEqual(['plant-a/pump']);
  });

  it('given an invalid reading outside the scope, then the validation error is what the client sees', async () => {
    const result = await ingestBatch(
      [{ ...of('D2', 1), metric: '' }],
      new FakeQueue(),
      defaults,
      scope,
    );
    expect(result.results[0]?.error?.errorType).toBe('ValidationError');
  });
});
