import type { Rule } from './rule.ts';
import { RuleIndex } from './rule-index.ts';

/**
 * Keeps the worker's rule index fresh without loading rules for every reading: the index
 * is rebuilt at most once per `maxAgeMs`, so a rule change applies within that time.
 * Concurrent callers share one reload.
 */
export class RuleCache {
  readonly #load: () => Promise<Rule[]>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #index: RuleIndex | null = null;
  #loadedAt = 0;
  #loading: Promise<RuleIndex> | null = null;

  constructor(load: () => Promise<Rule[]>, maxAgeMs: number, now: () => number = Date.now) {
    this.#load = load;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  async current(): Promise<RuleIndex> {
    if (this.#index && this.#now() - this.#loadedAt < this.#maxAgeMs) return this.#index;
    this.#loading ??= this.#reload();
    return this.#loading;
  }

  async #reload(): Promise<RuleIndex> {
    const startedAt = this.#now();
    try {
      this.#index = new RuleIndex(await this.#load());
      this.#loadedAt = startedAt;
      return this.#index;
    } finally {
      this.#loading = null;
    }
  }
}
