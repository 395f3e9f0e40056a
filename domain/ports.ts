import type { AlertStatus } from '../generated/graphql.ts';
import type { Alert } from './alert.ts';
import type { Device, DeviceChange, DeviceFilter, DeviceHealth, DeviceSighting } from './device.ts';
import type { DeviceCredential, DeviceCredentialRecord } from './device-credential.ts';
import type { EpisodeState, Notification } from './episode.ts';
import type { LabelSelector } from './labels.ts';
import type { GroupEntry, GroupHead, GroupMessage, GroupSettings } from './notification-groups.ts';
import type { PageRequest } from './pagination.ts';
import type { Reading } from './reading.ts';
import type { Rule } from './rule.ts';
import type { RuleSource } from './rule-cache.ts';

/** One page of a newest-first listing; `nextToken` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

/** Time bounds of a listing, inclusive, as AWSDateTime strings. */
export interface TimeRange {
  from: string | null;
  to: string | null;
}

/** Hands accepted readings to the evaluation worker. Resolves only once they are durable. */
export interface ReadingQueue {
  /** Returns the indexes (into `readings`) that could not be enqueued, with the reason. */
  enqueue(readings: readonly Reading[]): Promise<Map<number, string>>;
}

export interface ReadingStore {
  /** Stores readings; the same device, id and timestamp stored again lists once. */
  saveMany(readings: readonly Reading[]): Promise<void>;
  list(
    query: { deviceId: string; metric: string | null } & TimeRange,
    page: PageRequest,
  ): Promise<Page<Reading>>;
}

/** Stored readings read for a replay (domain/backtest.ts), as they were stored: in blocks. */
export interface ReadingHistory {
  /**
   * One device's readings of one metric from `from` to `to` (inclusive), oldest first (time,
   * then id), each once, in chunks of about a stored block: a replay holds one chunk at a time.
   */
  oldestFirst(query: {
    deviceId: string;
    metric: string;
    from: string;
    to: string;
  }): AsyncIterable<readonly Reading[]>;
}

/**
 * Rules, and what changed of them (RuleSource): every write is stamped with its time and a
 * deletion leaves a tombstone, so a worker reads only the changes since its last refresh.
 */
export interface RuleStore extends RuleSource {
  create(rule: Rule): Promise<void>;
  get(id: string): Promise<Rule | null>;
  /** The rules of these ids that exist, by id (consistent reads). */
  getMany(ids: readonly string[]): Promise<Map<string, Rule>>;
  /** Replaces a rule that exists; false when it does not (deleted meanwhile). */
  replace(rule: Rule): Promise<boolean>;
  /** False when there was no such rule. */
  delete(id: string): Promise<boolean>;
  list(query: { deviceId: string | null }, page: PageRequest): Promise<Page<Rule>>;
  /** Every rule, newest first. */
  all(): Promise<Rule[]>;
}

/**
 * Device credentials, their secrets kept only as hashes. A hash leaves the store by one path
 * only, `findForVerification`, for the authorizer to check a token against.
 */
export interface DeviceCredentialStore {
  /** Stores a new credential; fails if one with its id exists already. */
  create(credential: DeviceCredential, secretHash: string): Promise<void>;
  /** The credential with its secret's hash, for the authorizer; null when there is none. */
  findForVerification(id: string): Promise<DeviceCredentialRecord | null>;
  /** Every credential, newest first, without hashes. */
  list(page: PageRequest): Promise<Page<DeviceCredential>>;
  /**
   * Marks the credential revoked and returns it; one revoked already keeps its first
   * `revokedAt` and `revokedBy`. Null when there is no such credential.
   */
  revoke(id: string, by: string, at: string): Promise<DeviceCredential | null>;
  /**
   * Records a use at `at`, unless a use was recorded less than `granularitySeconds` before
   * (or the credential is gone): true when it wrote. Concurrent requests write it once.
   */
  touch(id: string, at: string, granularitySeconds: number): Promise<boolean>;
}

/**
 * The device inventory (domain/device.ts). The worker records what each batch of stored
 * readings shows of its devices; people name, label and remove devices. The two write
 * different attributes of a device, so neither overwrites the other.
 */
