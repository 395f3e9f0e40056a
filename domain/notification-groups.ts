import { createHash, randomUUID } from 'node:crypto';
import type { Alert } from './alert.ts';
import type { Notification, NotificationKind } from './episode.ts';
import { describeGroup } from './group-message.ts';
import type { Metrics } from './metrics.ts';
import type { GroupSender, NotificationGroupStore, WorkQueue } from './ports.ts';

/*
 * Grouped e-mail: the notifications of one rule (and of the values of its `groupBy` labels)
 * go out together, as one SNS message listing them all. The first notification into an empty
 * group waits `groupWaitSeconds` for others; then the group is sent, and then at most once per
 * `groupIntervalSeconds` while it receives more. Websocket pushes are not grouped.
 *
 * Durable at every step: `notify` returns once the notification is stored in its group (a
 * retry of the same notification adds nothing), the group's next message is scheduled by a
 * delayed `flushGroup` work message and, should that be lost, found overdue by the scheduled
 * check; a flush takes the group's lease, sends, records what it sent in one write, and only
 * then clears the entries. A crash loses no entry. The one window left: a crash after SNS
 * accepted a message and before that one write sends the message's entries again.
 */

/** How a rule groups its e-mails; null takes the deployment's default (GroupDefaults). */
export interface NotificationGrouping {
  readonly groupBy: readonly string[] | null;
  readonly groupWaitSeconds: number | null;
  readonly groupIntervalSeconds: number | null;
}

/** The deployment's defaults (settings GROUP_WAIT_SECONDS and GROUP_INTERVAL_SECONDS). */
export interface GroupDefaults {
  waitSeconds: number;
  intervalSeconds: number;
}

/** A group as its head records it, from the notification that reached it last. */
export interface GroupSettings {
  key: string;
  ruleId: string;
  /** The values of the rule's `groupBy` keys (an absent label has the value ''). */
  labels: readonly { key: string; value: string }[];
  waitSeconds: number;
  intervalSeconds: number;
}

/** What the store keeps of a group besides its entries. */
export interface GroupHead extends GroupSettings {
  /** When the next message is due (epoch ms); null while nothing waits. */
  flushAt: number | null;
  /** The group's last message plus its interval: no message before (epoch ms; 0 at first). */
  nextAllowedAt: number;
  /** Entries ever added: a flush tells from it whether more came while it sent. */
  added: number;
}

/** A notification waiting in its group. */
export interface GroupEntry {
  /** The notification's identity: its alert and its key (domain/episode.ts). */
  id: string;
  kind: NotificationKind;
  alert: Alert;
  /** When it was added (epoch ms). */
  addedAt: number;
}

/** One e-mail of a group, and what a subscription's filter policy can test of it. */
export interface GroupMessage {
  subject: string;
  body: string;
  ruleId: string;
  /** The worst severity of the alerts listed. */
  severity: Alert['severity'];
  /** The kinds of the notifications listed, each once. */
  kinds: NotificationKind[];
  /** The listed alerts' labels as `key=value`, each once, sorted, at most MAX_LABEL_VALUES. */
  labels: string[];
  /** The device, when every alert listed is of one device. */
  deviceId: string | null;
}

/** Entries one flush sends (in as many messages as they need); more go out right after. */
export const MAX_ENTRIES_PER_FLUSH = 5_000;
/** Groups one scheduled check flushes, and at once. */
const OVERDUE_PER_CHECK = 100;
const OVERDUE_AT_ONCE = 4;
/** SQS delays a message at most 15 minutes; a later flush is scheduled again on arrival. */
const MAX_DELAY_SECONDS = 900;
/** A flush message may arrive this early (SQS delays are whole seconds). */
const EARLY_TOLERANCE_MS = 500;

/**
 * The group of a notification: its rule and the values of the rule's `groupBy` keys in the
 * alert's labels (the device's at firing). A deleted or disabled rule (`rule` undefined)
 * groups by its id alone, with the defaults. The key is the rule id, then a hash of the
 * values, so it stays short whatever the labels.
 */
export function groupOf(
  alert: Alert,
  rule: NotificationGrouping | undefined,
  defaults: GroupDefaults,
): GroupSettings {
  const groupBy = rule?.groupBy ?? [];
  const values = new Map((alert.labels ?? []).map(({ key, value }) => [key, value]));
  const labels = groupBy.map((key) => ({ key, value: values.get(key) ?? '' }));
  const key =
    labels.length === 0
      ? alert.ruleId
      : `${alert.ruleId}#${createHash('sha256')
          .update(JSON.stringify(labels.map(({ key, value }) => [key, value])))
          .digest('hex')
          .slice(0, 32)}`;
  return {
    key,
    ruleId: alert.ruleId,
    labels,
    waitSeconds: rule?.groupWaitSeconds ?? defaults.waitSeconds,
    intervalSeconds: rule?.groupIntervalSeconds ?? defaults.intervalSeconds,
  };
}

/** A notification's identity in its group: a retry of it is the same entry. */
export function entryIdOf(notification: Notification): string {
  return `${notification.alert.id}/${notification.key}`;
}

/** The SQS delay that makes a message arrive at `at` (or at once), within SQS's 15 minutes. */
export function delaySecondsUntil(at: number, now: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}

