import { describe, expect, it } from 'vitest';
import { RuleCache, type RuleChange, type RuleSource } from '../../../domain/rule-cache.ts';
import { rule } from '../../support/builders.ts';
import { emfOf, pointsOf } from '../../support/emf.ts';

const MAX_AGE = 2000;

/** Rules to load whole, changes to read, and a clock that each read moves on by `readMs`. */
function setup(readMs: number) {
  let clock = 1_000_000;
  const changes: RuleChange[] = [];
  const source: RuleSource = {
    loadAll: async () => {
      clock += readMs;
      return [rule('r1'), rule('r2'), rule('r3')];
    },
    changedSince: async (since) => {
      clock += readMs;
      return changes.filter((change) => change.changedAt >= since);
    },
  };
  return { source, changes, now: () => clock, wait: (ms: number) => (clock += ms) };
}

describe('rule cache metrics', () => {
  it('given a cold worker, when it loads every rule, then a full refresh, its duration and the rules held are counted', async () => {
    const points = await emfOf(async (metrics) => {
      const { source, now } = setup(40);
      await new RuleCache(source, { maxAgeMs: MAX_AGE, now, metrics }).current();
    });

    expect(pointsOf(points, 'RuleRefreshes', { refresh: 'full' })).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    expect(pointsOf(points, 'RuleRefreshDuration', { refresh: 'full' })).toEqual([
      expect.objectContaining({ unit: 'Milliseconds', values: [40] }),
    ]);
    expect(pointsOf(points, 'RulesHeld')).toEqual([
      expect.objectContaining({ unit: 'Count', values: [3] }),
    ]);
  });

  it('given a warm worker idle past the refresh interval, when it reads the changes, then a refresh of changes is counted with the rules held after it', async () => {
    const points = await emfOf(async (metrics) => {
      const { source, changes, now, wait } = setup(5);
      const cache = new RuleCache(source, { maxAgeMs: MAX_AGE, now, metrics });
      await cache.current();
      changes.push({ id: 'r4', changedAt: now(), rule: { ...rule('r4'), enabled: true } });
      wait(MAX_AGE);
      await cache.current();
    });

    expect(pointsOf(points, 'RuleRefreshes', { refresh: 'changes' })).toEqual([
      expect.objectContaining({ values: [1] }),
    ]);
    expect(pointsOf(points, 'RuleRefreshDuration', { refresh: 'changes' })).toEqual([
      expect.objectContaining({ values: [5] }),
    ]);
    expect(pointsOf(points, 'RulesHeld')[0]?.values).toEqual([3, 4]);
  });
});
