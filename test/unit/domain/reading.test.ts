import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import { parseReading, type ReadingDefaults } from '../../../domain/reading.ts';

const receivedAt = Date.parse('2026-05-01T12:00:00.000Z');
const defaults: ReadingDefaults = {
  receivedAt,
  newId: () => 'generated-id',
  oldestAcceptedAt: receivedAt - 90 * 24 * 3600 * 1000,
};
const valid = { deviceId: 'D1', metric: 'temperature', value: 21.5 };

function refusal(input: Record<string, unknown>): ValidationError {
  try {
    parseReading(input as never, defaults);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseReading', () => {
  it('given a reading without id or timestamp, then it gets a new id and the receive time', () => {
    expect(parseReading(valid, defaults)).toEqual({
      id: 'generated-id',
      deviceId: 'D1',
      metric: 'temperature',
      value: 21.5,
      timestamp: '2026-05-01T12:00:00.000Z',
    });
  });

  it('given a timestamp with an offset, then it is stored in UTC with milliseconds', () => {
    const reading = parseReading(
      { ...valid, id: 'r-1', timestamp: '2026-05-01T13:30:00+02:00' },
      defaults,
    );
    expect(reading.timestamp).toBe('2026-05-01T11:30:00.000Z');
    expect(reading.id).toBe('r-1');
  });

  it.each([
    [{ ...valid, deviceId: '' }, 'input.deviceId', 'non-empty'],
    [{ ...valid, deviceId: 'D#1' }, 'input.deviceId', 'only letters'],
    [{ ...valid, deviceId: 'x'.repeat(129) }, 'input.deviceId', 'at most 128'],
    [{ ...valid, deviceId: 'D\u00001' }, 'input.deviceId', 'control characters'],
    [{ ...valid, metric: 'temp\nerature' }, 'input.metric', 'control characters'],
    [{ ...valid, metric: 'a b' }, 'input.metric', 'only letters'],
    [{ ...valid, value: Number.NaN }, 'input.value', 'finite'],
    [{ ...valid, value: Number.POSITIVE_INFINITY }, 'input.value', 'finite'],
    [{ ...valid, value: '12' }, 'input.value', 'finite'],
    [{ ...valid, id: '' }, 'input.id', 'non-empty'],
    [{ ...valid, timestamp: '2026-02-30T00:00:00Z' }, 'input.timestamp', 'ISO-8601'],
    [{ ...valid, timestamp: '2026-05-01T24:00:00Z' }, 'input.timestamp', 'ISO-8601'],
    [{ ...valid, timestamp: '2026-05-01 12:00:00' }, 'input.timestamp', 'ISO-8601'],
    [{ ...valid, timestamp: '2026-05-01T12:00:00' }, 'input.timestamp', 'ISO-8601'],
    [{ ...valid, timestamp: '2026-05-01T13:00:00.000Z' }, 'input.timestamp', 'future'],
    [{ ...valid, timestamp: '2025-01-01T00:00:00.000Z' }, 'input.timestamp', 'retention'],
  ])('given %o, then it is refused naming %s', (input, field, words) => {
    const error = refusal(input);
    expect(error.field).toBe(field);
    expect(error.message).toContain(words);
  });
});
