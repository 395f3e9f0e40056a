import type { Alert } from './alert.ts';
import { type AlertMatchers, matchesAlert } from './alert-matchers.ts';
import { type MaintenanceWindow, windowSchedule } from './maintenance-window.ts';
import type { Mute, MuteSet } from './ports.ts';
import type { Silence } from './silences.ts';

/**
 * A silence or a maintenance window as a worker holds it: what it matches and when it is
 * active. Silences are active between their times, windows during their weekly periods;
 * either way by the clock alone, so a pending silence mutes from its start without a write.
 */
export interface MuteEntry extends Mute {
  matchers: AlertMatchers;
  active(at: number): boolean;
  /** Of a silence, its end (epoch ms); null for a window, which has none to speak of. */
  endsAt: number | null;
}

/** A silence as a mute. */
export function silenceMute(silence: Silence): MuteEntry {
  const startsAt = Date.parse(silence.startsAt);
  const endsAt = Date.parse(silence.endsAt);
  return {
    id: silence.id,
    kind: 'SILENCE',
    notifyResolved: silence.notifyResolved,
    matchers: silence.matchers,
    active: (at) => at >= startsAt && at < endsAt,
    endsAt,
  };
}

/** A maintenance window as a mute: its periods compiled once (domain/maintenance-window.ts). */
export function windowMute(window: MaintenanceWindow): MuteEntry {
  return {
    id: window.id,
    kind: 'MAINTENANCE_WINDOW',
    notifyResolved: window.notifyResolved,
    matchers: window.matchers,
    active: windowSchedule(window),
    endsAt: null,
  };
}

/**
 * The mutes a worker holds, indexed so that `mutedBy` looks at the few mutes that can match
 * an alert, not at all of them: each mute is filed under its most selective matcher — its
 * rule, else its device, else its metric, else one label value it requires (an EQ or IN
 * matcher), else each severity it names — and an alert looks in the buckets of its rule,
 * device, metric, labels and severity. Only mutes whose labels require no value
 * (NEQ, NOT_IN, EXISTS, NOT_EXISTS only) are looked at for every alert.
 */
export class MuteIndex implements MuteSet {
  readonly #byId = new Map<string, { mute: MuteEntry; buckets: string[] }>();
  readonly #buckets = new Map<string, Map<string, MuteEntry>>();

  constructor(mutes: Iterable<MuteEntry> = []) {
    for (const mute of mutes) this.upsert(mute);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Adds a mute, or replaces the one of its id. */
  upsert(mute: MuteEntry): void {
    this.remove(mute.id);
    const buckets = bucketsOf(mute.matchers);
    for (const key of buckets) {
      let bucket = this.#buckets.get(key);
      if (!bucket) {
        bucket = new Map();
        this.#buckets.set(key, bucket);
      }
      bucket.set(mute.id, mute);
    }
    this.#byId.set(mute.id, { mute, buckets });
  }

  remove(id: string): void {
    const held = this.#byId.get(id);
    if (!held) return;
    for (const key of held.buckets) {
      const bucket = this.#buckets.get(key);
      bucket?.delete(id);
      if (bucket?.size === 0) this.#buckets.delete(key);
    }
    this.#byId.delete(id);
  }

  /** Every mute held, for a sweep of those long ended. */
  entries(): IterableIterator<MuteEntry> {
    return Array.from(this.#byId.values(), ({ mute }) => mute).values();
  }

  /**
   * Of the mutes active at `at` that match the alert, the silence that ends last, else a
   * window (the first by id): the one whose end releases the alert last, so a release at an
   * earlier end does not find the alert free while another mute still holds it.
   */
  mutedBy(alert: Alert, at: number): Mute | null {
    let found: MuteEntry | null = null;
    const consider = (bucket: Map<string, MuteEntry> | undefined) => {
      if (!bucket) return;
      for (const mute of bucket.values()) {
        if (!mute.active(at) || !matchesAlert(mute.matchers, alert)) continue;
        if (found === null || preferred(mute, found)) found = mute;
      }
    };
    consider(this.#buckets.get(`rule:${alert.ruleId}`));
    consider(this.#buckets.get(`device:${alert.deviceId}`));
    consider(this.#buckets.get(`metric:${alert.metric}`));
    for (const { key, value } of alert.labels ?? []) {
      consider(this.#buckets.get(`label:${key}=${value}`));
    }
    consider(this.#buckets.get(`severity:${alert.severity}`));
    consider(this.#buckets.get(ANY));
    return found === null ? null : asMute(found);
  }

  get(id: string, at: number): (Mute & { active: boolean }) | null {
    const held = this.#byId.get(id);
    return held ? { ...asMute(held.mute), active: held.mute.active(at) } : null;
  }
}

/** The bucket of mutes every alert looks at. */
const ANY = 'any';

/** Where a mute is filed: one bucket, or one per value when its matcher takes several. */
function bucketsOf(matchers: AlertMatchers): string[] {
  if (matchers.ruleId !== null) return [`rule:${matchers.ruleId}`];
  if (matchers.deviceId !== null) return [`device:${matchers.deviceId}`];
  if (matchers.metric !== null) return [`metric:${matchers.metric}`];
  const required = matchers.labels?.find(
    (matcher) => matcher.operator === 'EQ' || matcher.operator === 'IN',
  );
  if (required) return required.values.map((value) => `label:${required.key}=${value}`);
  if (matchers.severities !== null) {
    return matchers.severities.map((severity) => `severity:${severity}`);
  }
  return [ANY];
}

/** Whether `mute` is to be named rather than `other`, both holding the alert. */
function preferred(mute: MuteEntry, other: MuteEntry): boolean {
  if (mute.endsAt !== null && other.endsAt !== null) {
    return mute.endsAt > other.endsAt || (mute.endsAt === other.endsAt && mute.id < other.id);
  }
  if (mute.endsAt !== null || other.endsAt !== null) return mute.endsAt !== null;
  return mute.id < other.id;
}

function asMute(mute: MuteEntry): Mute {
  return { id: mute.id, kind: mute.kind, notifyResolved: mute.notifyResolved };
}
