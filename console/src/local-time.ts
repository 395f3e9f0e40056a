/**
 * Times as a `datetime-local` input holds them: `2026-12-05T14:30`, in the browser's time
 * zone, without seconds. The API speaks UTC (`AWSDateTime`); these convert between the two.
 */

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** The input's text for a time: the browser's local date and time, to the minute. */
export function localDateTimeOf(epochMs: number): string {
  const at = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T${two(
    at.getHours(),
  )}:${two(at.getMinutes())}`;
}

/**
 * The time an input's text names, or null when it names none (blank, malformed, or a date
 * such as February 30). A local time skipped by a daylight-saving change reads as the
 * browser reads it (moved forward by the change).
 */
export function epochOfLocal(text: string): number | null {
  const parts = localPattern.exec(text.trim());
  if (!parts) return null;
  const [year, month, day, hour, minute] = parts.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (hour > 23 || minute > 59) return null;
  const at = new Date(year, month - 1, day, hour, minute);
  // February 30 and the like roll over into another day: no such date.
  if (at.getFullYear() !== year || at.getMonth() !== month - 1 || at.getDate() !== day) {
    return null;
  }
  return at.getTime();
}

/** The next time the local clock shows `hour`:00, after `now`. */
export function nextLocalHour(now: number, hour: number): number {
  const at = new Date(now);
  at.setHours(hour, 0, 0, 0);
  if (at.getTime() <= now) at.setDate(at.getDate() + 1);
  return at.getTime();
}
