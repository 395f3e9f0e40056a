import { type Alert, LEFT_RULE_TARGET, LEFT_SELECTOR, RULE_CLOSED } from './alert.ts';
import { sightingsOf } from './device.ts';
import { type DeliveryDeps, deliver, type Patience, PATIENCE_PER_BATCH_MS } from './delivery.ts';
import {
  acknowledgeEpisode,
  applyReading,
  checkTime,
  closeEpisode,
  type EpisodeState,
  hasOpen,
  newEpisode,
  type Notification,
  resetEpisode,
  type Step,
} from './episode.ts';
import { type Labels, type LabelSelector, noLabels, selects } from './labels.ts';
import { limits } from './limits.ts';
import { leavesRestingEpisode, type OpenEpisodes } from './open-episodes.ts';
import { pageRequest } from './pagination.ts';
import {
  type DeviceStore,
  episodeKey,
  type HeldAlert,
  type Mute,
  type MuteStore,
  type Page,
  type ReadingStore,
  type WorkMessage,
} from './ports.ts';
import { readingKey } from './queue-message.ts';
import type { Reading } from './reading.ts';
import type { IndexedRule, RuleIndex } from './rule-index.ts';

/** What evaluation needs besides what delivery does (domain/delivery.ts). */
export interface EvaluationDeps extends DeliveryDeps {
  readings: ReadingStore;
  rules: () => Promise<RuleIndex>;
  /**
   * The inventory, for the labels selector rules match and alerts carry, and to record what
   * each batch's stored readings show of their devices.
   */
  devices: Pick<DeviceStore, 'loadMany' | 'recordSightings'> & {
    /** Reads past a cache of devices, where there is one (domain/device-cache.ts). */
    loadFresh?: DeviceStore['loadMany'];
  };
  /**
   * A batch's devices could not be recorded in the inventory. The batch does not fail for it:
   * its readings are stored, and the devices' next readings record them.
   */
  onSightingsNotRecorded?: (error: unknown) => void;
  /**
   * Told of each alert that fires, once, when the episode that fired it is stored: the
   * functions log it with its reading's id and mark it in the trace.
   */
  onAlertFired?: (alert: Alert) => void;
  /**
   * The episodes not at rest, as far as this worker knows (domain/open-episodes.ts): a
   * healthy reading of a plain rule whose episode is not among them is not read for. Null
   * (or absent) when that knowledge cannot be trusted now: every matched episode is read.
   */
  openEpisodes?: () => Promise<OpenEpisodes | null>;
  /** Silences and windows as stored: the release asks it of a mute its set does not hold. */
  muteStore: MuteStore;
  /**
   * Sends a notification group's due e-mail (domain/notification-groups.ts `flushGroup`);
   * absent where no groups are kept (unit tests of evaluation).
   */
  flushGroup?: (groupKey: string) => Promise<unknown>;
}

/** Optimistic writes that lose this many races in a row give up (the reading is retried). */
const MAX_ATTEMPTS = 5;

/**
 * Episodes the scheduled check, or closing a rule, moves at once: each one waits on its own
 * writes and sends, so one by one a device fleet going silent together (thousands of NO_DATA
 * alerts), or a slow push, would hold up all the episodes behind it.
 */
const EPISODES_AT_ONCE = 8;

/** Another worker kept moving the same episode; the readings will be retried. */
export class ContentionError extends Error {
  override readonly name = 'ContentionError';
}

/**
 * What the worker does with a batch of readings: store them and, meanwhile, move each affected
 * (rule, device) episode once for all its readings, in event-time order, and deliver what
 * changed. Queues deliver at least once and out of order and several workers run at once,
 * so: readings are keyed by id; an episode skips readings not newer than its last; an
 * episode is stored only if nobody else stored it meanwhile (else it is reloaded and the
 * step redone); and notifications wait in the stored episode until they are delivered.
 *
 * Returns the readings whose evaluation failed (by readingKey, with the error), to be retried.
 */
