import { describe, expect, it } from 'vitest';
import { ingestBatch, ingestOne } from '../../../domain/ingest.ts';
import type { ReadingQueue } from '../../../domain/ports.ts';
import type { ReadingDefaults } from '../../../domain/reading.ts';
import { emfOf, pointsOf, sumOf } from '../../support/emf.ts';
import { FakeQueue } from '../../support/fakes.ts';

const receivedAt = Date.parse('2026-05-01T12:00:00.000Z');
let counter = 0;
const defaults: ReadingDefaults = {
  receivedAt,
  newId: () => `id-${++counter}`,
  oldestAcceptedAt: receivedAt - 1e10,
};
const good = (value: number, deviceId = 'D1') => ({ deviceId, metric: 'cpu', value });
const deviceScope = { deviceIds: ['D1'], deviceIdPrefix: null };
const unreachable: ReadingQueue = {
  enqueue: () => Promise.reject(new Error('connect ECONNREFUSED')),
};

describe('ingest metrics', () => {
  it('given an accepted reading, then ReadingsAccepted counts it with the set {service}', async () => {
    const points = await emfOf((metrics) =>
      ingestOne(good(1), new FakeQueue(), defaults, null, metrics),
    );
    expect(pointsOf(points, 'ReadingsAccepted')).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    expect(sumOf(points, 'ReadingsRefused', { reason: 'Validation' })).toBe(0);
  });

  it('given an invalid reading, then ReadingsRefused counts it with reason=Validation', async () => {
    const points = await emfOf((metrics) =>
      ingestOne({ ...good(1), metric: '' }, new FakeQueue(), defaults, null, metrics).catch(
        () => null,
      ),
    );
    expect(pointsOf(points, 'ReadingsRefused', { reason: 'Validation' })).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    expect(pointsOf(points, 'ReadingsAccepted')).toEqual([]);
  });

  it("given a device credential sending another device's reading, then ReadingsRefused counts it with reason=Unauthorized", async () => {
    const points = await emfOf((metrics) =>
      ingestOne(good(1, 'D2'), new FakeQueue(), defaults, deviceScope, metrics).catch(() => null),
    );
    expect(sumOf(points, 'ReadingsRefused', { reason: 'Unauthorized' })).toBe(1);
  });

  it('given the queue refuses a reading, then ReadingsRefused counts it with reason=QueueUnavailable', async () => {
    const queue = new FakeQueue();
    queue.refuse = new Set([0]);
    const points = await emfOf((metrics) =>
      ingestOne(good(1), queue, defaults, null, metrics).catch(() => null),
    );
    expect(sumOf(points, 'ReadingsRefused', { reason: 'QueueUnavailable' })).toBe(1);
    expect(sumOf(points, 'ReadingsAccepted')).toBe(0);
  });

  it('given the queue cannot be reached, then every reading of the batch counts as refused with reason=QueueUnavailable', async () => {
    const points = await emfOf((metrics) =>
      ingestBatch([good(1), good(2)], unreachable, defaults, null, metrics).catch(() => null),
    );
    expect(sumOf(points, 'ReadingsRefused', { reason: 'QueueUnavailable' })).toBe(2);
  });

  it('given a batch with good, invalid, out-of-scope and queue-refused readings, then each class is counted once for the batch', async () => {
    const queue = new FakeQueue();
    // Positions in what reaches the queue: the third accepted reading.
    queue.refuse = new Set([2]);
    const points = await emfOf((metrics) =>
      ingestBatch(
        [good(1), { ...good(2), value: Number.NaN }, good(3, 'D2'), good(4), good(5)],
        queue,
        defaults,
        deviceScope,
        metrics,
      ),
    );
    expect(pointsOf(points, 'ReadingsAccepted')[0]?.values).toEqual([2]);
    expect(pointsOf(points, 'ReadingsRefused', { reason: 'Validation' })[0]?.values).toEqual([1]);
    expect(pointsOf(points, 'ReadingsRefused', { reason: 'Unauthorized' })[0]?.values).toEqual([1]);
    expect(pointsOf(points, 'ReadingsRefused', { reason: 'QueueUnavailable' })[0]?.values).toEqual([
      1,
    ]);
  });

  it('given a batch over the limit, then all its readings count as refused with reason=Validation', async () => {
    const points = await emfOf((metrics) =>
      ingestBatch(
        Array.from({ length: 1001 }, (_, i) => good(i)),
        new FakeQueue(),
        defaults,
        null,
        metrics,
      ).catch(() => null),
    );
    expect(sumOf(points, 'ReadingsRefused', { reason: 'Validation' })).toBe(1001);
  });
});
