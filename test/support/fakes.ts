import type { Alert } from '../../domain/alert.ts';
import {
  afterSighting,
  type Device,
  type DeviceChange,
  type DeviceFilter,
  type DeviceSighting,
  passesFilter,
  planSighting,
  seenMarks,
} from '../../domain/device.ts';
import { type EpisodeState, newEpisode, type Notification } from '../../domain/episode.ts';
import {
  isAtRest,
  type OpenEpisodeChange,
  type OpenEpisodeFeed,
} from '../../domain/open-episodes.ts';
import { nextToken, type PageRequest } from '../../domain/pagination.ts';
import {
  type AlertNotifier,
  type AlertPublisher,
  type AlertQuery,
  type AlertStore,
  type DeviceLabelChange,
  type DeviceStore,
  type EpisodeStore,
  episodeKey,
  type HeldAlert,
  type Mute,
  type MuteSet,
  type MuteStore,
  type Page,
  type ReadingQueue,
  type ReadingStore,
} from '../../domain/ports.ts';
import type { Reading } from '../../domain/reading.ts';

/** In-memory stand-ins for the ports, for unit tests of the domain. */

export class FakeQueue implements ReadingQueue {
  readonly sent: Reading[] = [];
  /** Positions (in a call's input) the queue refuses. */
  refuse = new Set<number>();

  async enqueue(readings: readonly Reading[]): Promise<Map<number, string>> {
    const failed = new Map<number, string>();
    readings.forEach((reading, index) => {
      if (this.refuse.has(index)) failed.set(index, 'ServiceUnavailable');
      else this.sent.push(reading);
    });
    return failed;
  }
}

export class FakeReadingStore implements ReadingStore {
  readonly items = new Map<string, Reading>();
  async saveMany(readings: readonly Reading[]): Promise<void> {
    for (const reading of readings) this.items.set(`${reading.deviceId}#${reading.id}`, reading);
  }
  async list(): Promise<Page<Reading>> {
    return { items: [...this.items.values()], nextToken: null };
  }
}

/**
 * Episodes with the conditional-write semantics of the real store; shareable by "workers".
 * Its index of episodes not at rest is stamped by `now` and complete unless told otherwise.
 */
export class FakeEpisodeStore implements EpisodeStore, OpenEpisodeFeed {
  readonly items = new Map<string, EpisodeState>();
  /** The index of episodes not at rest: key → when they left rest, and at which version. */
  readonly filed = new Map<string, { at: number; version: number }>();
  indexComplete = true;
  now: () => number = Date.now;
  /** Called before each save, to let a test slip in a competing write. */
  beforeSave: (() => Promise<void>) | null = null;

  async loadMany(keys: readonly { ruleId: string; deviceId: string }[]) {
    const states = new Map<string, EpisodeState>();
    for (const { ruleId, deviceId } of keys) {
      const key = episodeKey(ruleId, deviceId);
      states.set(key, structuredClone(this.items.get(key) ?? newEpisode(ruleId, deviceId)));
    }
    return states;
  }
  async save(state: EpisodeState, expectedVersion: number): Promise<EpisodeState | null> {
    const hook = this.beforeSave;
    this.beforeSave = null;
    if (hook) await hook();
    const key = episodeKey(state.ruleId, state.deviceId);
    if ((this.items.get(key)?.version ?? 0) !== expectedVersion) return null;
    const stored = structuredClone({ ...state, version: expectedVersion + 1 });
    this.items.set(key, stored);
    if (isAtRest(stored)) this.filed.delete(key);
    else if (!this.filed.has(key)) this.filed.set(key, { at: this.now(), version: stored.version });
    return structuredClone(stored);
  }
  async clearOutbox(state: EpisodeState): Promise<void> {
    const key = episodeKey(state.ruleId, state.deviceId);
    const current = this.items.get(key);
    if (current && current.version === state.version) current.outbox = [];
    if (current && isAtRest(current)) this.filed.delete(key);
  }
  async openIndexComplete(): Promise<boolean> {
    return this.indexComplete;
  }
  async openSince(since: number | null): Promise<OpenEpisodeChange[]> {
    return [...this.filed]
      .filter(([, { at }]) => since === null || at >= since)
      .map(([key, { at, version }]) => {
        const { ruleId, deviceId } = this.items.get(key) as EpisodeState;
        return { id: key, ruleId, deviceId, version, changedAt: at };
      });
  }
  async fileUnfiled(_options: { budgetMs: number; settleMs: number }): Promise<number> {
    this.indexComplete = true;
    return 0;
  }
  async listForRule(ruleId: string): Promise<EpisodeState[]> {
    return [...this.items.values()]
      .filter((s) => s.ruleId === ruleId)
      .map((s) => structuredClone(s));
  }
}

