import { shardNumber } from './alert-partitions.ts';
import { ChangeFedCache, type FeedChange } from './change-fed-cache.ts';
import { type EpisodeRule, type EpisodeState, isPlainThreshold, isQuiet } from './episode.ts';
import { type EpisodeStore, episodeKey } from './ports.ts';
import type { Reading } from './reading.ts';
import { breaches } from './rule.ts';

/*
 * Which episodes a worker must read. Nearly every reading of a fleet is healthy and nearly
 * every (rule, device) episode is at rest — nothing open, nothing pending, nothing to send —
 * and a healthy reading of a plain threshold rule leaves such an episode as it is
 * (domain/episode.ts `applyReading`). Reading the episode to find that out costs a read per
 * matched rule and reading: at 100,000 rules, most of a busy worker's DynamoDB reads. So the
 * store files every episode that is not at rest in a sparse index, and each worker keeps the
 * keys of those episodes, fed by that index like the rules are: a healthy reading of a plain
 * rule whose episode it does not hold is not read for.
 */

/**
 * The partitions of the store's index of episodes not at rest (`open#0`..`open#7`), by the
 * episode's key: a storm opens thousands of episodes at once, and one partition would take
 * every one of those writes. Part of the stored data, like the alerts' shards.
 */
export const openEpisodeShards: readonly string[] = Array.from(
  { length: 8 },
  (_, shard) => `open#${shard}`,
);

export function openEpisodeShard(ruleId: string, deviceId: string): string {
  return openEpisodeShards[
    shardNumber(episodeKey(ruleId, deviceId), openEpisodeShards.length)
  ] as string;
}

/**
 * An episode at rest: quiet (domain/episode.ts `isQuiet`: nothing open, no breaching readings
 * counted, no flapping history) and nothing left to deliver.
 */
export function isAtRest(state: EpisodeState): boolean {
  return isQuiet(state) && state.outbox.length === 0;
}

/**
 * Whether this rule's step of this reading leaves an episode at rest unchanged, so a worker
 * that knows the episode is at rest need not read it: a plain threshold rule (no window, no
 * no-data time) and a reading that does not breach it. Rules that count breaching readings
 * (`forReadings` above 1) are always read: their count must be reset by the healthy reading
 * between two breaching ones, even one another worker counted a moment ago.
 */
export function leavesRestingEpisode(rule: EpisodeRule, reading: Reading): boolean {
  return (
    isPlainThreshold(rule) &&
    rule.forReadings === 1 &&
    !breaches(rule.operator, reading.value, rule.threshold)
  );
}

/** One episode not at rest, as the store's index has it. */
export interface OpenEpisodeChange extends FeedChange {
  /** The episode's key (`episodeKey`). */
  id: string;
  ruleId: string;
  deviceId: string;
  version: number;
}

/** How a store files the episodes that are not at rest (domain/ports.ts EpisodeStore's feed). */
export interface OpenEpisodeFeed {
  /**
   * Whether every episode not at rest is filed: false until the episodes stored before the
   * index existed have been filed (`fileUnfiled`).
   */
  openIndexComplete(): Promise<boolean>;
  /** The episodes not at rest written at or after `since` (epoch ms); all of them for null. */
  openSince(since: number | null): Promise<OpenEpisodeChange[]>;
  /**
   * Files the stored episodes not at rest that were stored before the index existed, in two
   * passes over the store, the second `settleMs` after the first began (for what the version
   * before wrote while it still ran), then marks the index complete. A run stops after
   * `budgetMs` and the next resumes where it stopped. Returns how many it filed.
   */
  fileUnfiled(options: { budgetMs: number; settleMs: number }): Promise<number>;
}

/**
 * The episodes a worker knows not to be at rest, by device and rule, with the version it
 * knows of. It learns them from the index (the feed), from its own writes and from its
 * reads. An entry is dropped only by a read or write of the episode at rest at a version at
 * least as new, so what the feed says of a later version is never lost to an older read.
 */
export class OpenEpisodes {
  /**
   * device → rule → version: held by device, so that a reading asks about its rules without
   * building their episode keys (the device's string and the rules' ids are at hand).
   */
  readonly #versions = new Map<string, Map<string, number>>();
  #size = 0;
  /** False until the store's index holds every episode not at rest: nothing is skipped. */
  complete = false;
  /** When the feed was last read (epoch ms); a worker not fed for long skips nothing. */
  fedAt = -Infinity;

  /** How many episodes are held as not at rest. */
  get size(): number {
    return this.#size;
  }

  /** Whether the episode of this rule and device may not be at rest: it must be read. */
  mayBeOpen(ruleId: string, deviceId: string): boolean {
    return this.#versions.get(deviceId)?.has(ruleId) ?? false;
  }

