import type { Aggregation } from '../generated/graphql.ts';
import { type Alert, noDataAlert, thresholdAlert } from './alert.ts';
import { isFlapping, recordTransition } from './flapping.ts';
import { type Labels, noLabels } from './labels.ts';
import { limits } from './limits.ts';
import type { Reading } from './reading.ts';
import { breaches, type Rule } from './rule.ts';
import { formatDateTime } from './time.ts';

/** What of a rule its episodes read: the evaluation options and what alerts copy. */
export type EpisodeRule = Pick<
  Rule,
  | 'id'
  | 'name'
  | 'metric'
  | 'operator'
  | 'threshold'
  | 'severity'
  | 'forReadings'
  | 'windowSeconds'
  | 'aggregation'
  | 'clearThreshold'
  | 'noDataSeconds'
  | 'repeatIntervalSeconds'
  | 'flapDetection'
  | 'flapHighPercent'
  | 'flapLowPercent'
  | 'latch'
>;

/*
 * The alert lifecycle of one rule for one device (docs/alert-states.md): OK → FIRING →
 * RESOLVED (→ OK); an acknowledged alert is ACKNOWLEDGED until its condition clears; a
 * latched rule's unacknowledged alert whose condition cleared is LATCHED until someone
 * acknowledges it (then RESOLVED) or the condition returns (FIRING again, the same alert).
 * And whether it flaps (domain/flapping.ts). Pure functions over an explicit state, so every
 * transition is a value a test can check and the storage can write conditionally.
 */

/** A reading kept for a window rule: event time (epoch ms) and value. */
export interface WindowReading {
  t: number;
  v: number;
}

/** Something to tell people and subscribers about, kept until it has been delivered. */
export interface Notification {
  /** Unique per notification of an alert, e.g. `FIRING@2026-05-01T12:00:00.000Z`. */
  key: string;
  kind: NotificationKind;
  alert: Alert;
}

/**
 * What a notification says: an alert fired, resolved or is still firing (REPEAT, also a
 * latched alert whose condition returned); it was acknowledged (ACKNOWLEDGED, pushed only)
 * or latched (LATCHED: its condition cleared, it waits for an acknowledgement); an episode
 * started or stopped flapping; a silence or maintenance window that held the alert's
 * notifications ended (UNSILENCED: its state now, firing or resolved).
 */
export type NotificationKind =
  | 'FIRING'
  | 'RESOLVED'
  | 'REPEAT'
  | 'ACKNOWLEDGED'
  | 'LATCHED'
  | 'FLAPPING'
  | 'FLAPPING_STOPPED'
  | 'UNSILENCED';

/** Everything evaluation remembers about one (rule, device). */
export interface EpisodeState {
  ruleId: string;
  deviceId: string;
  /** Breaching readings in a row while not firing, for `forReadings`. */
  consecutive: number;
  /** Event time and id of the last reading that was applied; older ones change nothing. */
  lastAt: string | null;
  lastId: string | null;
  /** The trailing window, for window rules. */
  window: WindowReading[];
  /** The open THRESHOLD alert (FIRING, ACKNOWLEDGED or LATCHED), if any. */
  open: Alert | null;
  /** The open NO_DATA alert, if the device went silent. */
  noData: Alert | null;
  /**
   * The last 20 transitions between the states after applied readings (firing or not), one
   * bit each, newest in bit 0 (domain/flapping.ts); 0 when none changed the state.
   */
  flapHistory: number;
  /** True from the FLAPPING notification to the FLAPPING_STOPPED one. */
  flapping: boolean;
  /**
   * While flapping, the THRESHOLD alert that resolved last: what the FLAPPING_STOPPED
   * notification tells of when no alert is open. Null otherwise.
   */
  lastResolved: Alert | null;
  /** Notifications decided but not yet known to be delivered (the outbox). */
  outbox: Notification[];
  /** Incremented by every stored change: the condition of optimistic writes. 0 = never stored. */
  version: number;
}