export async function evaluateReadings(
  readings: readonly Reading[],
  deps: EvaluationDeps,
): Promise<Map<string, unknown>> {
  // Storing and evaluating are independent: run them together. A failed store fails the
  // whole batch after evaluation, and the retry's readings are skipped by the episodes.
  // Evaluation's reads go out first: an alert waits for them, nobody waits for the store.
  const evaluating = evaluate(readings, deps).then(
    (failed) => ({ failed }),
    (error: unknown) => ({ error }),
  );
  const stored = deps.readings.saveMany(readings).then(
    () => recordSightings(readings, deps),
    (error: unknown) => ({ error }),
  );
  // Never leave the write running past the invocation, whatever evaluation did.
  const [evaluated, storeFailure] = await Promise.all([evaluating, stored]);
  if (storeFailure) throw storeFailure.error;
  if ('error' in evaluated) throw evaluated.error;
  const done = readings.length - evaluated.failed.size;
  if (done > 0) deps.metrics.add('ReadingsEvaluated', done);
  return evaluated.failed;
}

/**
 * Records the batch's devices in the inventory, once the readings are stored: one call for
 * the batch. A failure is reported, not raised: retrying the batch would store and evaluate
 * its readings again for the sake of the inventory, which the devices' next readings (or the
 * retry of this batch for other reasons) bring up to date anyway.
 */
async function recordSightings(readings: readonly Reading[], deps: EvaluationDeps): Promise<null> {
  try {
    await deps.devices.recordSightings(sightingsOf(readings), deps.now());
  } catch (error) {
    deps.onSightingsNotRecorded?.(error);
  }
  return null;
}

async function evaluate(
  readings: readonly Reading[],
  deps: EvaluationDeps,
): Promise<Map<string, unknown>> {
  // The batch's devices' labels, read once for the batch alongside the rules: a device seen
  // for the first time is not in the inventory yet and has none.
  const [index, devices, open] = await Promise.all([
    deps.rules(),
    deps.devices.loadMany(deviceIdsOf(readings)),
    deps.openEpisodes?.() ?? null,
  ]);
  const groups = new Map<
    string,
    { rule: IndexedRule; deviceId: string; labels: Labels; readings: Reading[] }
  >();
  // A reading that would leave its episode at rest, of an episode known to be at rest, is put
  // aside without building a key: the episode is read only if another reading moves it.
  const resting: { rule: IndexedRule; reading: Reading }[] = [];
  const moved = new Set<string>();
  for (const reading of readings) {
    const labels = devices.get(reading.deviceId)?.labels ?? noLabels;
    for (const rule of index.matching(reading.deviceId, reading.metric, labels)) {
      if (
        open !== null &&
        leavesRestingEpisode(rule, reading) &&
        !open.mayBeOpen(rule.id, reading.deviceId)
      ) {
        resting.push({ rule, reading });
        continue;
      }
      const key = episodeKey(rule.id, reading.deviceId);
      const group = groups.get(key);
      if (group) group.readings.push(reading);
      else groups.set(key, { rule, deviceId: reading.deviceId, labels, readings: [reading] });
      moved.add(reading.deviceId);
    }
  }
  for (const { rule, reading } of resting) {
    if (moved.has(reading.deviceId))
      groups.get(episodeKey(rule.id, reading.deviceId))?.readings.push(reading);
  }
  const failed = new Map<string, unknown>();
  if (groups.size === 0) return failed;
  const patience: Patience = { leftMs: PATIENCE_PER_BATCH_MS };
  const states = await deps.episodes.loadMany(
    [...groups.values()].map(({ rule, deviceId }) => ({ ruleId: rule.id, deviceId })),
  );
  await Promise.all(
    [...groups].map(async ([key, group]) => {
      const ordered = [...group.readings].sort(byEventTime);
      const step = (state: EpisodeState): Step => {
        let current: Step = { state, changed: false };
        for (const reading of ordered) {
          const next = applyReading(group.rule, current.state, reading, deps.now(), group.labels);
          current = { state: next.state, changed: current.changed || next.changed };
        }
        return current;
      };
      try {
        const initial = states.get(key) ?? newEpisode(group.rule.id, group.deviceId);
        await advance(initial, step, deps, patience);
      } catch (error) {
        for (const reading of group.readings) failed.set(readingKey(reading), error);
      }
    }),
  );
  return failed;
}

