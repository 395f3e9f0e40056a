import { type Metrics, noMetrics } from './metrics.ts';
import { type IndexedRuleSource, RuleIndex } from './rule-index.ts';
import { SingleRefresh } from './single-refresh.ts';

/** One rule's state as written last at or after a refresh's starting point. */
export interface RuleChange {
  id: string;
  /** When it was written, by its writer's clock (epoch ms). */
  changedAt: number;
  /** The rule as it is now; null when it was deleted (a tombstone). */
  rule: (IndexedRuleSource & { enabled: boolean }) | null;
}

/** Where the worker's rules come from (adapters/dynamodb-rule-store.ts). */
export interface RuleSource {
  /** Every rule: the full load of a cold start. */
  loadAll(): Promise<Iterable<IndexedRuleSource & { enabled: boolean }>>;
  /** Every rule written (created, changed or deleted) at or after `since` (epoch ms). */
  changedSince(since: number): Promise<RuleChange[]>;
}

/**
 * How changes reach workers. Each rule write stamps the rule with its writer's time, and a
 * deletion leaves a tombstone; a refresh reads what was stamped since its last one.
 */
export const ruleChangeFeed = {
  /**
   * A refresh reads back this far before the start of the previous one, so a write whose
   * stamp is a little early — its writer's clock behind the worker's, or the index showing
   * it late (DynamoDB's GSIs lag by well under a second) — is still read. What is read twice
   * is applied once.
   */
  overlapMs: 5_000,
  /** How long a deleted rule's tombstone is kept (DynamoDB TTL removes it later still). */
  tombstoneRetentionMs: 24 * 3600_000,
  /**
   * A worker whose last refresh is older than this may have missed tombstones: it loads
   * every rule again instead. An hour short of the retention, which also covers the overlap.
   */
  fullReloadAfterMs: 23 * 3600_000,
} as const;

export interface RuleCacheOptions {
  /** RULES_REFRESH_MS: a rule change applies to readings evaluated this long after it. */
  maxAgeMs: number;
  now?: () => number;
  /** Told of a refresh that failed; the last index is served meanwhile. */
  onError?: (error: unknown) => void;
  /** Counts each refresh, full or of changes, its duration and the rules held after it. */
  metrics?: Metrics;
}

/**
 * Keeps the worker's rule index fresh at a cost that follows rule changes, not the rule
 * count. Only a cold start (or a worker idle past `fullReloadAfterMs`) loads every rule;
 * after that a refresh reads the rules written since the previous one and changes the index
 * in place.
 *
 * A busy worker never waits for a refresh: once the index is half `maxAgeMs` old the next
 * call starts one and is served the index it has; calls meanwhile share that refresh and are
 * served the same. Only a worker that was idle — nobody asked for the index for `maxAgeMs`,
 * so nothing refreshed it — waits, for that refresh of a few changes, before the readings it
 * was woken for: so a change applies to readings evaluated `maxAgeMs` after it. One refresh
 * runs at a time; one that has not ended after `10 × maxAgeMs` (a connection lost while the
 * function was frozen) is abandoned and its result ignored.
 */
export class RuleCache {
  readonly #source: RuleSource;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #metrics: Metrics;
  #index: RuleIndex | null = null;
  /** When the refresh that made the index started: it holds what was written before. */
  #freshAt = 0;
  readonly #refreshes: SingleRefresh<RuleIndex>;
  /** Changes applied lately, id → changedAt, so one read again in the overlap is skipped. */
  readonly #applied = new Map<string, number>();

  constructor(source: RuleSource, options: RuleCacheOptions) {
    this.#source = source;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
    this.#refreshes = new SingleRefresh((startedAt) => this.#run(startedAt), {
      abandonAfterMs: 10 * this.#maxAgeMs,
      onError: options.onError ?? (() => undefined),
    });
    this.#metrics = options.metrics ?? noMetrics;
  }

  /** The index to evaluate with now. */
  async current(): Promise<RuleIndex> {
    const now = this.#now();
    const running = this.#refreshes.running(now);
    const index = this.#index;
    const age = now - this.#freshAt;
    if (index === null || age >= ruleChangeFeed.fullReloadAfterMs) {
      // Cold: there is nothing to serve that could be trusted.
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

  async #run(startedAt: number): Promise<RuleIndex> {
    const full =
      this.#index === null || startedAt - this.#freshAt >= ruleChangeFeed.fullReloadAfterMs;
    return full ? this.#loadAll(startedAt) : this.#applyChanges(startedAt, this.#index!);
  }

  async #loadAll(startedAt: number): Promise<RuleIndex> {
    const index = new RuleIndex(await this.#source.loadAll());
    this.#refreshed('full', startedAt);
    if (!this.#refreshes.inCharge(startedAt)) return this.#index ?? index;
    this.#index = index;
    this.#freshAt = startedAt;
    this.#applied.clear();
    this.#metrics.add('RulesHeld', index.size);
    return index;
  }

  /** Counts a refresh that read what it asked for, and how long it took (building the index included). */
  #refreshed(refresh: 'full' | 'changes', startedAt: number): void {
    this.#metrics.add('RuleRefreshes', 1, refresh);
    this.#metrics.add('RuleRefreshDuration', this.#now() - startedAt, refresh);
  }

  async #applyChanges(startedAt: number, index: RuleIndex): Promise<RuleIndex> {
    const changes = await this.#source.changedSince(this.#freshAt - ruleChangeFeed.overlapMs);
    if (!this.#refreshes.inCharge(startedAt)) {
      this.#refreshed('changes', startedAt);
      return index;
    }
    for (const change of changes) {
      if (this.#applied.get(change.id) === change.changedAt) continue;
      this.#applied.set(change.id, change.changedAt);
      if (change.rule?.enabled) index.upsert(change.rule);
      else index.remove(change.id);
    }
    // Older than the next refresh's starting point: it will not be read again.
    const horizon = startedAt - ruleChangeFeed.overlapMs;
    for (const [id, changedAt] of this.#applied) {
      if (changedAt < horizon) this.#applied.delete(id);
    }
    this.#freshAt = startedAt;
    this.#refreshed('changes', startedAt);
    this.#metrics.add('RulesHeld', index.size);
    return index;
  }
}
