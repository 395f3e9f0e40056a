import { ChangeFedCache, changeFeed } from './change-fed-cache.ts';
import { type Metrics, noMetrics } from './metrics.ts';
import { type IndexedRuleSource, RuleIndex } from './rule-index.ts';

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

/** How rule changes reach workers (domain/change-fed-cache.ts). */
export const ruleChangeFeed = changeFeed;

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
 * count (ChangeFedCache): only a cold start (or a worker idle past `fullReloadAfterMs`) loads
 * every rule; after that a refresh reads the rules written since the previous one and
 * changes the index in place. A busy worker never waits for a refresh; one idle for
 * `maxAgeMs` waits for the few changes since.
 */
export class RuleCache {
  readonly #cache: ChangeFedCache<RuleIndex, RuleChange>;

  constructor(source: RuleSource, options: RuleCacheOptions) {
    const now = options.now ?? Date.now;
    const metrics = options.metrics ?? noMetrics;
    this.#cache = new ChangeFedCache({
      maxAgeMs: options.maxAgeMs,
      now,
      ...(options.onError ? { onError: options.onError } : {}),
      loadAll: async () => new RuleIndex(await source.loadAll()),
      changedSince: (since) => source.changedSince(since),
      apply: (index, change) => {
        if (change.rule?.enabled) index.upsert(change.rule);
        else index.remove(change.id);
      },
      // Each refresh that read what it asked for, and how long it took (building the index included).
      onRead: (refresh, startedAt) => {
        metrics.add('RuleRefreshes', 1, refresh);
        metrics.add('RuleRefreshDuration', now() - startedAt, refresh);
      },
      onServed: (_, index) => metrics.add('RulesHeld', index.size),
    });
  }

  /** The index to evaluate with now. */
  current(): Promise<RuleIndex> {
    return this.#cache.current();
  }
}