/** The result of a step: the next state, and whether it differs enough to be stored. */
export interface Step {
  state: EpisodeState;
  changed: boolean;
}

export function newEpisode(ruleId: string, deviceId: string): EpisodeState {
  return {
    ruleId,
    deviceId,
    consecutive: 0,
    lastAt: null,
    lastId: null,
    window: [],
    open: null,
    noData: null,
    flapHistory: 0,
    flapping: false,
    lastResolved: null,
    outbox: [],
    version: 0,
  };
}

/** A rule whose step compares each reading with its threshold alone: no window, no no-data time. */
export function isPlainThreshold(rule: EpisodeRule): boolean {
  return rule.windowSeconds === null && rule.noDataSeconds === null;
}

/**
 * An episode with nothing under way: no alert open, no breaching readings counted, no
 * flapping history. A healthy reading of a plain threshold rule leaves it as it is
 * (`applyReading`'s first path).
 */
export function isQuiet(state: EpisodeState): boolean {
  return (
    state.open === null &&
    state.noData === null &&
    state.consecutive === 0 &&
    state.flapHistory === 0 &&
    !state.flapping
  );
}

/**
 * Applies one reading. Readings are applied in event-time order: one not later than the
 * last applied reading (a duplicate, or one that arrived late) changes nothing, so a
 * redelivery cannot fire twice and a late reading cannot undo a newer state.
 *
 * `changed` is false when storing the state is unnecessary — a healthy reading of a plain
 * threshold rule whose episode has not changed state in its last readings and is not
 * flapping — which keeps the common case free of writes. `labels` are the device's, copied
 * into an alert that fires.
 */
export function applyReading(
  rule: EpisodeRule,
  state: EpisodeState,
  reading: Reading,
  now: number,
  labels: Labels = noLabels,
): Step {
  if (!isAfterLast(state, reading)) return { state, changed: false };
  // The healthy path of a plain threshold rule allocates and parses nothing more.
  if (
    isPlainThreshold(rule) &&
    isQuiet(state) &&
    !breaches(rule.operator, reading.value, rule.threshold)
  ) {
    return { state, changed: false };
  }
  const at = Date.parse(reading.timestamp);
  const stamp = formatDateTime(now);
  let window = state.window;
  let value = reading.value;
  if (rule.windowSeconds !== null) {
    const from = at - rule.windowSeconds * 1000;
    window = state.window.filter((sample) => sample.t > from);
    window.push({ t: at, v: reading.value });
    if (window.length > limits.maxWindowReadings) window = window.slice(-limits.maxWindowReadings);
    value = aggregate(rule.aggregation ?? 'AVG', window);
  }
  const next: EpisodeState = {
    ...state,
    lastAt: reading.timestamp,
    lastId: reading.id,
    window,
    outbox: state.outbox,
  };
  let changed = rule.windowSeconds !== null;
  const notify = (kind: Notification['kind'], alert: Alert) => {
    next.outbox = [...next.outbox, { key: `${kind}@${stamp}:${alert.id}`, kind, alert }];
    changed = true;
  };

  if (next.noData) {
    notify('RESOLVED', resolve(next.noData, stamp));
    next.noData = null;
  }
  const change: Change = { fired: null, resolved: null, latched: null, refired: null };
  if (next.open?.status === 'LATCHED') {
    // Latched: only the condition returning moves it (back to FIRING, the same alert).
    if (breaches(rule.operator, value, rule.threshold)) {
      change.refired = { ...next.open, status: 'FIRING', notifiedAt: stamp };
    }
  } else if (next.open) {
    if (!breaches(rule.operator, value, rule.clearThreshold ?? rule.threshold)) {
      // A latched rule's alert nobody acknowledged waits for someone to; an acknowledged
      // one has been seen, and resolves.
      if (rule.latch && next.open.status === 'FIRING') {
        change.latched = { ...next.open, status: 'LATCHED', notifiedAt: stamp };
      } else {
        change.resolved = resolve(next.open, stamp);
        next.open = null;
      }
      next.consecutive = 0;
    }
  } else if (breaches(rule.operator, value, rule.threshold)) {
    next.consecutive = state.consecutive + 1;
    changed = true;
    if (next.consecutive >= rule.forReadings) {
      change.fired = thresholdAlert(rule, reading, value, stamp, labels);
      next.consecutive = 0;
    }
  } else if (state.consecutive > 0) {
    next.consecutive = 0;
    changed = true;
  }
  if (flap(rule, state, next, change, stamp, notify)) changed = true;
  // No-data rules need to know the device is alive; a quarter of the silence allowed is
  // precision enough and spares a write per reading.
  if (rule.noDataSeconds !== null) {
    const lastAt = state.lastAt === null ? Number.NEGATIVE_INFINITY : Date.parse(state.lastAt);
    if (at - lastAt >= rule.noDataSeconds * 250) changed = true;
  }
  return changed ? { state: next, changed } : { state, changed: false };
}