/**
 * The scheduled check: no-data and repeat notifications for every rule that has them, of
 * `rules`, the enabled rules (RuleIndex.timed()).
 * Returns how many episodes moved and the errors of those that could not be moved now,
 * which do not hold up the others; the next check retries them.
 */
export async function checkEpisodes(
  rules: readonly IndexedRule[],
  deps: EvaluationDeps,
): Promise<{ moved: number; errors: unknown[] }> {
  let moved = 0;
  const errors: unknown[] = [];
  for (const rule of rules) {
    if (rule.noDataSeconds === null && rule.repeatIntervalSeconds === null) continue;
    const states = await deps.episodes.listForRule(rule.id);
    let labels: ReadonlyMap<string, { labels: Labels }>;
    try {
      labels = await labelsOfFallingSilent(rule, states, deps);
    } catch (error) {
      errors.push(error);
      continue;
    }
    await forEachAtMost(states, EPISODES_AT_ONCE, async (state) => {
      const deviceLabels = labels.get(state.deviceId)?.labels ?? noLabels;
      const step = (s: EpisodeState) => checkTime(rule, s, deps.now(), deviceLabels);
      try {
        if (await advance(state, step, deps, { leftMs: 0 })) moved++;
      } catch (error) {
        errors.push(error);
      }
    });
  }
  return { moved, errors };
}

/** Runs a work message: the changes to alerts that do not come from readings. */
export async function runWork(message: WorkMessage, deps: EvaluationDeps): Promise<void> {
  switch (message.type) {
    case 'closeRule':
      return closeRule(message.ruleId, deps);
    case 'deviceLabelsChanged':
      return resolveLeftSelectors(message.deviceId, deps);
    case 'ruleTargetChanged':
      return resolveLeftRuleTarget(message.ruleId, message.selector, deps);
    case 'releaseMute':
      return throwIfAny(await releaseHeld(deps, message.muteId), `mute ${message.muteId}`);
    case 'flushGroup':
      if (!deps.flushGroup) throw new Error('No notification groups here to flush');
      await deps.flushGroup(message.groupKey);
      return;
    case 'acknowledgeAlert':
      return acknowledgeAlert(message.alertId, deps);
    case 'resetAlert':
      return resetAlert(message.alertId, message, deps);
  }
}

/**
 * Applies a reset to the alert's episode (`resetEpisode`): the alert resolves, delivered as
 * the episode's notifications are, and the episode starts afresh. An alert that resolved
 * meanwhile keeps its own resolution.
 */
async function resetAlert(
  alertId: string,
  reset: { by: string; at: string },
  deps: EvaluationDeps,
): Promise<void> {
  const alert = await deps.alerts.get(alertId);
  if (!alert) return;
  const initial = await loadEpisode(alert.ruleId, alert.deviceId, deps);
  await advance(initial, (state) => resetEpisode(state, alert.id, reset), deps, { leftMs: 0 });
}

/**
 * Applies a stored acknowledgement to the alert's episode: a firing alert becomes
 * ACKNOWLEDGED, a latched one resolves, each delivered as the episode's notifications are.
 * An alert the episode no longer has open (it resolved meanwhile) is only pushed as stored
 * then, so subscribers see who acknowledged it; one acknowledged already is left to the
 * acknowledgement that moved it (a second one changes nothing to tell).
 */
async function acknowledgeAlert(alertId: string, deps: EvaluationDeps): Promise<void> {
  const alert = await deps.alerts.get(alertId);
  if (!alert) return;
  const initial = await loadEpisode(alert.ruleId, alert.deviceId, deps);
  let open = false;
  const step = (state: EpisodeState) => {
    open = hasOpen(state, alert.id);
    return acknowledgeEpisode(state, alert, deps.now());
  };
  if (await advance(initial, step, deps, { leftMs: 0 })) return;
  if (!open) await pushChange((await deps.alerts.get(alertId)) ?? alert, deps);
}