export class FakeAlertStore implements AlertStore {
  readonly items = new Map<string, { alert: Alert; delivered: Set<string> }>();
  async record(notification: Notification, claim?: { marks: readonly string[]; leaseMs: number }) {
    const existing = this.items.get(notification.alert.id);
    const claimed = new Set<string>();
    // As the real store: only a new alert's FIRING notification claims, in the same write.
    if (claim && !existing && notification.kind === 'FIRING') {
      for (const mark of claim.marks) {
        this.claims.set(`${notification.alert.id} ${mark}`, Date.now() + claim.leaseMs);
        claimed.add(mark);
      }
    }
    // As the real store: a resolution is final, and an open alert only moves forward.
    const before = existing?.alert.status;
    const after = notification.alert.status;
    if (
      existing &&
      ((before === 'RESOLVED' && after !== 'RESOLVED') ||
        (before === 'ACKNOWLEDGED' && (after === 'FIRING' || after === 'LATCHED')))
    ) {
      return {
        alert: existing.alert,
        delivered: new Set([`${notification.key}:email`, `${notification.key}:push`]),
        claimed,
      };
    }
    const alert = {
      ...notification.alert,
      acknowledgedAt: existing?.alert.acknowledgedAt ?? null,
      acknowledgedBy: existing?.alert.acknowledgedBy ?? null,
    };
    const entry = { alert, delivered: existing?.delivered ?? new Set<string>() };
    this.items.set(alert.id, entry);
    return { alert, delivered: new Set(entry.delivered), claimed };
  }
  readonly claims = new Map<string, number>();
  async claimDelivery(alertId: string, mark: string, leaseMs: number): Promise<boolean> {
    const key = `${alertId} ${mark}`;
    if (this.items.get(alertId)?.delivered.has(mark)) return false;
    if ((this.claims.get(key) ?? 0) > Date.now()) return false;
    this.claims.set(key, Date.now() + leaseMs);
    return true;
  }
  async releaseClaim(alertId: string, mark: string): Promise<void> {
    this.claims.delete(`${alertId} ${mark}`);
  }
  async markDelivered(alertId: string, mark: string): Promise<void> {
    this.items.get(alertId)?.delivered.add(mark);
  }
  async delivered(alertId: string): Promise<ReadonlySet<string>> {
    return new Set(this.items.get(alertId)?.delivered);
  }
  async get(id: string): Promise<Alert | null> {
    return this.items.get(id)?.alert ?? null;
  }
  async acknowledge(id: string, by: string, at: string): Promise<Alert | null> {
    const entry = this.items.get(id);
    if (!entry) return null;
    // The first acknowledgement stands.
    entry.alert = {
      ...entry.alert,
      acknowledgedAt: entry.alert.acknowledgedAt ?? at,
      acknowledgedBy: entry.alert.acknowledgedBy ?? by,
    };
    return entry.alert;
  }
  async list(query: AlertQuery, _page?: PageRequest): Promise<Page<Alert>> {
    const items = [...this.items.values()]
      .map((e) => e.alert)
      .filter(
        (a) =>
          (query.status === null || a.status === query.status) &&
          (query.deviceId === null || a.deviceId === query.deviceId),
      );
    return { items, nextToken: null };
  }
  async active(deviceId: string | null): Promise<Page<Alert>> {
    const all = await this.list({ deviceId, ruleId: null, status: null, from: null, to: null });
    return { items: all.items.filter((a) => a.status !== 'RESOLVED'), nextToken: null };
  }
  /** Holds by alert id, as the real store's `held` index lists them. */
  readonly holds = new Map<string, { muteId: string; heldAt: string }>();
  async hold(alertId: string, muteId: string, at: string): Promise<boolean> {
    if (!this.items.has(alertId)) return false;
    if (this.holds.get(alertId)?.muteId !== muteId) this.holds.set(alertId, { muteId, heldAt: at });
    return true;
  }
  async unhold(alertId: string, muteId: string): Promise<void> {
    const entry = this.items.get(alertId);
    if (this.holds.get(alertId)?.muteId !== muteId) return;
    this.holds.delete(alertId);
    if (entry) entry.alert = { ...entry.alert, silenced: false, silenceId: null };
  }
  async held(muteId?: string): Promise<HeldAlert[]> {
    return [...this.holds]
      .filter(([, hold]) => muteId === undefined || hold.muteId === muteId)
      .map(([alertId, hold]) => {
        const { alert } = this.items.get(alertId)!;
        return { alertId, ruleId: alert.ruleId, deviceId: alert.deviceId, ...hold };
      });
  }
}

/**
 * Silences and windows as a worker's MuteSet holds them, and as the store keeps them: each an
 * id, what it matches, and when it is active (set `active` to end or start it).
 */