/**
 * What a reading changed of the episode's alert: it fired, resolved, latched (its condition
 * cleared, it waits for an acknowledgement) or, latched, fired again.
 */
interface Change {
  fired: Alert | null;
  resolved: Alert | null;
  latched: Alert | null;
  refired: Alert | null;
}

/**
 * The flapping part of a reading's step, after its `change` is known: records the
 * transition, decides whether the episode flaps, and notifies the change and the start or
 * stop of flapping. While the episode flaps (or starts or stops flapping with this reading)
 * the alert changed is marked `flapping`: its own e-mail gives way to the FLAPPING and
 * FLAPPING_STOPPED ones, each sent once. Returns whether the flapping state changed, i.e.
 * needs storing. `stamp` is the time of the step.
 */
function flap(
  rule: EpisodeRule,
  state: EpisodeState,
  next: EpisodeState,
  change: Change,
  stamp: string,
  notify: (kind: NotificationKind, alert: Alert) => void,
): boolean {
  let { fired, resolved, latched, refired } = change;
  const moved = fired ?? resolved ?? latched ?? refired;
  const history = rule.flapDetection ? recordTransition(state.flapHistory, moved !== null) : 0;
  let flapping = isFlapping(rule, history, state.flapping);
  // The percent rises only when the state changes, which brings an alert to tell of; lowered
  // thresholds may make it high enough without one: flapping starts with the next change.
  if (flapping && !state.flapping && !(moved ?? next.open)) flapping = false;
  if (state.flapping || flapping) {
    const marked = (alert: Alert | null): Alert | null => alert && { ...alert, flapping: true };
    fired = marked(fired);
    resolved = marked(resolved);
    latched = marked(latched);
    refired = marked(refired);
  }
  if (resolved) notify('RESOLVED', resolved);
  if (latched) {
    next.open = latched;
    notify('LATCHED', latched);
  }
  // Not counted as fired again: the same alert, told as still firing.
  if (refired) {
    next.open = refired;
    notify('REPEAT', refired);
  }
  if (fired) {
    next.open = fired;
    notify('FIRING', fired);
  }
  if (flapping !== state.flapping) {
    // The alert of the current state: the open one, or the one that resolved last.
    const current = next.open ?? resolved ?? state.lastResolved;
    if (current) {
      const alert: Alert = { ...current, flapping, notifiedAt: stamp };
      notify(flapping ? 'FLAPPING' : 'FLAPPING_STOPPED', alert);
      if (next.open) next.open = alert;
    }
  }
  next.flapHistory = history;
  next.flapping = flapping;
  next.lastResolved = flapping ? (resolved ?? state.lastResolved) : null;
  return history !== state.flapHistory || flapping !== state.flapping;
}

/**
 * What time alone changes, checked on a schedule: a device silent for `noDataSeconds`
 * fires NO_DATA, and an alert still firing after `repeatIntervalSeconds` is notified again.
 * `labels` are the device's, copied into a NO_DATA alert that fires.
 */