export interface DeviceStore {
  /**
   * The devices of these ids that are in the inventory, by id; unknown ids are left out.
   * `consistent` reads what the last write left (at twice the read cost).
   */
  loadMany(ids: readonly string[], consistent?: boolean): Promise<Map<string, Device>>;
  /**
   * Creates the devices not in the inventory and moves the others' first and last seen and
   * latest values: at most one write per device, none when nothing moved by the granularity
   * (`planSighting`), and never a time backwards, whatever other workers write meanwhile.
   * `now` bounds the seen times. Rejects, once every device was tried, if some could not be
   * recorded.
   */
  recordSightings(sightings: readonly DeviceSighting[], now: number): Promise<void>;
  get(id: string): Promise<Device | null>;
  /** Devices by id, filtered; a page may hold fewer than `limit` items and still have a next. */
  list(filter: DeviceFilter, page: PageRequest): Promise<Page<Device>>;
  /** Names or labels a device; null when it is not in the inventory. */
  update(id: string, change: DeviceChange): Promise<Device | null>;
  /**
   * Removes a device from the inventory (not its readings), leaving a tombstone in the label
   * changes for a day; false when it was not there.
   */
  delete(id: string): Promise<boolean>;
  /**
   * The devices whose labels a person changed, or that were removed, at or after `since`
   * (epoch ms), oldest first: what a worker holding labels must read again.
   */
  labelsChangedSince(since: number): Promise<DeviceLabelChange[]>;
}

/** A device whose labels changed (or that was removed), and when, by its writer's clock. */
export interface DeviceLabelChange {
  id: string;
  changedAt: number;
}

/** What fires now for each device: its open alerts and their worst severity. */
export interface DeviceHealthSource {
  healthOf(deviceIds: readonly string[]): Promise<Map<string, DeviceHealth>>;
}

/** Where each (rule, device) lifecycle is kept between readings. */
export interface EpisodeStore {
  /** Current states (consistent reads); a pair never stored comes back as a new episode. */
  loadMany(
    keys: readonly { ruleId: string; deviceId: string }[],
  ): Promise<Map<string, EpisodeState>>;
  /**
   * Stores `state` only if the stored version is still `expectedVersion`, so two workers
   * cannot both move one episode. Returns the stored state (its version incremented), or
   * null when another writer got there first.
   */
  save(state: EpisodeState, expectedVersion: number): Promise<EpisodeState | null>;
  /** Forgets delivered notifications, unless the episode moved on meanwhile. */
  clearOutbox(state: EpisodeState): Promise<void>;
  listForRule(ruleId: string): Promise<EpisodeState[]>;
}

/** The key episodes are stored and grouped under. */
export function episodeKey(ruleId: string, deviceId: string): string {
  return `${ruleId}#${deviceId}`;
}

export interface AlertQuery extends TimeRange {
  deviceId: string | null;
  ruleId: string | null;
  status: AlertStatus | null;
}

