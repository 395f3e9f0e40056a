/**
 * When a device counts as stale on the Fleet page: nothing stored from it for longer than a
 * threshold the operator can change (10 minutes unless they do). `lastSeenAt` is kept to the
 * minute by the API, so a threshold below a minute or two would mark devices that report.
 */
export const DEFAULT_STALE_MINUTES = 10;
/** A week: beyond it, "stale" says nothing a fleet view needs. */
export const MAX_STALE_MINUTES = 7 * 24 * 60;

/** Whether a device last seen at `lastSeenAt` is stale at `now` (epoch ms). */
export function isStale(lastSeenAt: string, now: number, staleMinutes: number): boolean {
  return now - Date.parse(lastSeenAt) > staleMinutes * 60_000;
}

/** The threshold typed, in whole minutes from 1 to a week; null when it is not one. */
export function staleMinutesOf(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const minutes = Number(trimmed);
  return minutes >= 1 && minutes <= MAX_STALE_MINUTES ? minutes : null;
}
