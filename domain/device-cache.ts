import type { Device, DeviceSighting } from './device.ts';
import type { DeviceStore } from './ports.ts';
import { ruleChangeFeed } from './rule-cache.ts';
import { SingleRefresh } from './single-refresh.ts';

type Source = Pick<DeviceStore, 'loadMany' | 'recordSightings' | 'labelsChangedSince'>;

export interface DeviceCacheOptions {
  /** RULES_REFRESH_MS: a label change applies to readings evaluated this long after it. */
  maxAgeMs: number;
  now?: () => number;
  /** Devices held at most; the longest held go first. */
  maxEntries?: number;
  /**
   * A device is read again after this long whatever the label changes say: a safety net
   * for a change the feed could not show in time (a writer's clock far behind).
   */
  heldAtMostMs?: number;
  /** Told of a read of the label changes that failed; devices are then read by their age. */
  onError?: (error: unknown) => void;
}

/**
 * The worker's view of its devices (their labels, for selector rules). A device is read from
 * the inventory when first seen and then held: what keeps it fresh is the inventory's label
 * changes (`labelsChangedSince`), read about once every `maxAgeMs / 2` while the worker is
 * busy, which drop the devices that changed so their next batch reads them again. So a busy
 * worker's reads follow label changes and the devices it sees for the first time, not the
 * readings it gets, and a label change applies within `maxAgeMs`, as a rule change does.
 *
 * As with the rules (domain/rule-cache.ts), a busy worker never waits for the changes: it
 * starts their read and serves what it holds. A worker that was idle for `maxAgeMs` waits for
 * that one query first. When the changes cannot be read, a device held longer than
 * `maxAgeMs` is read again, as if nothing were known of changes. A device not in the
 * inventory is held as such (a device's first sighting gives it no labels, so nothing is
 * missed). `loadFresh` reads past the cache, for the work that answers a label change.
 */
export class DeviceCache implements Pick<Source, 'loadMany' | 'recordSightings'> {
  readonly #source: Source;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #heldAtMostMs: number;
  readonly #held = new Map<string, { device: Device | null; at: number }>();
  /** When the last read of the changes that succeeded started: all before it are applied. */
  #freshAt = -Infinity;
  readonly #refreshes: SingleRefresh<void>;
  /** Changes applied lately, id → changedAt, so one read again in the overlap is skipped. */
  readonly #applied = new Map<string, number>();

  constructor(source: Source, options: DeviceCacheOptions) {
    this.#source = source;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#heldAtMostMs = options.heldAtMostMs ?? 3_600_000;
    this.#refreshes = new SingleRefresh((startedAt) => this.#run(startedAt), {
      abandonAfterMs: 10 * this.#maxAgeMs,
      onError: options.onError ?? (() => undefined),
    });
  }

  async loadMany(ids: readonly string[]): Promise<Map<string, Device>> {
    await this.#keepFresh();
    const now = this.#now();
    const found = new Map<string, Device>();
    const missing: string[] = [];
    for (const id of ids) {
      const held = this.#held.get(id);
      if (held && this.#trusted(held.at, now)) {
        if (held.device) found.set(id, held.device);
      } else {
        missing.push(id);
      }
    }
    if (missing.length === 0) return found;
    for (const [id, device] of await this.loadFresh(missing)) found.set(id, device);
    return found;
  }

  /** Reads the devices from the inventory, whatever is held, and holds what it read. */
  async loadFresh(ids: readonly string[]): Promise<Map<string, Device>> {
    const at = this.#now();
    // Consistent: a device read just after a change it was dropped for must show the change,
    // since that change is not applied twice.
    const loaded = await this.#source.loadMany(ids, true);
    for (const id of ids) {
      this.#held.delete(id);
      this.#held.set(id, { device: loaded.get(id) ?? null, at });
    }
    for (const oldest of this.#held.keys()) {
      if (this.#held.size <= this.#maxEntries) break;
      this.#held.delete(oldest);
    }
    return loaded;
  }

  recordSightings(sightings: readonly DeviceSighting[], now: number): Promise<void> {
    return this.#source.recordSightings(sightings, now);
  }

  /** A device read at `at` is as fresh as the later of that and the last changes read. */
  #trusted(at: number, now: number): boolean {
    return now - Math.max(at, this.#freshAt) < this.#maxAgeMs && now - at < this.#heldAtMostMs;
  }

  async #keepFresh(): Promise<void> {
    const now = this.#now();
    const running = this.#refreshes.running(now);
    const age = now - this.#freshAt;
    if (age < this.#maxAgeMs / 2) return;
    if (age < this.#maxAgeMs) {
      if (!running && this.#refreshes.sinceAttempt(now) >= this.#maxAgeMs / 2) {
        void this.#refreshes.start(now);
      }
      return;
    }
    // Idle (or the changes failed lately): wait for them; a failure leaves devices to age.
    await (running ?? this.#refreshes.start(now)).catch(() => undefined);
  }

  async #run(startedAt: number): Promise<void> {
    if (startedAt - this.#freshAt >= ruleChangeFeed.fullReloadAfterMs) {
      // A cold start, or changes not read for longer than tombstones are kept: start over.
      this.#held.clear();
      this.#applied.clear();
      this.#freshAt = startedAt;
      return;
    }
    const changes = await this.#source.labelsChangedSince(this.#freshAt - ruleChangeFeed.overlapMs);
    if (!this.#refreshes.inCharge(startedAt)) return;
    for (const change of changes) {
      if (this.#applied.get(change.id) === change.changedAt) continue;
      this.#applied.set(change.id, change.changedAt);
      this.#held.delete(change.id);
    }
    const horizon = startedAt - ruleChangeFeed.overlapMs;
    for (const [id, changedAt] of this.#applied) {
      if (changedAt < horizon) this.#applied.delete(id);
    }
    this.#freshAt = startedAt;
  }
}
