import { ChangeFedCache, changeFeed } from './change-fed-cache.ts';
import type { SilenceState } from '../generated/graphql.ts';
import type { MaintenanceWindow } from './maintenance-window.ts';
import { type MuteEntry, MuteIndex } from './mute-set.ts';
import type { PageRequest } from './pagination.ts';
import type { MuteSet, MuteStore, Page, WorkQueue } from './ports.ts';
import { expiredSilenceRetentionMs, type Silence } from './silences.ts';

/** One silence's or window's state as written last at or after a refresh's starting point. */
export interface MuteChange {
  id: string;
  /** When it was written, by its writer's clock (epoch ms). */
  changedAt: number;
  /** The mute as it is now; null when it was deleted (a tombstone). */
  mute: MuteEntry | null;
}

/** Where the worker's silences and windows come from (adapters/dynamodb-silence-store.ts). */
export interface MuteSource {
  /** Every silence (expired ones still kept included) and window: the full load of a cold start. */
  loadAll(): Promise<Iterable<MuteEntry>>;
  /** Every silence and window written (created, expired, changed or deleted) at or after `since`. */
  changedSince(since: number): Promise<MuteChange[]>;
}

/**
 * Silences and maintenance windows (adapters/dynamodb-silence-store.ts). Every write stamps
 * the item with its time, and a deleted window leaves a tombstone, so a worker reads only the
 * changes since its last refresh (MuteSource).
 */
export interface SilenceStore extends MuteSource, MuteStore {
  /** Stores a new silence; fails if one of its id exists. */
  createSilence(silence: Silence): Promise<void>;
  getSilence(id: string): Promise<Silence | null>;
  /**
   * Stores the expired silence, unless its end changed meanwhile (`endsAt` is the end it
   * was read with): false then, for the caller to read it again.
   */
  expireSilence(expired: Silence, endsAt: string): Promise<boolean>;
  /** Silences newest first; with a state, those in it at `at` (a page may hold fewer than `limit` and have a next). */
  listSilences(state: SilenceState | null, at: number, page: PageRequest): Promise<Page<Silence>>;
  createWindow(window: MaintenanceWindow): Promise<void>;
  getWindow(id: string): Promise<MaintenanceWindow | null>;
  /** Replaces a window that exists; false when it does not (deleted meanwhile). */
  replaceWindow(window: MaintenanceWindow): Promise<boolean>;
  /** Deletes a window, leaving a tombstone for workers; false when there was none. */
  deleteWindow(id: string): Promise<boolean>;
  listWindows(page: PageRequest): Promise<Page<MaintenanceWindow>>;
  /**
   * The silence or window of this id as a mute, read consistently: for the release of held
   * alerts to check a mute its worker's set does not hold yet. Null when there is none.
   */
  get(id: string): Promise<MuteEntry | null>;
}

/**
 * How changes reach workers: as for rules (domain/rule-cache.ts), each write stamps the mute
 * with its writer's time and a deleted window leaves a tombstone, kept a day.
 */
export const muteChangeFeed = changeFeed;

export interface MuteCacheOptions {
  /** RULES_REFRESH_MS: a new silence (or an expiry) applies to alerts delivered this long after it. */
  maxAgeMs: number;
  now?: () => number;
  /** Told of a refresh that failed; the last set is served meanwhile. */
  onError?: (error: unknown) => void;
}

/**
 * Keeps the worker's silences and maintenance windows fresh at a cost that follows their
 * changes, not their number, as the rule cache does (ChangeFedCache): a full load at a cold
 * start (or after `fullReloadAfterMs` idle), then only what was written since the last
 * refresh. A busy worker never waits for a refresh; one idle for `maxAgeMs` waits for the few
 * changes since. A silence needs no write to become active or to expire: the set answers by
 * the clock. Silences ended longer ago than they are kept are dropped from the set as
 * refreshes go.
 */
export class MuteCache {
  readonly #cache: ChangeFedCache<MuteIndex, MuteChange>;
  #sweptAt = 0;

  constructor(source: MuteSource, options: MuteCacheOptions) {
    this.#cache = new ChangeFedCache({
      maxAgeMs: options.maxAgeMs,
      ...(options.now ? { now: options.now } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      loadAll: async () => new MuteIndex(await source.loadAll()),
      changedSince: (since) => source.changedSince(since),
      apply: (index, change) => {
        if (change.mute) index.upsert(change.mute);
        else index.remove(change.id);
      },
      onServed: (refresh, index, startedAt) => {
        if (refresh === 'full') this.#sweptAt = startedAt;
        else if (startedAt - this.#sweptAt >= SWEEP_EVERY_MS) this.#sweep(index, startedAt);
      },
    });
  }

  /** The silences and windows to decide deliveries with now. */
  current(): Promise<MuteSet> {
    return this.#cache.current();
  }

  /** Drops the silences the store no longer keeps: a worker running for days does not grow. */
  #sweep(index: MuteIndex, now: number): void {
    for (const mute of index.entries()) {
      if (mute.endsAt !== null && mute.endsAt < now - expiredSilenceRetentionMs) {
        index.remove(mute.id);
      }
    }
    this.#sweptAt = now;
  }
}

const SWEEP_EVERY_MS = 3600_000;

/**
 * Tells the worker to release what a mute held, now that it was expired or deleted: at once,
 * and again once every worker's set has read the change (twice `refreshMs`, as a target
 * change is sent: domain/target-change.ts). A worker whose set still holds the mute as it was
 * finds it active at the first message and releases at the second; releasing twice sends
 * nothing twice, the first release having cleared the holds.
 */
export async function sendRelease(
  work: WorkQueue,
  muteId: string,
  refreshMs: number,
): Promise<void> {
  await work.send({ type: 'releaseMute', muteId });
  await work.send(
    { type: 'releaseMute', muteId },
    Math.min(900, Math.ceil((2 * refreshMs) / 1000) + 1),
  );
}
