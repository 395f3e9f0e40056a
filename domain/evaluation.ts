import {
  applyReading,
  checkTime,
  closeEpisode,
  type EpisodeState,
  newEpisode,
  type Notification,
  type Step,
} from './episode.ts';
import {
  type AlertNotifier,
  type AlertPublisher,
  type AlertStore,
  type EpisodeStore,
  episodeKey,
  type ReadingStore,
  type WorkMessage,
} from './ports.ts';
import { readingKey } from './queue-message.ts';
import type { Reading } from './reading.ts';
import type { Rule } from './rule.ts';
import type { RuleIndex } from './rule-index.ts';

export interface EvaluationDeps {
  readings: ReadingStore;
  rules: () => Promise<RuleIndex>;
  episodes: EpisodeStore;
  alerts: AlertStore;
  notifier: AlertNotifier;
  publisher: AlertPublisher;
  now: () => number;
  /** Waits `ms`: a worker gives another a moment to finish a delivery it has in hand. */
  sleep: (ms: number) => Promise<void>;
  /**
   * How long a new alert stays its firing worker's alone to deliver while it is not yet
   * recorded; past it, that worker is taken as gone. See `deliver`.
   */
  firingWindowMs: number;
}

/** Pauses, in ms, while a worker waits on a delivery another worker has in hand. */
const WAITS_FOR_OTHER_WORKER_MS = [20, 40, 80, 160, 320, 640];

/**
 * How long in all one batch of readings waits on other workers' deliveries (the sum of the
 * pauses above, once); the scheduled check and closing a rule do not wait: they are retried.
 */
const PATIENCE_PER_BATCH_MS = 1_260;

/** What is left of the time a call may spend waiting on other workers. */
interface Patience {
  leftMs: number;
}

/** How long a worker may take to send one notification before another may try. */
const DELIVERY_LEASE_MS = 60_000;

/** Optimistic writes that lose this many races in a row give up (the reading is retried). */
const MAX_ATTEMPTS = 5;

/** Another worker kept moving the same episode; the readings will be retried. */
export class ContentionError extends Error {
  override readonly name = 'ContentionError';
}

/** Another worker is delivering a notification; the readings will be retried after it. */
export class DeliveryInProgressError extends Error {
  override readonly name = 'DeliveryInProgressError';
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
    () => null,
    (error: unknown) => ({ error }),
  );
  // Never leave the write running past the invocation, whatever evaluation did.
  const [evaluated, storeFailure] = await Promise.all([evaluating, stored]);
  if (storeFailure) throw storeFailure.error;
  if ('error' in evaluated) throw evaluated.error;
  return evaluated.failed;
}