export class FakeMutes implements MuteSet {
  readonly items = new Map<
    string,
    Mute & { matches: (alert: Alert) => boolean; active: boolean }
  >();
  add(
    id: string,
    matches: (alert: Alert) => boolean,
    options: Partial<Pick<Mute, 'kind' | 'notifyResolved'>> & { active?: boolean } = {},
  ): void {
    this.items.set(id, {
      id,
      kind: options.kind ?? 'SILENCE',
      notifyResolved: options.notifyResolved ?? true,
      active: options.active ?? true,
      matches,
    });
  }
  mutedBy(alert: Alert): Mute | null {
    for (const mute of this.items.values()) {
      if (mute.active && mute.matches(alert)) return toMute(mute);
    }
    return null;
  }
  get(id: string): (Mute & { active: boolean }) | null {
    const mute = this.items.get(id);
    return mute ? { ...toMute(mute), active: mute.active } : null;
  }
  /** The store behind the set: what the release asks of a mute the set does not hold. */
  readonly store: MuteStore = {
    get: async (id) => {
      const mute = this.items.get(id);
      return mute ? { ...toMute(mute), active: () => mute.active } : null;
    },
  };
}

/** The evaluation deps of silences and windows, from one FakeMutes. */
export function muteDeps(mutes: FakeMutes): {
  mutes: () => Promise<MuteSet>;
  muteStore: MuteStore;
} {
  return { mutes: async () => mutes, muteStore: mutes.store };
}

function toMute({ id, kind, notifyResolved }: Mute): Mute {
  return { id, kind, notifyResolved };
}

/** A delivery channel that records what it sent and can be made to fail. */
export class FakeChannel implements AlertNotifier, AlertPublisher {
  readonly sent: Alert[] = [];
  failuresLeft = 0;
  async notify({ alert }: Notification): Promise<void> {
    this.#deliver(alert);
  }
  async publish(alert: Alert): Promise<void> {
    this.#deliver(alert);
  }
  #deliver(alert: Alert): void {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('channel unavailable');
    }
    this.sent.push(alert);
  }
}

/**
 * The device inventory in memory, deciding writes as the DynamoDB store does (`planSighting`):
 * `writes` counts the sighting writes, `recorded` the recordSightings calls.
 */
export class FakeDeviceStore implements DeviceStore {
  readonly devices = new Map<string, Device>();
  readonly recorded: DeviceSighting[][] = [];
  writes = 0;
  /** Set to make recordSightings fail. */
  failure: Error | null = null;

  async loadMany(ids: readonly string[]): Promise<Map<string, Device>> {
    const found = new Map<string, Device>();
    for (const id of ids) {
      const device = this.devices.get(id);
      if (device) found.set(id, device);
    }
    return found;
  }

  async recordSightings(sightings: readonly DeviceSighting[], now: number): Promise<void> {
    this.recorded.push([...sightings]);
    if (this.failure) throw this.failure;
    for (const sighting of sightings) {
      const device = this.devices.get(sighting.deviceId) ?? null;
      const write = planSighting(device ? seenMarks(device) : null, sighting, now);
      if (!write) continue;
      this.writes++;
      const marks = afterSighting(device ? seenMarks(device) : null, write);
      const values = new Map((device?.latest ?? []).map((value) => [value.metric, value]));
      for (const [metric, { value, timestamp }] of Object.entries(write.latest)) {
        values.set(metric, { metric, value, timestamp });
      }
      this.devices.set(sighting.deviceId, {
        id: sighting.deviceId,
        name: device?.name ?? null,
        labels: device?.labels ?? {},
        firstSeenAt: marks.firstSeenAt,
        lastSeenAt: marks.lastSeenAt,
        latest: [...values.values()].sort((a, b) => (a.metric < b.metric ? -1 : 1)),
      });
    }
  }

  async get(id: string): Promise<Device | null> {
    return this.devices.get(id) ?? null;
  }

  async list(filter: DeviceFilter, page: PageRequest): Promise<Page<Device>> {
    const after = page.after?.deviceId ?? '';
    const matching = [...this.devices.values()]
      .filter((device) => device.id > after && passesFilter(device, filter))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = matching.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items,
      nextToken:
        matching.length > page.limit && last ? nextToken({ deviceId: last.id }, page) : null,
    };
  }

  async update(id: string, change: DeviceChange): Promise<Device | null> {
    const device = this.devices.get(id);
    if (!device) return null;
    const updated = {
      ...device,
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.labels !== undefined ? { labels: change.labels } : {}),
    };
    this.devices.set(id, updated);
    if (change.labels !== undefined) this.labelChanges.push({ id, changedAt: this.now() });
    return updated;
  }

  async delete(id: string): Promise<boolean> {
    if (!this.devices.delete(id)) return false;
    this.labelChanges.push({ id, changedAt: this.now() });
    return true;
  }

  /** Label changes and removals, oldest first, stamped with `now()`. */
  readonly labelChanges: DeviceLabelChange[] = [];
  /** The clock label changes are stamped with. */
  now: () => number = Date.now;
  /** labelsChangedSince calls, and set to make them fail. */
  changeQueries = 0;
  changeFailure: Error | null = null;

  async labelsChangedSince(since: number): Promise<DeviceLabelChange[]> {
    this.changeQueries++;
    if (this.changeFailure) throw this.changeFailure;
    return this.labelChanges.filter((change) => change.changedAt >= since);
  }
}
