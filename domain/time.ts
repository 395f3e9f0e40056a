import { ValidationError } from './errors.ts';

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/;

/**
 * Parses an AWSDateTime (ISO-8601 with a zone) into epoch milliseconds, refusing impossible
 * dates that `Date.parse` would silently roll over (2024-02-30 becoming March 1st).
 */
export function parseDateTime(value: string, field: string): number {
  const match = ISO_DATE_TIME.exec(value);
  const epochMs = match ? Date.parse(value) : Number.NaN;
  if (!match || Number.isNaN(epochMs) || !isCalendarDate(match)) {
    throw new ValidationError(
      `${field} must be an ISO-8601 date-time with a zone, such as 2026-05-01T12:00:00.000Z; got '${truncate(value)}'`,
      field,
    );
  }
  return epochMs;
}

/** The one textual form times are stored and returned in: UTC, millisecond precision. */
export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function isCalendarDate(match: RegExpExecArray): boolean {
  const [, year, month, day, hour, minute, second] = match.map(Number);
  if (month === undefined || day === undefined || year === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    (hour ?? 0) <= 23 &&
    (minute ?? 0) <= 59 &&
    (Number.isNaN(second) || (second ?? 0) <= 59)
  );
}

/** Shortens user text quoted back in an error message. */
export function truncate(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** Validates `from`/`to` arguments and normalises them to the stored form. */
export function timeRange(
  from: string | null | undefined,
  to: string | null | undefined,
): { from: string | null; to: string | null } {
  const fromMs = from === null || from === undefined ? null : parseDateTime(from, 'from');
  const toMs = to === null || to === undefined ? null : parseDateTime(to, 'to');
  if (fromMs !== null && toMs !== null && fromMs > toMs) {
    throw new ValidationError('from must not be later than to', 'from');
  }
  return {
    from: fromMs === null ? null : formatDateTime(fromMs),
    to: toMs === null ? null : formatDateTime(toMs),
  };
}
