import type { Event, EventInput } from '../generated/graphql.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { formatDateTime, parseDateTime } from './time.ts';
import { requireFiniteNumber, requireId, requireMetric } from './validation.ts';

/** One telemetry reading, as stored and as returned by the API (`Event`). */
export type Reading = Omit<Event, '__typename'>;

export interface ReadingDefaults {
  /** When the API received the reading: its timestamp when the device sent none. */
  receivedAt: number;
  /** Makes an id for a reading the device sent without one. */
  newId: () => string;
  /** Oldest timestamp still worth storing (older readings would expire on arrival). */
  oldestAcceptedAt: number;
}

/**
 * Turns client input into a reading, or says exactly which field is wrong. The id and the
 * timestamp are settled here, at the edge, so that every retry or redelivery downstream
 * carries the same reading.
 */
export function parseReading(
  input: EventInput,
  defaults: ReadingDefaults,
  path = 'input',
): Reading {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError(`${path} must be an object`, path);
  }
  const deviceId = requireId(input.deviceId, `${path}.deviceId`);
  const metric = requireMetric(input.metric, `${path}.metric`);
  const value = requireFiniteNumber(input.value, `${path}.value`);
  const id =
    input.id === null || input.id === undefined
      ? defaults.newId()
      : requireId(input.id, `${path}.id`);
  const timestamp = readingTime(input.timestamp, defaults, `${path}.timestamp`);
  return { id, deviceId, metric, value, timestamp: formatDateTime(timestamp) };
}

function readingTime(
  value: string | null | undefined,
  defaults: ReadingDefaults,
  field: string,
): number {
  if (value === null || value === undefined) return defaults.receivedAt;
  const epochMs = parseDateTime(value, field);
  if (epochMs > defaults.receivedAt + limits.maxFutureSkewMs) {
    throw new ValidationError(
      `${field} is more than ${limits.maxFutureSkewMs / 60_000} minutes in the future; check the device clock`,
      field,
    );
  }
  if (epochMs < defaults.oldestAcceptedAt) {
    throw new ValidationError(
      `${field} is older than the retention period (${formatDateTime(defaults.oldestAcceptedAt)}); it would expire on arrival`,
      field,
    );
  }
  return epochMs;
}

/**
 * Reads a reading back from a queue message body. The API validated it on the way in, so a
 * body that does not parse is a poison record, not a client error.
 */
export function isReading(value: unknown): value is Reading {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.deviceId === 'string' &&
    typeof r.metric === 'string' &&
    typeof r.value === 'number' &&
    Number.isFinite(r.value) &&
    typeof r.timestamp === 'string' &&
    !Number.isNaN(Date.parse(r.timestamp))
  );
}