/** The episode of a rule and device as stored (a new one when it never was). */
async function loadEpisode(
  ruleId: string,
  deviceId: string,
  deps: EvaluationDeps,
): Promise<EpisodeState> {
  const states = await deps.episodes.loadMany([{ ruleId, deviceId }]);
  return states.get(episodeKey(ruleId, deviceId)) ?? newEpisode(ruleId, deviceId);
}

/** Tells subscribers of an alert's change made outside evaluation (its acknowledgement). */
async function pushChange(alert: Alert, deps: EvaluationDeps): Promise<void> {
  try {
    await deps.publisher.publish(alert);
  } catch (error) {
    deps.metrics.add('NotificationsFailed', 1, 'push');
    throw error;
  }
  deps.metrics.add('NotificationsSent', 1, 'push');
}

/**
 * A rule was deleted or disabled: resolve every alert it has open. An episode that cannot be
 * moved now does not hold up the others; the call then fails, so the work is retried.
 */
export async function closeRule(ruleId: string, deps: EvaluationDeps): Promise<void> {
  const errors: unknown[] = [];
  const states = await deps.episodes.listForRule(ruleId);
  await forEachAtMost(states, EPISODES_AT_ONCE, async (state) => {
    try {
      await advance(state, (s) => closeEpisode(s, deps.now(), RULE_CLOSED), deps, { leftMs: 0 });
    } catch (error) {
      errors.push(error);
    }
  });
  if (errors.length > 0) {
    throw new AggregateError(errors, `${errors.length} of rule ${ruleId}'s episodes not closed`);
  }
}

/**
 * Releases the alerts held by silences and maintenance windows that are no longer active
 * (ended, expired, deleted, or a window between its periods): of one mute, or of all. Each
 * held alert gets one UNSILENCED notification through its episode's outbox — its state now,
 * still firing, or resolved meanwhile when the mute's `notifyResolved` says so — unless
 * another active mute holds it by then (delivery decides that again). The notification's key
 * names the hold (its mute and time), so a release retried after a crash sends nothing twice.
 * Returns how many alerts were released and the errors of those that could not be now,
 * which do not hold up the others; the next check retries them.
 */
export async function releaseHeld(
  deps: EvaluationDeps,
  muteId?: string,
): Promise<{ released: number; errors: unknown[] }> {
  const held = await deps.alerts.held(muteId);
  if (held.length === 0) return { released: 0, errors: [] };
  const ended = await endedMutes(new Set(held.map((hold) => hold.muteId)), deps);
  const due = held.filter((hold) => ended.has(hold.muteId));
  let released = 0;
  const errors: unknown[] = [];
  await forEachAtMost(due, EPISODES_AT_ONCE, async (hold) => {
    try {
      await release(hold, ended.get(hold.muteId) ?? null, deps);
      released++;
    } catch (error) {
      errors.push(error);
    }
  });
  return { released, errors };
}

/**
 * Of these mutes, those not active now, by id: null for one that is gone (deleted). A mute
 * the worker's set does not hold is read from the store: it may be newer than the set.
 */
async function endedMutes(
  ids: ReadonlySet<string>,
  deps: EvaluationDeps,
): Promise<Map<string, Mute | null>> {
  const mutes = await deps.mutes();
  const now = deps.now();
  const ended = new Map<string, Mute | null>();
  await Promise.all(
    [...ids].map(async (id) => {
      const held = mutes.get(id, now);
      if (held) {
        if (!held.active) ended.set(id, held);
        return;
      }
      const stored = await deps.muteStore.get(id);
      if (!stored) ended.set(id, null);
      else if (!stored.active(now)) ended.set(id, stored);
    }),
  );
  return ended;
}

