import { SingleRefresh } from './single-refresh.ts';

/**
 * How changes reach workers. Each write stamps the item with its writer's time, and a
 * deletion leaves a tombstone; a refresh reads what was stamped since its last one.
 */
export const changeFeed = {
  /**
   * A refresh reads back this far before the start of the previous one, so a write whose
   * stamp is a little early — its writer's clock behind the worker's, or the index showing
   * it late (DynamoDB's GSIs lag by well under a second) — is still read. What is read twice
   * is applied once.
   */
  overlapMs: 5_000,
  /** How long a deleted item's tombstone is kept (DynamoDB TTL removes it later still). */
  tombstoneRetentionMs: 24 * 3600_000,
  /**
   * A worker whose last refresh is older than this may have missed tombstones: it loads
   * everything again instead. An hour short of the retention, which also covers the overlap.
   */
  fullReloadAfterMs: 23 * 3600_000,
} as const;

/** One item's change as read from the feed: its id and its writer's time (epoch ms). */
export interface FeedChange {
  id: string;
  changedAt: number;
}

/** A full refresh (cold start) or one of the changes since the last. */
export type RefreshKind = 'full' | 'changes';

export interface ChangeFedCacheOptions<T, C extends FeedChange> {
  /** A change applies to what is evaluated this long after it (RULES_REFRESH_MS). */
  maxAgeMs: number;
  now?: () => number;
  /** Told of a refresh that failed; the last value is served meanwhile. */
  onError?: (error: unknown) => void;
  /** The full load of a cold start, built into the value served. */
  loadAll: () => Promise<T>;
  /** Every change written at or after `since` (epoch ms). */
  changedSince: (since: number) => Promise<C[]>;
  /** Applies one change to the value in place. */
  apply: (value: T, change: C) => void;
  /**
   * Told of each refresh that read what it asked for, once read and built, whether or not
   * it was still in charge (a metric of reads).
   */
  onRead?: (kind: RefreshKind, startedAt: number) => void;
  /** Told of each refresh whose value is now served. */
  onServed?: (kind: RefreshKind, value: T, startedAt: number) => void;
}

/**
 * Keeps a value built from a change-fed table (the rule index, the silences and windows)
 * fresh at a cost that follows changes, not the number of items. Only a cold start (or a
 * worker idle past `fullReloadAfterMs`) loads everything; after that a refresh reads what
 * was written since the previous one and changes the value in place.
 *
 * A busy worker never waits for a refresh: once the value is half `maxAgeMs` old the next
 * call starts one and is served the value it has; calls meanwhile share that refresh and are
 * served the same. Only a worker that was idle — nobody asked for the value for `maxAgeMs`,
 * so nothing refreshed it — waits, for that refresh of a few changes, before the work it
 * was woken for: so a change applies to work done `maxAgeMs` after it. One refresh runs at
 * a time; one that has not ended after `10 × maxAgeMs` (a connection lost while the function
 * was frozen) is abandoned and its result ignored.
 */
export class ChangeFedCache<T, C extends FeedChange> {
  readonly #options: ChangeFedCacheOptions<T, C>;
  readonly #now: () => number;
  #value: T | null = null;
  /** When the refresh that made the value started: it holds what was written before. */
  #freshAt = 0;
  readonly #refreshes: SingleRefresh<T>;
  /** Changes applied lately, id → changedAt, so one read again in the overlap is skipped. */
  readonly #applied = new Map<string, number>();

  constructor(options: ChangeFedCacheOptions<T, C>) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refreshes = new SingleRefresh((startedAt) => this.#run(startedAt), {
      abandonAfterMs: 10 * options.maxAgeMs,
      onError: options.onError ?? (() => undefined),
    });
  }

  /** The value to work with now. */
  async current(): Promise<T> {
    const { maxAgeMs } = this.#options;
    const now = this.#now();
    const running = this.#refreshes.running(now);
    const value = this.#value;
    const age = now - this.#freshAt;
    if (value === null || age >= changeFeed.fullReloadAfterMs) {
      // Cold: there is nothing to serve that could be trusted.
      return running ?? this.#refreshes.start(now);
    }
    if (age < maxAgeMs / 2 || running) return value;
    if (age < maxAgeMs) {
      if (this.#refreshes.sinceAttempt(now) >= maxAgeMs / 2) void this.#refreshes.start(now);
      return value;
    }
    // Idle for a while: wait for the changes since, or serve what there is if they fail.
    return this.#refreshes.start(now).catch(() => value);
  }

  async #run(startedAt: number): Promise<T> {
    const value = this.#value;
    return value === null || startedAt - this.#freshAt >= changeFeed.fullReloadAfterMs
      ? this.#loadAll(startedAt)
      : this.#applyChanges(startedAt, value);
  }

  async #loadAll(startedAt: number): Promise<T> {
    const value = await this.#options.loadAll();
    this.#options.onRead?.('full', startedAt);
    if (!this.#refreshes.inCharge(startedAt)) return this.#value ?? value;
    this.#value = value;
    this.#freshAt = startedAt;
    this.#applied.clear();
    this.#options.onServed?.('full', value, startedAt);
    return value;
  }

  async #applyChanges(startedAt: number, value: T): Promise<T> {
    const changes = await this.#options.changedSince(this.#freshAt - changeFeed.overlapMs);
    if (!this.#refreshes.inCharge(startedAt)) {
      this.#options.onRead?.('changes', startedAt);
      return value;
    }
    for (const change of changes) {
      if (this.#applied.get(change.id) === change.changedAt) continue;
      this.#applied.set(change.id, change.changedAt);
      this.#options.apply(value, change);
    }
    // Older than the next refresh's starting point: it will not be read again.
    const horizon = startedAt - changeFeed.overlapMs;
    for (const [id, changedAt] of this.#applied) {
      if (changedAt < horizon) this.#applied.delete(id);
    }
    this.#freshAt = startedAt;
    this.#options.onRead?.('changes', startedAt);
    this.#options.onServed?.('changes', value, startedAt);
    return value;
  }
}