  /** An episode as read (consistently) or stored: held while not at rest, dropped at rest. */
  saw(state: EpisodeState): void {
    const rules = this.#versions.get(state.deviceId);
    const known = rules?.get(state.ruleId);
    if (isAtRest(state)) {
      if (rules && known !== undefined && known <= state.version) {
        rules.delete(state.ruleId);
        this.#size -= 1;
        if (rules.size === 0) this.#versions.delete(state.deviceId);
      }
    } else if (known === undefined || known < state.version) {
      this.#hold(state.ruleId, state.deviceId, state.version, known === undefined);
    }
  }

  /** An episode the index shows not at rest. */
  filed(change: OpenEpisodeChange): void {
    const known = this.#versions.get(change.deviceId)?.get(change.ruleId);
    if (known === undefined || known < change.version) {
      this.#hold(change.ruleId, change.deviceId, change.version, known === undefined);
    }
  }

  #hold(ruleId: string, deviceId: string, version: number, added: boolean): void {
    let rules = this.#versions.get(deviceId);
    if (!rules) {
      rules = new Map();
      this.#versions.set(deviceId, rules);
    }
    rules.set(ruleId, version);
    if (added) this.#size += 1;
  }
}

export interface OpenEpisodeCacheOptions {
  /** RULES_REFRESH_MS: how stale the rules, labels and this knowledge may be. */
  maxAgeMs: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * A worker's knowledge of the episodes not at rest, fed by the store's index as the rules
 * are by theirs (domain/change-fed-cache.ts): the index read whole at a cold start, then what
 * was written since. What another worker changed reaches this one within `maxAgeMs`; what
 * this worker reads and writes, at once (`TrackedEpisodeStore`).
 */
export class OpenEpisodeCache {
  readonly known = new OpenEpisodes();
  readonly #feed: ChangeFedCache<OpenEpisodes, OpenEpisodeChange>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(source: OpenEpisodeFeed, options: OpenEpisodeCacheOptions) {
    const known = this.known;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
    const learnCompleteness = async () => {
      if (!known.complete) known.complete = await source.openIndexComplete();
    };
    this.#feed = new ChangeFedCache<OpenEpisodes, OpenEpisodeChange>({
      maxAgeMs: options.maxAgeMs,
      now: this.#now,
      ...(options.onError ? { onError: options.onError } : {}),
      loadAll: async () => {
        const [changes] = await Promise.all([source.openSince(null), learnCompleteness()]);
        for (const change of changes) known.filed(change);
        return known;
      },
      changedSince: async (since) => {
        const [changes] = await Promise.all([source.openSince(since), learnCompleteness()]);
        return changes;
      },
      apply: (value, change) => value.filed(change),
      onServed: (_kind, value, startedAt) => {
        value.fedAt = startedAt;
      },
    });
  }

  /**
   * The knowledge to skip by now, or null when nothing may be skipped: the index is not
   * complete yet, could not be read at a cold start, or not for longer than twice `maxAgeMs`.
   */
  async current(): Promise<OpenEpisodes | null> {
    let known: OpenEpisodes;
    try {
      known = await this.#feed.current();
    } catch {
      // The cold start's read failed (told to onError): every episode is read meanwhile.
      return null;
    }
    if (!known.complete || this.#now() - known.fedAt > 2 * this.#maxAgeMs) return null;
    return known;
  }
}

/**
 * An episode store that tells a worker's knowledge of the episodes not at rest of every
 * episode it reads or stores, so its own changes apply at once.
 */
export class TrackedEpisodeStore implements EpisodeStore {
  readonly #store: EpisodeStore;
  readonly #known: OpenEpisodes;

  constructor(store: EpisodeStore, known: OpenEpisodes) {
    this.#store = store;
    this.#known = known;
  }

  async loadMany(keys: readonly { ruleId: string; deviceId: string }[]) {
    const states = await this.#store.loadMany(keys);
    for (const state of states.values()) this.#known.saw(state);
    return states;
  }

  async save(state: EpisodeState, expectedVersion: number) {
    const saved = await this.#store.save(state, expectedVersion);
    if (saved) this.#known.saw(saved);
    return saved;
  }

  async clearOutbox(state: EpisodeState): Promise<void> {
    await this.#store.clearOutbox(state);
    // Delivered: at rest at that version unless something else is open. Had the episode
    // moved on meanwhile, the index shows its newer version.
    this.#known.saw({ ...state, outbox: [] });
  }

  async listForRule(ruleId: string) {
    const states = await this.#store.listForRule(ruleId);
    for (const state of states) this.#known.saw(state);
    return states;
  }
}
