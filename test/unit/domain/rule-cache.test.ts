import { describe, expect, it, vi } from 'vitest';
import {
  RuleCache,
  type RuleChange,
  ruleChangeFeed,
  type RuleSource,
} from '../../../domain/rule-cache.ts';
import type { RuleIndex } from '../../../domain/rule-index.ts';
import type { Rule } from '../../../domain/rule.ts';
import { rule } from '../../support/builders.ts';

const MAX_AGE = 2000;

/** A rule source whose answers the test hands out one at a time. */
class FakeSource implements RuleSource {
  rules: Rule[] = [];
  changes: RuleChange[] = [];
  loads = 0;
  readonly asked: number[] = [];
  /** While set, changedSince waits for `release()`. */
  held = false;
  #release: (() => void) | null = null;

  async loadAll() {
    this.loads++;
    return [...this.rules];
  }

  async changedSince(since: number): Promise<RuleChange[]> {
    this.asked.push(since);
    if (this.held) await new Promise<void>((resolve) => (this.#release = resolve));
    return this.changes.filter((change) => change.changedAt >= since);
  }

  release(): void {
    this.held = false;
    this.#release?.();
  }
}

function setup(rules: Rule[] = [rule('r1', { deviceId: 'D1' })]) {
  const source = new FakeSource();
  source.rules = rules;
  let clock = 1_000_000;
  const errors: unknown[] = [];
  const cache = new RuleCache(source, {
    maxAgeMs: MAX_AGE,
    now: () => clock,
    onError: (error) => errors.push(error),
  });
  return {
    source,
    cache,
    errors,
    at: (ms: number) => (clock = ms),
    now: () => clock,
  };
}

const ids = (index: RuleIndex, deviceId = 'D1') =>
  index
    .matching(deviceId, 'temperature')
    .map((r) => r.id)
    .sort();

describe('RuleCache', () => {
  it('given a cold start, then every rule is loaded once however many callers wait for it', async () => {
    const { source, cache } = setup();
    const [a, b] = await Promise.all([cache.current(), cache.current()]);
    expect(source.loads).toBe(1);
    expect(a).toBe(b);
    expect(ids(a)).toEqual(['r1']);
    expect(source.asked).toEqual([]);
  });

  it('given a fresh index, then nothing is read until it is half the max age old', async () => {
    const { source, cache, at, now } = setup();
    await cache.current();
    at(now() + MAX_AGE / 2 - 1);
    await cache.current();
    expect(source.asked).toEqual([]);
  });

  it('given a busy worker, when a refresh is running, then callers are served the last index without waiting and one refresh runs at a time', async () => {
    const { source, cache, at, now } = setup();
    const loaded = await cache.current();
    const start = now();
    source.held = true;
    source.changes = [{ id: 'r2', changedAt: start + 10, rule: rule('r2', { deviceId: 'D1' }) }];
    at(start + MAX_AGE / 2);
    // Each call resolves with the index as it was while the refresh is still held.
    for (let i = 0; i < 5; i++) {
      at(now() + 100);
      expect(ids(await cache.current())).toEqual(['r1']);
    }
    expect(source.asked).toHaveLength(1);
    source.release();
    await vi.waitFor(() => expect(ids(loaded)).toEqual(['r1', 'r2']));
    expect(ids(await cache.current())).toEqual(['r1', 'r2']);
    expect(source.loads).toBe(1);
  });

  it('given created, updated, disabled and deleted rules, then a refresh applies each to the same index without loading every rule', async () => {
    const { source, cache, at, now } = setup([
      rule('kept', { deviceId: 'D1' }),
      rule('updated', { deviceId: 'D1', threshold: 60 }),
      rule('disabled', { deviceId: 'D1' }),
      rule('deleted'),
    ]);
    const index = await cache.current();
    expect(ids(index)).toEqual(['deleted', 'disabled', 'kept', 'updated']);
    const t = now() + 500;
    source.changes = [
      { id: 'created', changedAt: t, rule: rule('created', { deviceId: 'D1' }) },
      { id: 'updated', changedAt: t, rule: rule('updated', { deviceId: 'D1', threshold: 90 }) },
      { id: 'disabled', changedAt: t, rule: rule('disabled', { deviceId: 'D1', enabled: false }) },
      { id: 'deleted', changedAt: t, rule: null },
    ];
    at(now() + MAX_AGE);
    expect(await cache.current()).toBe(index);
    expect(ids(index)).toEqual(['created', 'kept', 'updated']);
    expect(index.get('updated')?.threshold).toBe(90);
    expect(index.size).toBe(3);
    expect(source.loads).toBe(1);
  });

  it('given the previous refresh, then the next one reads from its start less the overlap, and a change read twice is applied once', async () => {
    const { source, cache, at, now } = setup();
    const index = await cache.current();
    const loadedAt = now();
    const t = loadedAt + 100;
    source.changes = [{ id: 'r2', changedAt: t, rule: rule('r2') }];
    at(loadedAt + MAX_AGE);
    await cache.current();
    const refreshedAt = now();
    const upsert = vi.spyOn(index, 'upsert');
    at(refreshedAt + MAX_AGE);
    await cache.current();
    expect(source.asked).toEqual([
      loadedAt - ruleChangeFeed.overlapMs,
      refreshedAt - ruleChangeFeed.overlapMs,
    ]);
    expect(upsert).not.toHaveBeenCalled();
    // A newer write of the same rule is applied.
    source.changes = [{ id: 'r2', changedAt: t + 50, rule: rule('r2', { threshold: 75 }) }];
    at(now() + MAX_AGE);
    await cache.current();
    expect(upsert).toHaveBeenCalledTimes(1);
    expect(index.get('r2')?.threshold).toBe(75);
  });

  it('given an idle worker, when asked after the max age, then it waits for the changes before evaluating', async () => {
    const { source, cache, at, now } = setup();
    await cache.current();
    source.changes = [{ id: 'r2', changedAt: now() + 10, rule: rule('r2', { deviceId: 'D1' }) }];
    at(now() + MAX_AGE);
    expect(ids(await cache.current())).toEqual(['r1', 'r2']);
  });

  it('given a gap longer than tombstones are kept, then every rule is loaded again and rules deleted meanwhile are gone', async () => {
    const { source, cache, at, now } = setup([rule('r1', { deviceId: 'D1' }), rule('gone')]);
    expect(ids(await cache.current())).toEqual(['gone', 'r1']);
    source.rules = [rule('r1', { deviceId: 'D1' })];
    at(now() + ruleChangeFeed.fullReloadAfterMs - 1);
    await cache.current();
    expect(source.loads).toBe(1);
    at(now() + ruleChangeFeed.fullReloadAfterMs);
    expect(ids(await cache.current())).toEqual(['r1']);
    expect(source.loads).toBe(2);
  });

  it('given a refresh that fails, then the last index is served, the error reported, and the refresh retried', async () => {
    const { source, cache, errors, at, now } = setup();
    await cache.current();
    const failing = vi.spyOn(source, 'changedSince').mockRejectedValueOnce(new Error('throttled'));
    at(now() + MAX_AGE);
    expect(ids(await cache.current())).toEqual(['r1']);
    expect(errors).toEqual([new Error('throttled')]);
    source.changes = [{ id: 'r2', changedAt: now(), rule: rule('r2', { deviceId: 'D1' }) }];
    at(now() + MAX_AGE);
    expect(ids(await cache.current())).toEqual(['r1', 'r2']);
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('given a cold start that fails, then the caller gets the error and the next call loads again', async () => {
    const { source, cache } = setup();
    vi.spyOn(source, 'loadAll').mockRejectedValueOnce(new Error('unreachable'));
    await expect(cache.current()).rejects.toThrow('unreachable');
    expect(ids(await cache.current())).toEqual(['r1']);
  });

  it('given a refresh that never ends, then after ten max ages it is abandoned and its late answer ignored', async () => {
    const { source, cache, at, now } = setup();
    const index = await cache.current();
    source.held = true;
    source.changes = [{ id: 'late', changedAt: now(), rule: rule('late', { deviceId: 'D1' }) }];
    at(now() + MAX_AGE / 2);
    await cache.current();
    const stuckSince = now();
    at(stuckSince + 10 * MAX_AGE - 1);
    await cache.current();
    expect(source.asked).toHaveLength(1);
    // The stuck call is dropped; a new one starts (and is waited for: nothing refreshed).
    const abandoned = source.release.bind(source);
    source.held = false;
    source.changes = [];
    at(stuckSince + 10 * MAX_AGE);
    await cache.current();
    expect(source.asked).toHaveLength(2);
    source.changes = [
      { id: 'late', changedAt: stuckSince, rule: rule('late', { deviceId: 'D1' }) },
    ];
    abandoned();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ids(index)).toEqual(['r1']);
  });
});