export interface AlertStore {
  /**
   * Writes the alert as the notification describes it (idempotent; a firing never
   * overwrites a resolution) and returns the stored alert with the delivery channels
   * already done for this notification. When the alert is new, the same write also claims
   * `claim.marks` (nobody else can hold them yet), saving a claimDelivery per channel on
   * the path of every new alert; `claimed` says which marks it holds.
   */
  record(
    notification: Notification,
    claim?: { marks: readonly string[]; leaseMs: number },
  ): Promise<{ alert: Alert; delivered: ReadonlySet<string>; claimed: ReadonlySet<string> }>;
  /**
   * Takes the right to send one notification on one channel, for `leaseMs`: false when it
   * was delivered already or another worker holds it. Two workers meeting the same pending
   * notification thus send it once; one that crashed lets the lease run out and a retry sends.
   */
  claimDelivery(alertId: string, mark: string, leaseMs: number): Promise<boolean>;
  /** Gives a claim back after a failed send, so a retry need not wait for the lease. */
  releaseClaim(alertId: string, mark: string): Promise<void>;
  markDelivered(alertId: string, mark: string): Promise<void>;
  /** The marks delivered for the alert so far (none when there is no such alert). */
  delivered(alertId: string): Promise<ReadonlySet<string>>;
  get(id: string): Promise<Alert | null>;
  /**
   * Records who acknowledged the alert and when, unless someone did already (the first
   * acknowledgement is kept); returns the alert as stored, null when there is no such alert.
   * The alert's status is the worker's to change (domain/episode.ts `acknowledgeEpisode`).
   */
  acknowledge(id: string, by: string, at: string): Promise<Alert | null>;
  list(query: AlertQuery, page: PageRequest): Promise<Page<Alert>>;
  /** Alerts firing now, newest first. */
  active(deviceId: string | null, page: PageRequest): Promise<Page<Alert>>;
  /**
   * Marks the alert's notifications held by a silence or maintenance window (a notification
   * was not e-mailed because of it), and since when: `at` is kept while the same mute holds
   * it, and moves when another mute takes it over. False when there is no such alert.
   */
  hold(alertId: string, muteId: string, at: string): Promise<boolean>;
  /** Forgets the hold, unless another mute took the alert over meanwhile. */
  unhold(alertId: string, muteId: string): Promise<void>;
  /** Every held alert (of one mute, when given): what the release goes through. */
  held(muteId?: string): Promise<HeldAlert[]>;
}

/** An alert whose notifications a silence or maintenance window holds. */
export interface HeldAlert {
  alertId: string;
  ruleId: string;
  deviceId: string;
  muteId: string;
  /** When the mute took the alert's notifications (AWSDateTime). */
  heldAt: string;
}

/** Silences and maintenance windows as stored, for what a worker's MuteSet does not hold yet. */
export interface MuteStore {
  /** The mute of this id, read consistently; null when there is none (deleted). */
  get(id: string): Promise<(Mute & { active(at: number): boolean }) | null>;
}

/**
 * Tells people: the e-mail (SNS) channel. Called once per notification (its `key` is unique
 * per notification of an alert), possibly again after a crash: an implementation that keeps
 * state (grouping) treats a repeated key as the same notification.
 */
export interface AlertNotifier {
  notify(notification: Notification): Promise<void>;
}

/** A silence or a maintenance window: what may hold an alert's notifications. */
export interface Mute {
  id: string;
  kind: 'SILENCE' | 'MAINTENANCE_WINDOW';
  /**
   * Whether an alert that resolved while held sends its resolution when the mute ends
   * (default true).
   */
  notifyResolved: boolean;
}

/** The silences and maintenance windows a worker holds (domain/silences.ts), at one time. */
export interface MuteSet {
  /**
   * The silence or window active at `at` (epoch ms) whose matchers all hold for the alert,
   * null when none: called for every notification, so cheap at 10,000 silences.
   */
  mutedBy(alert: Alert, at: number): Mute | null;
  /**
   * The mute of this id as held, with whether it is active at `at`; null when it is not held
   * (unknown, deleted, or too new for this set: ask the store before taking it as gone).
   */
  get(id: string, at: number): (Mute & { active: boolean }) | null;
}

/** Tells programs: the `onAlert` subscription channel (AppSync `publishAlert`). */
export interface AlertPublisher {
  publish(alert: Alert): Promise<void>;
}

/**
 * Work for the evaluation worker besides readings, sent through the evaluation queue so that
 * all alert deliveries happen in one place.
 */