export interface GroupingDeps {
  store: NotificationGroupStore;
  queue: WorkQueue;
  now: () => number;
}

/**
 * Adds a notification to its group, durably, and schedules the group's message when the
 * group was empty: not before `waitSeconds` from now, nor before the group's interval since
 * its last message has passed. A retry of a notification already added adds nothing; if it is
 * still waiting, its group's message is scheduled again (a second flush message is harmless:
 * the flush that finds nothing due does nothing).
 */
export async function addToGroup(
  notification: Notification,
  group: GroupSettings,
  deps: GroupingDeps,
): Promise<void> {
  const now = deps.now();
  const entry: GroupEntry = {
    id: entryIdOf(notification),
    kind: notification.kind,
    alert: notification.alert,
    addedAt: now,
  };
  const outcome = await deps.store.addEntry(group.key, entry);
  if (outcome === 'sent') return;
  const { head, scheduled } = await deps.store.noteAdded(group, now + group.waitSeconds * 1000);
  if (outcome === 'added' && !scheduled) return;
  let due = head.flushAt ?? now;
  if (scheduled && head.nextAllowedAt > due) {
    // The group sent a message less than its interval ago: the next waits for the interval.
    if (!(await deps.store.reschedule(group.key, due, head.nextAllowedAt))) return;
    due = head.nextAllowedAt;
  }
  await deps.queue.send({ type: 'flushGroup', groupKey: group.key }, delaySecondsUntil(due, now));
}

export interface FlushDeps extends GroupingDeps {
  sender: GroupSender;
  /** Counts the SNS messages sent and failed (channel `sns`). */
  metrics: Metrics;
  /**
   * How long a flush may take before another may send the group's message
   * (DELIVERY_LEASE_SECONDS); a group's message is overdue, for the scheduled check, this
   * long after it was due.
   */
  leaseMs: number;
}

/**
 * Sends a group's due message: everything waiting, as one SNS message (or several, when the
 * list outgrows one: describeGroup), then records it sent. Returns how many messages went out.
 * A group whose message is not due yet is scheduled again; one another flush holds, or with
 * nothing due, is left alone. Entries added while it sends go out at the group's interval.
 */
export async function flushGroup(groupKey: string, deps: FlushDeps): Promise<number> {
  const { store } = deps;
  const now = deps.now();
  const leased = await store.lease(groupKey, now, deps.leaseMs);
  if (!leased) return 0;
  const { head, lease } = leased;
  const due = head.flushAt ?? now;
  if (due > now + EARLY_TOLERANCE_MS) {
    await store.unlease(groupKey, lease);
    await deps.queue.send({ type: 'flushGroup', groupKey }, delaySecondsUntil(due, now));
    return 0;
  }
  const [records, pending] = await Promise.all([
    store.sentRecords(groupKey),
    store.pending(groupKey, MAX_ENTRIES_PER_FLUSH),
  ]);
  // What an earlier flush sent but did not clear: cleared now, never sent again.
  const sentBefore = new Set<string>();
  for (const record of records) {
    await store.clearSent(groupKey, record.messageId, record.entryIds);
    for (const id of record.entryIds) sentBefore.add(id);
  }
  const entries = pending.filter((entry) => !sentBefore.has(entry.id));
  const messages = describeGroup(head, entries);
  for (const { message, entryIds } of messages) {
    try {
      await deps.sender.send(message);
    } catch (error) {
      deps.metrics.add('NotificationsFailed', 1, 'sns');
      await store.unlease(groupKey, lease);
      throw error;
    }
    deps.metrics.add('NotificationsSent', 1, 'sns');
    const messageId = randomUUID();
    await store.recordSent(groupKey, messageId, entryIds);
    await store.clearSent(groupKey, messageId, entryIds);
  }
  const end = deps.now();
  const sentAt = messages.length > 0 ? end : null;
  const nextAllowedAt = sentAt === null ? head.nextAllowedAt : sentAt + head.intervalSeconds * 1000;
  const left = await store.release(groupKey, lease, {
    sentAt,
    nextAllowedAt,
    due: pending.length >= MAX_ENTRIES_PER_FLUSH ? end : null,
    addedAtLease: head.added,
    dueIfAdded: Math.max(end, nextAllowedAt),
  });
  if (typeof left === 'number') {
    await deps.queue.send({ type: 'flushGroup', groupKey }, delaySecondsUntil(left, end));
  }
  return messages.length;
}

/**
 * The safety net, run by the scheduled check: flushes the groups whose message is overdue
 * (its flush message lost, or its flush crashed and the lease ran out). Returns the messages
 * sent and the errors of the groups not flushed now, which the next check retries.
 */
export async function flushOverdueGroups(
  deps: FlushDeps,
): Promise<{ groups: number; sent: number; errors: unknown[] }> {
  const keys = await deps.store.overdue(deps.now() - deps.leaseMs, OVERDUE_PER_CHECK);
  const errors: unknown[] = [];
  let sent = 0;
  let next = 0;
  const lane = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      try {
        sent += await flushGroup(key, deps);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(OVERDUE_AT_ONCE, keys.length) }, lane));
  return { groups: keys.length, sent, errors };
}
