import { describe, expect, it } from 'vitest';
import { RuleCache } from '../../../domain/rule-cache.ts';
import { rule } from '../../support/builders.ts';

describe('RuleCache', () => {
  it('given a fresh index, then rules are not reloaded until it is older than the max age', async () => {
    let loads = 0;
    let clock = 0;
    const cache = new RuleCache(
      async () => {
        loads++;
        return [rule(`r${loads}`)];
      },
      2000,
      () => clock,
    );
    await Promise.all([cache.current(), cache.current()]);
    clock = 1999;
    await cache.current();
    expect(loads).toBe(1);
    clock = 2000;
    const index = await cache.current();
    expect(loads).toBe(2);
    expect(index.matching('D1', 'temperature')[0]?.id).toBe('r2');
  });
});