export type WorkMessage =
  /** A rule was deleted or disabled: resolve its open alerts. */
  | { type: 'closeRule'; ruleId: string }
  /**
   * An alert was acknowledged (its acknowledgement is stored with it): apply it to its
   * episode (a firing alert becomes ACKNOWLEDGED, a latched one resolves) and tell
   * subscribers. Messages of the type `pushAlert`, sent before, are read as this.
   */
  | { type: 'acknowledgeAlert'; alertId: string }
  /**
   * `by` reset the alert at `at` (AWSDateTime): resolve it and return its episode to normal
   * (domain/episode.ts `resetEpisode`), unless it resolved meanwhile.
   */
  | { type: 'resetAlert'; alertId: string; by: string; at: string }
  /**
   * A device's labels changed (or it left the inventory): resolve its open alerts of
   * selector rules that no longer select it.
   */
  | { type: 'deviceLabelsChanged'; deviceId: string }
  /**
   * A rule's selector changed (or an every-device rule took one): resolve its open alerts of
   * devices the new selector does not select. The message carries the new selector, so the
   * worker does not depend on a rule cache that may not have the change yet.
   */
  | { type: 'ruleTargetChanged'; ruleId: string; selector: LabelSelector }
  /**
   * A silence was expired or a maintenance window deleted: release the alerts it held now,
   * rather than at the next scheduled check.
   */
  | { type: 'releaseMute'; muteId: string }
  /** A notification group's next e-mail is due (domain/notification-groups.ts). */
  | { type: 'flushGroup'; groupKey: string };

export interface WorkQueue {
  /** Hands the worker a piece of work, at once or `delaySeconds` later (at most 900). */
  send(message: WorkMessage, delaySeconds?: number): Promise<void>;
}

/**
 * The e-mail channel's notification groups (domain/notification-groups.ts), kept durably: a
 * notification is added before `notify` returns, and a flush that takes the group's lease
 * sends what waits, then records it sent.
 */
export interface NotificationGroupStore {
  /**
   * Adds a notification to its group, once: `added` the first time; for a retry of the same
   * notification (an entry of that id was added before), `pending` while it waits to be sent
   * (completing an add a crash cut short) and `sent` once it went out.
   */
  addEntry(groupKey: string, entry: GroupEntry): Promise<'added' | 'pending' | 'sent'>;
  /**
   * Tells the group's head of an entry added: it counts the add and, when no message is
   * due (the group was empty), makes `flushAt` (epoch ms) the time one is. Returns the
   * head as it is now and whether this call set the time.
   */
  noteAdded(
    group: GroupSettings,
    flushAt: number,
  ): Promise<{ head: GroupHead; scheduled: boolean }>;
  /** Moves the due time from `from` to `to`, unless it changed meanwhile; false then. */
  reschedule(groupKey: string, from: number, to: number): Promise<boolean>;
  /**
   * Takes the right to send the group's due message for `leaseMs`: null when no message is
   * due or another flush holds it. The lease is the token `release` needs.
   */
  lease(
    groupKey: string,
    now: number,
    leaseMs: number,
  ): Promise<{ head: GroupHead; lease: number } | null>;
  /** Gives the lease back, leaving the due time as it is. */
  unlease(groupKey: string, lease: number): Promise<void>;
  /** The entries waiting to be sent, at most `limit` (consistent reads). */
  pending(groupKey: string, limit: number): Promise<GroupEntry[]>;
  /**
   * The messages sent whose entries are not yet all cleared (a flush ended between the two):
   * their ids and the entries they listed.
   */
  sentRecords(groupKey: string): Promise<{ messageId: string; entryIds: string[] }[]>;
  /** Records that a message listing these entries went out: one write. */
  recordSent(groupKey: string, messageId: string, entryIds: readonly string[]): Promise<void>;
  /** Removes the sent entries from the pending ones, then the record itself. */
  clearSent(groupKey: string, messageId: string, entryIds: readonly string[]): Promise<void>;
  /**
   * Ends a flush holding `lease`. With `due` null, no message is due any more, unless an entry
   * was added since the lease (the head's count moved past `addedAtLease`): then the next one
   * is due at `dueIfAdded`. Returns the due time it left (null: none), or undefined when the
   * lease was lost to another flush, which then owns the group.
   */
  release(
    groupKey: string,
    lease: number,
    outcome: {
      sentAt: number | null;
      nextAllowedAt: number;
      due: number | null;
      addedAtLease: number;
      dueIfAdded: number;
    },
  ): Promise<number | null | undefined>;
  /** Groups whose message was due before `before`, oldest first, at most `limit`. */
  overdue(before: number, limit: number): Promise<string[]>;
}

/** Sends one group message: the SNS topic that e-mails on-call people. */
export interface GroupSender {
  send(message: GroupMessage): Promise<void>;
}