async function evaluate(
  readings: readonly Reading[],
  deps: EvaluationDeps,
): Promise<Map<string, unknown>> {
  const index = await deps.rules();
  const groups = new Map<string, { rule: Rule; deviceId: string; readings: Reading[] }>();
  for (const reading of readings) {
    for (const rule of index.matching(reading.deviceId, reading.metric)) {
      const key = episodeKey(rule.id, reading.deviceId);
      const group = groups.get(key);
      if (group) group.readings.push(reading);
      else groups.set(key, { rule, deviceId: reading.deviceId, readings: [reading] });
    }
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
          const next = applyReading(group.rule, current.state, reading, deps.now());
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
 * The scheduled check: no-data and repeat notifications for every rule that has them.
 * Returns how many episodes moved and the errors of those that could not be moved now,
 * which do not hold up the others; the next check retries them.
 */
export async function checkEpisodes(
  rules: readonly Rule[],
  deps: EvaluationDeps,
): Promise<{ moved: number; errors: unknown[] }> {
  let moved = 0;
  const errors: unknown[] = [];
  for (const rule of rules) {
    if (!rule.enabled || (rule.noDataSeconds === null && rule.repeatIntervalSeconds === null)) {
      continue;
    }
    for (const state of await deps.episodes.listForRule(rule.id)) {
      try {
        if (await advance(state, (s) => checkTime(rule, s, deps.now()), deps, { leftMs: 0 })) {
          moved++;
        }
      } catch (error) {
        errors.push(error);
      }
    }
  }
  return { moved, errors };
}

/** Runs a work message: the changes to alerts that do not come from readings. */
export async function runWork(message: WorkMessage, deps: EvaluationDeps): Promise<void> {
  switch (message.type) {
    case 'closeRule':
      return closeRule(message.ruleId, deps);
    case 'pushAlert': {
      const alert = await deps.alerts.get(message.alertId);
      if (alert) await deps.publisher.publish(alert);
      return;
    }
  }
}

/**
 * A rule was deleted or disabled: resolve every alert it has open. An episode that cannot be
 * moved now does not hold up the others; the call then fails, so the work is retried.
 */
export async function closeRule(ruleId: string, deps: EvaluationDeps): Promise<void> {
  const errors: unknown[] = [];
  for (const state of await deps.episodes.listForRule(ruleId)) {
    try {
      await advance(state, (s) => closeEpisode(s, deps.now()), deps, { leftMs: 0 });
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) {
    throw new AggregateError(errors, `${errors.length} of rule ${ruleId}'s episodes not closed`);
  }
}

/**
 * Moves one episode by `step`, storing it conditionally and retrying on a lost race, then
 * delivers its outbox. Returns whether the episode changed.
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
      await deliver(saved, deps, addedKeys, patience);
      return true;
    }
    const reloaded = await deps.episodes.loadMany([
      { ruleId: state.ruleId, deviceId: state.deviceId },
    ]);
    state = reloaded.get(episodeKey(state.ruleId, state.deviceId)) ?? state;
  }
  throw new ContentionError(`Episode ${state.ruleId}/${state.deviceId} kept changing; retry later`);
}

/**
 * Sends each pending notification by e-mail and to subscribers, skipping channels already
 * done for it (a retry after a crash resumes, it does not repeat), then empties the outbox.
 *
 * A new alert's push is what subscribers wait for, so the worker whose write `added` a
 * FIRING notification pushes it first thing, while it records the alert, rather than after.
 * Until the alert is recorded (with that worker's claims on both channels) no other worker
 * may deliver it, unless `firingWindowMs` has passed since it fired: its worker is gone.
 * A worker that meets a notification another worker has in hand waits a moment for it
 * (`patience`); if it is still not delivered, it is left in the outbox, with any later
 * notification of the same alert (a resolution never overtakes its firing), and this call
 * fails, so the readings are retried once that worker is done or gone. A notification that
 * fails holds back only its own alert's: the others are still delivered.
 */
async function deliver(
  state: EpisodeState,
  deps: EvaluationDeps,
  added: ReadonlySet<string>,
  patience: Patience,
): Promise<void> {
  const isNewFiring = (n: Notification) => n.kind === 'FIRING' && added.has(n.key);
  const ordered = [
    ...state.outbox.filter(isNewFiring),
    ...state.outbox.filter((n) => !isNewFiring(n)),
  ];
  const held = new Set<string>();
  const errors: unknown[] = [];
  for (const notification of ordered) {
    if (held.has(notification.alert.id)) continue;
    try {
      const done = await deliverOne(notification, added.has(notification.key), deps, patience);
      if (!done) held.add(notification.alert.id);
    } catch (error) {
      errors.push(error);
      held.add(notification.alert.id);
    }
  }
  if (errors.length > 0) throw errors[0];
  if (held.size > 0) {
    throw new DeliveryInProgressError(
      `Another worker is delivering alert ${[...held].join(', ')}; retry when it is done`,
    );
  }
  await deps.episodes.clearOutbox(state);
}

/** Delivers one notification on both channels; false while another worker is doing so. */
async function deliverOne(
  notification: Notification,
  addedHere: boolean,
  deps: EvaluationDeps,
  patience: Patience,
): Promise<boolean> {
  const marks = { email: `${notification.key}:email`, push: `${notification.key}:push` };
  const firing = notification.kind === 'FIRING';
  if (firing && !addedHere && !(await firingWorkerDone(notification, deps, patience))) {
    return false;
  }
  const early = firing && addedHere ? settle(deps.publisher.publish(notification.alert)) : null;
  try {
    const { alert, delivered, claimed } = await deps.alerts.record(notification, {
      marks: [marks.email, marks.push],
      leaseMs: DELIVERY_LEASE_MS,
    });
    const send = async (mark: string, action: () => Promise<void>): Promise<boolean> => {
      if (delivered.has(mark)) return true;
      const mine =
        claimed.has(mark) || (await deps.alerts.claimDelivery(alert.id, mark, DELIVERY_LEASE_MS));
      if (!mine) {
        // Delivered meanwhile, or another worker holds it: give that worker a moment.
        const isDelivered = async () => (await deps.alerts.delivered(alert.id)).has(mark);
        return waitForOtherWorker(isDelivered, deps, patience);
      }
      try {
        await action();
      } catch (error) {
        await deps.alerts.releaseClaim(alert.id, mark);
        throw error;
      }
      await deps.alerts.markDelivered(alert.id, mark);
      return true;
    };
    const results = await Promise.allSettled([
      send(marks.push, async () => {
        if (!early) return deps.publisher.publish(alert);
        const failure = await early;
        if (failure) throw failure.error;
      }),
      send(marks.email, () => deps.notifier.notify(alert)),
    ]);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    return results.every((result) => result.status === 'fulfilled' && result.value);
  } finally {
    // Never leave the early push running past the invocation, whatever happened here.
    await early;
  }
}

/**
 * Whether another worker's new alert may be delivered here: once that worker has recorded
 * it (its claims then guard each channel), or once it cannot be running any more.
 */
function firingWorkerDone(
  notification: Notification,
  deps: EvaluationDeps,
  patience: Patience,
): Promise<boolean> {
  const gone = Date.parse(notification.alert.firedAt) + deps.firingWindowMs;
  return waitForOtherWorker(
    async () => deps.now() >= gone || (await deps.alerts.get(notification.alert.id)) !== null,
    deps,
    patience,
  );
}

/** Checks, and checks again after each pause while the answer is no and patience lasts. */
async function waitForOtherWorker(
  check: () => Promise<boolean>,
  deps: EvaluationDeps,
  patience: Patience,
): Promise<boolean> {
  if (await check()) return true;
  for (const pause of WAITS_FOR_OTHER_WORKER_MS) {
    if (patience.leftMs < pause) return false;
    patience.leftMs -= pause;
    await deps.sleep(pause);
    if (await check()) return true;
  }
  return false;
}

/** A promise's outcome as a value: null when it succeeded, so awaiting it never throws. */
function settle(promise: Promise<void>): Promise<{ error: unknown } | null> {
  return promise.then(
    () => null,
    (error: unknown) => ({ error }),
  );
}

function byEventTime(a: Reading, b: Reading): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