/** One held alert's release; `mute` is null when it was deleted (its resolutions are sent). */
async function release(hold: HeldAlert, mute: Mute | null, deps: EvaluationDeps): Promise<void> {
  const alert = await deps.alerts.get(hold.alertId);
  if (alert && (alert.status !== 'RESOLVED' || (mute?.notifyResolved ?? true))) {
    const key = `UNSILENCED@${hold.muteId}@${hold.heldAt}:${alert.id}`;
    const initial = await loadEpisode(hold.ruleId, hold.deviceId, deps);
    const step = (state: EpisodeState): Step => {
      if (state.outbox.some((notification) => notification.key === key)) {
        return { state, changed: false };
      }
      // Still open in the episode: its copy there is the alert as it stands.
      const current = [state.open, state.noData].find((open) => open?.id === alert.id) ?? alert;
      const notification: Notification = { key, kind: 'UNSILENCED', alert: current };
      return { state: { ...state, outbox: [...state.outbox, notification] }, changed: true };
    };
    await advance(initial, step, deps, { leftMs: 0 });
  }
  await deps.alerts.unhold(hold.alertId, hold.muteId);
}

/** Fails a work message whose work was not all done, so it is retried. */
function throwIfAny({ errors }: { errors: unknown[] }, what: string): void {
  if (errors.length > 0) {
    throw new AggregateError(errors, `${errors.length} of ${what}'s held alerts not released`);
  }
}

/**
 * A device's labels changed (or it left the inventory): resolve its open alerts of selector
 * rules whose selector no longer holds for its labels now, saying why. Its firing alerts
 * name the candidates, so the cost is that of the device's open alerts, not of the rules.
 * An episode that cannot be moved now does not hold up the others; the call then fails, so
 * the work is retried.
 */
export async function resolveLeftSelectors(deviceId: string, deps: EvaluationDeps): Promise<void> {
  const [index, devices] = await Promise.all([deps.rules(), freshDevices(deps, [deviceId])]);
  const labels = devices.get(deviceId)?.labels ?? noLabels;
  const ruleIds = new Set<string>();
  let token: string | null = null;
  do {
    const request = pageRequest({ limit: limits.maxPageSize, nextToken: token }, { deviceId });
    const page: Page<Alert> = await deps.alerts.active(deviceId, request);
    for (const alert of page.items) {
      const rule = index.get(alert.ruleId);
      if (rule?.selector && !selects(rule.selector, labels)) ruleIds.add(rule.id);
    }
    token = page.nextToken;
  } while (token !== null);
  if (ruleIds.size === 0) return;
  const states = await deps.episodes.loadMany([...ruleIds].map((ruleId) => ({ ruleId, deviceId })));
  const errors: unknown[] = [];
  await forEachAtMost([...states.values()], EPISODES_AT_ONCE, async (state) => {
    // The episode is reloaded by advance when it moved meanwhile; its rule is checked once
    // more here so that a device relabelled back into the selector keeps its alert.
    const rule = index.get(state.ruleId);
    if (!rule?.selector || selects(rule.selector, labels)) return;
    try {
      await advance(state, (s) => closeEpisode(s, deps.now(), LEFT_SELECTOR), deps, {
        leftMs: 0,
      });
    } catch (error) {
      errors.push(error);
    }
  });
  if (errors.length > 0) {
    throw new AggregateError(
      errors,
      `${errors.length} of device ${deviceId}'s episodes not resolved after its labels changed`,
    );
  }
}

/**
 * A rule's selector changed to `selector` (or an every-device rule took one): resolve its
 * open alerts of devices whose labels the new selector does not select, saying why. The
 * selector comes with the message, not from the rule index, which may not have the change
 * yet. The rule's episodes name the candidates (as closing a rule reads them), and only the
 * devices with an open alert are read. An episode that cannot be moved now does not hold up
 * the others; the call then fails, so the work is retried.
 */
