import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { truncate } from './time.ts';

// '#' is the storage key delimiter, so it can appear in no id or metric.
const ID_PATTERN = /^[A-Za-z0-9._:@/-]+$/;
const METRIC_PATTERN = /^[A-Za-z0-9._:/-]+$/;
// eslint-disable-next-line no-control-regex -- the point is to refuse them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** A device, reading or rule id: 1 to 128 letters, digits and `. _ : @ / -`. */
export function requireId(value: unknown, field: string): string {
  const text = requireText(value, field, limits.maxIdLength);
  if (!ID_PATTERN.test(text)) {
    throw new ValidationError(
      `${field} may contain only letters, digits and . _ : @ / - ; got '${truncate(text)}'`,
      field,
    );
  }
  return text;
}

/** A metric name: 1 to 128 letters, digits and `. _ : / -`, e.g. `temperature` or `cpu.load`. */
export function requireMetric(value: unknown, field: string): string {
  const text = requireText(value, field, limits.maxMetricLength);
  if (!METRIC_PATTERN.test(text)) {
    throw new ValidationError(
      `${field} may contain only letters, digits and . _ : / - ; got '${truncate(text)}'`,
      field,
    );
  }
  return text;
}

/** A finite number: NaN and the infinities cannot be compared with a threshold. */
export function requireFiniteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${field} must be a finite number; got ${String(value)}`, field);
  }
  return value;
}

/** Free text a person typed (a rule name): no control characters, bounded length. */
export function optionalLabel(value: unknown, field: string, maxLength: number): string | null {
  if (value === null || value === undefined) return null;
  const text = requireText(value, field, maxLength).trim();
  return text.length > 0 ? text : null;
}

/** One of a closed set of values, as an enum argument. */
export function requireOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  throw new ValidationError(
    `${field} must be one of ${allowed.join(', ')}; got '${truncate(String(value))}'`,
    field,
  );
}

/** A whole number within bounds, e.g. a count of readings or a number of seconds. */
export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      `${field} must be a whole number from ${min} to ${max}; got ${String(value)}`,
      field,
    );
  }
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'boolean')
    throw new ValidationError(`${field} must be true or false`, field);
  return value;
}

function requireText(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`${field} is required and must be a non-empty string`, field);
  }
  if (value.length > maxLength) {
    throw new ValidationError(
      `${field} must be at most ${maxLength} characters; got ${value.length}`,
      field,
    );
  }
  if (CONTROL_CHARACTERS.test(value)) {
    throw new ValidationError(`${field} must not contain control characters`, field);
  }
  return value;
}
