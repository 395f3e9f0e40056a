import type { Alert } from './alert.ts';
import type { EpisodeState, Notification } from './episode.ts';
import type { DimensionValue, Metrics } from './metrics.ts';
import type {
  AlertNotifier,
  AlertPublisher,
  AlertStore,
  EpisodeStore,
  Mute,
  MuteSet,
} from './ports.ts';
import { formatDateTime } from './time.ts';

/*
 * Delivering what an episode decided: each notification of its outbox by e-mail and to
 * subscribers, once, while several workers may meet the same outbox.
 */

export interface DeliveryDeps {
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
  /**
   * How long a worker's claim on sending one notification lasts (DELIVERY_LEASE_SECONDS):
   * past it, a worker that died mid-send is taken as gone and another sends.
   */
  deliveryLeaseMs: number;
  /** Counts notifications sent and failed, by channel (noMetrics where nobody watches). */
  metrics: Metrics;
  /**
   * The silences and maintenance windows in force (domain/silences.ts): a notification they
   * match is recorded and pushed, but its e-mail is held until they end.
   */
  mutes: () => Promise<MuteSet>;
}

/**
 * What becomes of a notification's e-mail: sent (to its group, adapters/grouping-notifier.ts),
 * held by a silence or maintenance window until it ends, dropped because the episode is
 * flapping (the FLAPPING and FLAPPING_STOPPED notifications say what people need to know),
 * or none at all: an acknowledgement is news for subscribers, not an e-mail.
 */
export type EmailDecision =
  | { action: 'send' }
  | { action: 'hold'; mute: Mute }
  | { action: 'skip'; why: 'flapping' | 'pushOnly' };

/** Single fire, resolve, latch and repeat notifications are what flapping replaces. */
const REPLACED_BY_FLAPPING = new Set<Notification['kind']>([
  'FIRING',
  'RESOLVED',
  'REPEAT',
  'LATCHED',
]);
/** Notifications pushed to subscribers and never e-mailed. */
const PUSH_ONLY = new Set<Notification['kind']>(['ACKNOWLEDGED']);

/**
 * Decides a notification's e-mail at `now`. A silence or window holds every kind of
 * notification of the alerts it matches, so a mute's end is what tells people (the release,
 * domain/evaluation.ts); flapping drops only single fire, resolve and repeat notifications.
 */
export function emailDecision(
  notification: Notification,
  mutes: MuteSet,
  now: number,
): EmailDecision {
  if (PUSH_ONLY.has(notification.kind)) return { action: 'skip', why: 'pushOnly' };
  const mute = mutes.mutedBy(notification.alert, now);
  if (mute) return { action: 'hold', mute };
  if (notification.alert.flapping && REPLACED_BY_FLAPPING.has(notification.kind)) {
    return { action: 'skip', why: 'flapping' };
  }
  return { action: 'send' };
}

/**
 * The alert as recorded and pushed with the decision: marked silenced while a mute holds it.
 * A push-only notification leaves the marks as they are stored.
 */
function markedAlert(alert: Alert, decision: EmailDecision): Alert {
  if (decision.action === 'skip' && decision.why === 'pushOnly') {
    const { silenced: _silenced, silenceId: _silenceId, ...unmarked } = alert;
    return unmarked;
  }
  const mute = decision.action === 'hold' ? decision.mute : null;
  return { ...alert, silenced: mute !== null, silenceId: mute?.id ?? null };
}

/** Pauses, in ms, while a worker waits on a delivery another worker has in hand. */
const WAITS_FOR_OTHER_WORKER_MS = [20, 40, 80, 160, 320, 640];

/**
 * How long in all one batch of readings waits on other workers' deliveries (the sum of the
 * pauses above, once); the scheduled check and closing a rule do not wait: they are retried.
 */
export const PATIENCE_PER_BATCH_MS = 1_260;

/** What is left of the time a call may spend waiting on other workers. */
export interface Patience {
  leftMs: number;
}

/** Another worker is delivering a notification; the readings will be retried after it. */
export class DeliveryInProgressError extends Error {
  override readonly name = 'DeliveryInProgressError';
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
export async function deliver(
  state: EpisodeState,
  deps: DeliveryDeps,
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
  const mutes = await deps.mutes();
  for (const notification of ordered) {
    if (held.has(notification.alert.id)) continue;
    try {
      const decision = emailDecision(notification, mutes, deps.now());
      const done = await deliverOne(
        { ...notification, alert: markedAlert(notification.alert, decision) },
        decision,
        added.has(notification.key),
        deps,
        patience,
      );
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
  decision: EmailDecision,
  addedHere: boolean,
  deps: DeliveryDeps,
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
      leaseMs: deps.deliveryLeaseMs,
    });
    const send = async (
      mark: string,
      channel: DimensionValue<'NotificationsSent'>,
      /** Resolves to false when it decided not to send (a held or dropped e-mail). */
      action: () => Promise<boolean | void>,
    ): Promise<boolean> => {
      if (delivered.has(mark)) return true;
      const mine =
        claimed.has(mark) ||
        (await deps.alerts.claimDelivery(alert.id, mark, deps.deliveryLeaseMs));
      if (!mine) {
        // Delivered meanwhile, or another worker holds it: give that worker a moment.
        const isDelivered = async () => (await deps.alerts.delivered(alert.id)).has(mark);
        return waitForOtherWorker(isDelivered, deps, patience);
      }
      let sent: boolean;
      try {
        sent = (await action()) !== false;
      } catch (error) {
        deps.metrics.add('NotificationsFailed', 1, channel);
        await deps.alerts.releaseClaim(alert.id, mark);
        throw error;
      }
      if (sent) deps.metrics.add('NotificationsSent', 1, channel);
      await deps.alerts.markDelivered(alert.id, mark);
      return true;
    };
    const results = await Promise.allSettled([
      send(marks.push, 'push', async () => {
        if (!early) return deps.publisher.publish(alert);
        const failure = await early;
        if (failure) throw failure.error;
      }),
      // The e-mail channel groups notifications; their SNS messages are counted as they go.
      send(marks.email, 'group', () => email({ ...notification, alert }, decision, deps)),
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
 * The e-mail channel of one notification, as decided: sent; or held — the alert is marked
 * held by the mute, which releases it when it ends — or dropped while flapping. Resolves to
 * whether it was sent.
 */
async function email(
  notification: Notification,
  decision: EmailDecision,
  deps: DeliveryDeps,
): Promise<boolean> {
  switch (decision.action) {
    case 'send':
      await deps.notifier.notify(notification);
      return true;
    case 'hold': {
      const { mute } = decision;
      await deps.alerts.hold(notification.alert.id, mute.id, formatDateTime(deps.now()));
      deps.metrics.add(
        'NotificationsMuted',
        1,
        mute.kind === 'SILENCE' ? 'silence' : 'maintenanceWindow',
      );
      return false;
    }
    case 'skip':
      if (decision.why === 'flapping') deps.metrics.add('NotificationsMuted', 1, 'flapping');
      return false;
  }
}

/**
 * Whether another worker's new alert may be delivered here: once that worker has recorded
 * it (its claims then guard each channel), or once it cannot be running any more.
 */
function firingWorkerDone(
  notification: Notification,
  deps: DeliveryDeps,
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
  deps: DeliveryDeps,
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
