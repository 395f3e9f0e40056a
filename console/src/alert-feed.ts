/**
 * The live alert feed's state, kept pure so that its ordering and merging are tested without a
 * browser. One alert id appears once; the copy that went further through its lifecycle wins,
 * whichever arrived first (a subscription push or a catch-up query).
 */
import type { AlertFieldsFragment } from '../../generated/console-operations.ts';

export type FeedAlert = AlertFieldsFragment;

/** Alerts the feed keeps; older ones drop off the end. */
export const FEED_SIZE = 200;

/**
 * How far through its lifecycle an alert is: resolved beats acknowledged beats firing or
 * latched (which follow each other, by when people were told).
 */
function progress(alert: FeedAlert): [number, string] {
  const stage = (alert.resolvedAt ? 2 : 0) + (alert.acknowledgedAt ? 1 : 0);
  return [stage, alert.notifiedAt ?? ''];
}

/**
 * The copy to keep of `known` and `incoming`. With nothing to tell them apart by progress,
 * the incoming copy wins: a silenced or flapping mark changes without the alert moving on,
 * and what arrived last is the latest word (a catch-up copy that raced a push is put right
 * by the next catch-up, which reads the alert as it is).
 */
function later(known: FeedAlert, incoming: FeedAlert): FeedAlert {
  const [stageA, notifiedA] = progress(known);
  const [stageB, notifiedB] = progress(incoming);
  if (stageA !== stageB)
    return stageA > stageB ? withMarks(known, incoming) : withMarks(incoming, known);
  return notifiedA > notifiedB ? withMarks(known, incoming) : withMarks(incoming, known);
}

const marks = ['silenced', 'silenceId', 'flapping'] as const;

/**
 * The copy kept, with any mark it lacks altogether taken from the other: a push carries only
 * the fields `publishAlert` selected, and one that did not select the marks says nothing
 * about them (null is an answer; absent is none).
 */
function withMarks(kept: FeedAlert, other: FeedAlert): FeedAlert {
  const missing = marks.filter((mark) => kept[mark] === undefined && other[mark] !== undefined);
  if (missing.length === 0) return kept;
  return { ...kept, ...Object.fromEntries(missing.map((mark) => [mark, other[mark]])) };
}

/** Newest first by firing time, then by id so that equal times keep one order. */
function newestFirst(a: FeedAlert, b: FeedAlert): number {
  if (a.firedAt !== b.firedAt) return a.firedAt < b.firedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function mergeAlerts(
  feed: readonly FeedAlert[],
  incoming: readonly FeedAlert[],
  size = FEED_SIZE,
): FeedAlert[] {
  const byId = new Map(feed.map((alert) => [alert.id, alert]));
  for (const alert of incoming) {
    const known = byId.get(alert.id);
    byId.set(alert.id, known ? later(known, alert) : alert);
  }
  return [...byId.values()].sort(newestFirst).slice(0, size);
}

/**
 * Where a catch-up query starts: the firing time of the oldest alert shown, so that alerts
 * that fired while the link was down arrive and those shown get their current state. An
 * empty feed starts from nothing (the newest page).
 */
export function catchUpFrom(feed: readonly FeedAlert[]): string | null {
  return feed.length === 0 ? null : (feed[feed.length - 1]?.firedAt ?? null);
}

/** Not over yet: firing, acknowledged or latched (what activeAlerts lists). */
export function isOpen(alert: FeedAlert): boolean {
  return alert.status !== 'RESOLVED';
}

/**
 * Firing or latched, and not yet acknowledged: someone should pick it up (a latched one
 * resolves only when someone does).
 */
export function needsAttention(alert: FeedAlert): boolean {
  return (alert.status === 'FIRING' || alert.status === 'LATCHED') && !alert.acknowledgedAt;
}
