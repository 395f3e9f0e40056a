import type { SilenceState } from '../generated/graphql.ts';
import type { MaintenanceWindow } from './maintenance-window.ts';
import { type MuteEntry, MuteIndex } from './mute-set.ts';
import type { PageRequest } from './pagination.ts';
import type { MuteSet, MuteStore, Page, WorkQueue } from './ports.ts';
import { ruleChangeFeed } from './rule-cache.ts';
import { expiredSilenceRetentionMs, type Silence } from './silences.ts';
import { SingleRefresh } from './single-refresh.ts';

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
export const muteChangeFeed = ruleChangeFeed;

export interface MuteCacheOptions {
  /** RULES_REFRESH_MS: a new silence (or an expiry) applies to alerts delivered this long after it. */
  maxAgeMs: number;
  now?: () => number;
  /** Told of a refresh that failed; the last set is served meanwhile. */
  onError?: (error: unknown) => void;
}

/**
 * Keeps the worker's silences and maintenance windows fresh at a cost that follows their
 * changes, not their number, by the rule cache's rules: a full load at a cold start (or after
 * `fullReloadAfterMs` idle), then only what was written since the last refresh. A busy
 * worker never waits for a refresh; one idle for `maxAgeMs` waits for the few changes since.
 * A silence needs no write to become active or to expire: the set answers by the clock.
 * Silences ended longer ago than they are kept are dropped from the set as refreshes go.
 */
export class MuteCache {
  readonly #source: MuteSource;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #index: MuteIndex | null = null;
  /** When the refresh that made the set started: it holds what was written before. */
  #freshAt = 0;
  #sweptAt = 0;
  readonly #refreshes: SingleRefresh<MuteIndex>;
  /** Changes applied lately, id → changedAt, so one read again in the overlap is skipped. */
  readonly #applied = new Map<string, number>();

  constructor(source: MuteSource, options: MuteCacheOptions) {
    this.#source = source;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
    this.#refreshes = new SingleRefresh((startedAt) => this.#run(startedAt), {
      abandonAfterMs: 10 * this.#maxAgeMs,
      onError: options.onError ?? (() => undefined),
    });
  }

  /** The silences and windows to decide deliveries with now. */
  async current(): Promise<MuteSet> {
    const now = this.#now();
    const running = this.#refreshes.running(now);
    const index = this.#index;
    const age = now - this.#freshAt;
    if (index === null || age >= muteChangeFeed.fullReloadAfterMs) {
      return running ?? this.#refreshes.start(now);
    }
    if (age < this.#maxAgeMs / 2 || running) return index;
    if (age < this.#maxAgeMs) {
      if (this.#refreshes.sinceAttempt(now) >= this.#maxAgeMs / 2) void this.#refreshes.start(now);
      return index;
    }
    // Idle for a while: wait for the changes since, or serve what there is if they fail.
    return this.#refreshes.start(now).catch(() => index);
  }

  async #run(startedAt: number): Promise<MuteIndex> {
    const full =
      this.#index === null || startedAt - this.#freshAt >= muteChangeFeed.fullReloadAfterMs;
    return full ? this.#loadAll(startedAt) : this.#applyChanges(startedAt, this.#index!);
  }

  async #loadAll(startedAt: number): Promise<MuteIndex> {
    const index = new MuteIndex(await this.#source.loadAll());
    if (!this.#refreshes.inCharge(startedAt)) return this.#index ?? index;
    this.#index = index;
    this.#freshAt = startedAt;
    this.#sweptAt = startedAt;
    this.#applied.clear();
    return index;
  }

  async #applyChanges(startedAt: number, index: MuteIndex): Promise<MuteIndex> {
    const changes = await this.#source.changedSince(this.#freshAt - muteChangeFeed.overlapMs);
    if (!this.#refreshes.inCharge(startedAt)) return index;
    for (const change of changes) {
      if (this.#applied.get(change.id) === change.changedAt) continue;
      this.#applied.set(change.id, change.changedAt);
      if (change.mute) index.upsert(change.mute);
      else index.remove(change.id);
    }
    // Older than the next refresh's starting point: it will not be read again.
    const horizon = startedAt - muteChangeFeed.overlapMs;
    for (const [id, changedAt] of this.#applied) {
      if (changedAt < horizon) this.#applied.delete(id);
    }
    if (startedAt - this.#sweptAt >= SWEEP_EVERY_MS) this.#sweep(index, startedAt);
    this.#freshAt = startedAt;
    return index;
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