export async function resolveLeftRuleTarget(
  ruleId: string,
  selector: LabelSelector,
  deps: EvaluationDeps,
): Promise<void> {
  // A flapping episode with nothing open is closed too, so that its flapping stops.
  const open = (await deps.episodes.listForRule(ruleId)).filter(
    (state) => state.open || state.noData || state.flapping,
  );
  if (open.length === 0) return;
  const devices = await freshDevices(
    deps,
    open.map((state) => state.deviceId),
  );
  const left = open.filter(
    (state) => !selects(selector, devices.get(state.deviceId)?.labels ?? noLabels),
  );
  const errors: unknown[] = [];
  await forEachAtMost(left, EPISODES_AT_ONCE, async (state) => {
    try {
      await advance(state, (s) => closeEpisode(s, deps.now(), LEFT_RULE_TARGET), deps, {
        leftMs: 0,
      });
    } catch (error) {
      errors.push(error);
    }
  });
  if (errors.length > 0) {
    throw new AggregateError(
      errors,
      `${errors.length} of rule ${ruleId}'s episodes not resolved after its selector changed`,
    );
  }
}

/**
 * The labels of the devices whose episodes of `rule` fall silent now (a NO_DATA alert about
 * to fire carries them): none to read on most checks.
 */
async function labelsOfFallingSilent(
  rule: IndexedRule,
  states: readonly EpisodeState[],
  deps: EvaluationDeps,
): Promise<ReadonlyMap<string, { labels: Labels }>> {
  if (rule.noDataSeconds === null) return new Map();
  const now = deps.now();
  const silent = states.filter(
    (state) => state.noData === null && checkTime(rule, state, now).state.noData !== null,
  );
  if (silent.length === 0) return new Map();
  return deps.devices.loadMany(silent.map((state) => state.deviceId));
}

/** The devices as the inventory has them now: the work that answers a label or selector change. */
function freshDevices(deps: EvaluationDeps, ids: readonly string[]) {
  return deps.devices.loadFresh ? deps.devices.loadFresh(ids) : deps.devices.loadMany(ids);
}

/** The distinct devices of a batch, in the order they first appear. */
function deviceIdsOf(readings: readonly Reading[]): string[] {
  const ids = new Set<string>();
  for (const reading of readings) ids.add(reading.deviceId);
  return [...ids];
}

/**
 * Moves one episode by `step`, storing it conditionally and retrying on a lost race, then
 * delivers its outbox. Returns whether the episode changed. The alerts its stored step
 * fired or resolved are counted (and told) here, once: a lost race decides nothing.
 */
async function advance(
  initial: EpisodeState,
  step: (state: EpisodeState) => Step,
  deps: EvaluationDeps,
  patience: Patience,
): Promise<boolean> {
  let state = initial;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const next = step(state);
    if (!next.changed) {
      if (state.outbox.length > 0) await deliver(state, deps, new Set(), patience);
      return false;
    }
    const saved = await deps.episodes.save(next.state, state.version);
    if (saved) {
      const pending = new Set(state.outbox.map((notification) => notification.key));
      const added = saved.outbox.filter((notification) => !pending.has(notification.key));
      const addedKeys = new Set(added.map((notification) => notification.key));
      for (const notification of added) decided(notification, deps);
      await deliver(saved, deps, addedKeys, patience);
      return true;
    }
    deps.metrics.add('EpisodeWriteConflicts', 1);
    const reloaded = await deps.episodes.loadMany([
      { ruleId: state.ruleId, deviceId: state.deviceId },
    ]);
    state = reloaded.get(episodeKey(state.ruleId, state.deviceId)) ?? state;
  }
  throw new ContentionError(`Episode ${state.ruleId}/${state.deviceId} kept changing; retry later`);
}

/** Counts an alert an episode's stored step fired or resolved (a repeat is neither). */
function decided(notification: Notification, deps: EvaluationDeps): void {
  const { alert } = notification;
  if (notification.kind === 'FIRING') {
    deps.metrics.add('AlertsFired', 1, alert.severity);
    deps.onAlertFired?.(alert);
  } else if (notification.kind === 'RESOLVED') {
    deps.metrics.add('AlertsResolved', 1, alert.severity);
  }
}

/** Runs `work` on every item, at most `limit` at a time; `work` handles its own errors. */
async function forEachAtMost<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function byEventTime(a: Reading, b: Reading): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