export function checkTime(
  rule: EpisodeRule,
  state: EpisodeState,
  now: number,
  labels: Labels = noLabels,
): Step {
  const stamp = formatDateTime(now);
  const next: EpisodeState = { ...state };
  let changed = false;
  const notify = (kind: Notification['kind'], alert: Alert) => {
    next.outbox = [...next.outbox, { key: `${kind}@${stamp}:${alert.id}`, kind, alert }];
    changed = true;
  };
  if (
    rule.noDataSeconds !== null &&
    state.lastAt !== null &&
    state.noData === null &&
    now - Date.parse(state.lastAt) >= rule.noDataSeconds * 1000
  ) {
    next.noData = noDataAlert(rule, state.deviceId, state.lastAt, stamp, labels);
    notify('FIRING', next.noData);
  }
  if (rule.repeatIntervalSeconds !== null) {
    // Repeats nudge until someone picks the alert up: an acknowledged or latched one waits.
    const due = (alert: Alert) =>
      alert.status === 'FIRING' &&
      now - Date.parse(alert.notifiedAt ?? alert.firedAt) >=
        (rule.repeatIntervalSeconds ?? 0) * 1000;
    if (next.open && due(next.open)) {
      next.open = { ...next.open, notifiedAt: stamp };
      notify('REPEAT', next.open);
    }
    if (next.noData && state.noData && due(next.noData)) {
      next.noData = { ...next.noData, notifiedAt: stamp };
      notify('REPEAT', next.noData);
    }
  }
  return changed ? { state: next, changed } : { state, changed: false };
}

/**
 * Resolves whatever is open for a reason other than readings: the rule was deleted or
 * disabled, or the device left its selector. `resolution` says which, for people. A flapping
 * episode stops flapping: its FLAPPING_STOPPED notification carries the resolved alert (or
 * the one that resolved last), and the history starts afresh.
 */
export function closeEpisode(state: EpisodeState, now: number, resolution?: string): Step {
  return close(state, formatDateTime(now), resolution);
}

/**
 * Applies an acknowledgement to the episode: `alert` as stored, with who acknowledged it
 * first and when. Open and FIRING, it becomes ACKNOWLEDGED (told to subscribers only);
 * LATCHED, it resolves at the acknowledgement's time, saying who acknowledged it. Anything
 * else (not open in this episode any more, acknowledged already, or no acknowledgement
 * stored) changes nothing.
 */
export function acknowledgeEpisode(state: EpisodeState, alert: Alert, now: number): Step {
  const slot = openSlot(state, alert.id);
  const { acknowledgedAt, acknowledgedBy } = alert;
  if (slot === null || acknowledgedAt === null || acknowledgedAt === undefined) {
    return { state, changed: false };
  }
  const open = state[slot] as Alert;
  const after = acknowledged({ ...open, acknowledgedAt, acknowledgedBy });
  if (after.status === open.status) return { state, changed: false };
  const stamp = formatDateTime(now);
  const next: EpisodeState = { ...state };
  if (after.status === 'RESOLVED') {
    next[slot] = null;
    next.consecutive = 0;
    if (state.flapping) next.lastResolved = after;
    next.outbox = [...state.outbox, notification('RESOLVED', stamp, after)];
  } else {
    next[slot] = after;
    next.outbox = [...state.outbox, notification('ACKNOWLEDGED', stamp, after)];
  }
  return { state: next, changed: true };
}

/**
 * An open alert as its acknowledgement (stored with it) leaves it: FIRING becomes
 * ACKNOWLEDGED; LATCHED resolves at the acknowledgement's time, saying who acknowledged it;
 * any other stays as it is. What the worker applies, and what acknowledgeAlert answers.
 */
export function acknowledged(alert: Alert): Alert {
  if (!alert.acknowledgedAt) return alert;
  if (alert.status === 'FIRING') return { ...alert, status: 'ACKNOWLEDGED' };
  if (alert.status === 'LATCHED') {
    return resolve(alert, alert.acknowledgedAt, acknowledgedResolution(alert.acknowledgedBy));
  }
  return alert;
}

