import type { Alert } from './alert.ts';
import {
  applyReading,
  checkTime,
  closeEpisode,
  type EpisodeState,
  newEpisode,
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
}

/** How long a worker may take to send one notification before another may try. */
const DELIVERY_LEASE_MS = 60_000;

/** Optimistic writes that lose this many races in a row give up (the reading is retried). */
const MAX_ATTEMPTS = 5;

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
        await advance(states.get(key) ?? newEpisode(group.rule.id, group.deviceId), step, deps);
      } catch (error) {
        for (const reading of group.readings) failed.set(readingKey(reading), error);
      }
    }),
  );
  return failed;
}

/** The scheduled check: no-data and repeat notifications for every rule that has them. */
export async function checkEpisodes(rules: readonly Rule[], deps: EvaluationDeps): Promise<number> {
  let moved = 0;
  for (const rule of rules) {
    if (!rule.enabled || (rule.noDataSeconds === null && rule.repeatIntervalSeconds === null)) {
      continue;
    }
    for (const state of await deps.episodes.listForRule(rule.id)) {
      if (await advance(state, (s) => checkTime(rule, s, deps.now()), deps)) moved++;
    }
  }
  return moved;
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

/** A rule was deleted or disabled: resolve every alert it has open. */
export async function closeRule(ruleId: string, deps: EvaluationDeps): Promise<void> {
  for (const state of await deps.episodes.listForRule(ruleId)) {
    await advance(state, (s) => closeEpisode(s, deps.now()), deps);
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
): Promise<boolean> {
  let state = initial;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const next = step(state);
    if (!next.changed) {
      if (state.outbox.length > 0) await deliver(state, deps);
      return false;
    }
    const saved = await deps.episodes.save(next.state, state.version);
    if (saved) {
      await deliver(saved, deps);
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
 * Records each pending notification's alert and sends it by e-mail and to subscribers,
 * skipping channels already done for it (a retry after a crash resumes, it does not repeat).
 */
async function deliver(state: EpisodeState, deps: EvaluationDeps): Promise<void> {
  for (const notification of state.outbox) {
    const mark = (channel: string) => `${notification.key}:${channel}`;
    const { alert, delivered, claimed } = await deps.alerts.record(notification, {
      marks: [mark('email'), mark('push')],
      leaseMs: DELIVERY_LEASE_MS,
    });
    const send = async (channel: string, action: (a: Alert) => Promise<void>) => {
      const mark = `${notification.key}:${channel}`;
      if (delivered.has(mark)) return;
      const mine =
        claimed.has(mark) || (await deps.alerts.claimDelivery(alert.id, mark, DELIVERY_LEASE_MS));
      if (!mine) return;
      try {
        await action(alert);
      } catch (error) {
        await deps.alerts.releaseClaim(alert.id, mark);
        throw error;
      }
      await deps.alerts.markDelivered(alert.id, mark);
    };
    // The push first: subscribers are waiting on it, and the e-mail's SDK call would
    // otherwise be prepared before it.
    await Promise.all([
      send('push', (a) => deps.publisher.publish(a)),
      send('email', (a) => deps.notifier.notify(a)),
    ]);
  }
  await deps.episodes.clearOutbox(state);
}

function byEventTime(a: Reading, b: Reading): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
