import type { Device, DeviceSighting } from './device.ts';
import type { DeviceStore } from './ports.ts';

type Source = Pick<DeviceStore, 'loadMany' | 'recordSightings'>;

/**
 * The worker's view of its devices (their labels, for selector rules), read from the
 * inventory at most once per `maxAgeMs` for each device, like the rules: a label change
 * applies within that time, and a busy worker's reads follow the devices it sees, not the
 * readings it gets. A device not in the inventory is remembered as such for the same time.
 * At most `maxEntries` devices are held; the longest held go first. `loadFresh` reads past
 * the cache, for the work that answers a label change.
 */
export class DeviceCache implements Source {
  readonly #source: Source;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #held = new Map<string, { device: Device | null; at: number }>();

  constructor(source: Source, maxAgeMs: number, now: () => number, maxEntries = 100_000) {
    this.#source = source;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
    this.#maxEntries = maxEntries;
  }

  async loadMany(ids: readonly string[]): Promise<Map<string, Device>> {
    const now = this.#now();
    const found = new Map<string, Device>();
    const missing: string[] = [];
    for (const id of ids) {
      const held = this.#held.get(id);
      if (held && now - held.at < this.#maxAgeMs) {
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
    const loaded = await this.#source.loadMany(ids);
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
}