/** Why a latched alert resolved: who acknowledged it. */
function acknowledgedResolution(by: string | null | undefined): string {
  return `acknowledged by ${by ?? 'someone'}`;
}

/**
 * An open alert as a reset by `by` at `at` (AWSDateTime) leaves it: resolved then, saying
 * who reset it. What the worker's `resetEpisode` records, and what resetAlert answers.
 */
export function afterReset(alert: Alert, by: string, at: string): Alert {
  return resolve(alert, at, `reset by ${by}`);
}

/**
 * Returns the episode of an open alert to normal, as `by` asked at `at` (AWSDateTime): what
 * it has open resolves at that time, saying who reset it, and the for-N count, the window,
 * the latch and the flapping history start afresh, so the next breaching reading fires a
 * new alert. An alert not open in this episode any more (it resolved meanwhile) changes
 * nothing.
 */
export function resetEpisode(
  state: EpisodeState,
  alertId: string,
  reset: { by: string; at: string },
): Step {
  if (openSlot(state, alertId) === null) return { state, changed: false };
  const closed = close(state, reset.at, `reset by ${reset.by}`).state;
  return { state: { ...closed, window: [] }, changed: true };
}

/** Whether the episode has the alert of this id open. */
export function hasOpen(state: EpisodeState, alertId: string): boolean {
  return openSlot(state, alertId) !== null;
}

/** Where the episode keeps the open alert of this id, if it does. */
function openSlot(state: EpisodeState, alertId: string): 'open' | 'noData' | null {
  if (state.open?.id === alertId) return 'open';
  if (state.noData?.id === alertId) return 'noData';
  return null;
}

function notification(kind: NotificationKind, stamp: string, alert: Alert): Notification {
  return { key: `${kind}@${stamp}:${alert.id}`, kind, alert };
}

/** Resolves whatever the episode has open at `stamp`, and stops its flapping. */
function close(state: EpisodeState, stamp: string, resolution?: string): Step {
  if (!state.open && !state.noData && !state.flapping) return { state, changed: false };
  const outbox = [...state.outbox];
  const add = (kind: NotificationKind, alert: Alert) =>
    outbox.push(notification(kind, stamp, alert));
  const resolved = state.open ? resolve(state.open, stamp, resolution) : null;
  if (resolved) add('RESOLVED', resolved);
  if (state.noData) add('RESOLVED', resolve(state.noData, stamp, resolution));
  const current = resolved ?? state.lastResolved;
  if (state.flapping && current) {
    add('FLAPPING_STOPPED', { ...current, flapping: false, notifiedAt: stamp });
  }
  return {
    state: {
      ...state,
      open: null,
      noData: null,
      consecutive: 0,
      flapHistory: 0,
      flapping: false,
      lastResolved: null,
      outbox,
    },
    changed: true,
  };
}

/** The alert keeps the value that fired it; the resolution adds when it ended, and why. */
function resolve(alert: Alert, at: string, resolution?: string): Alert {
  const resolved: Alert = { ...alert, status: 'RESOLVED', resolvedAt: at, notifiedAt: at };
  if (resolution !== undefined) resolved.resolution = resolution;
  return resolved;
}

function isAfterLast(state: EpisodeState, reading: Reading): boolean {
  if (state.lastAt === null) return true;
  if (reading.timestamp !== state.lastAt) return reading.timestamp > state.lastAt;
  return reading.id > (state.lastId ?? '');
}

/** Combines a window's readings as the rule says. */
export function aggregate(aggregation: Aggregation, window: readonly WindowReading[]): number {
  switch (aggregation) {
    case 'COUNT':
      return window.length;
    case 'SUM':
      return window.reduce((sum, s) => sum + s.v, 0);
    case 'AVG':
      return window.reduce((sum, s) => sum + s.v, 0) / window.length;
    case 'MIN':
      return window.reduce((min, s) => Math.min(min, s.v), Number.POSITIVE_INFINITY);
    case 'MAX':
      return window.reduce((max, s) => Math.max(max, s.v), Number.NEGATIVE_INFINITY);
  }
}
