import { describe, expect, it } from 'vitest';
import { RuleIndex } from '../../../domain/rule-index.ts';
import { rule } from '../../support/builders.ts';

describe('RuleIndex', () => {
  it('given device, every-device and disabled rules, then a reading matches its device and every-device rules only', () => {
    const index = new RuleIndex([
      rule('for-d1', { deviceId: 'D1' }),
      rule('for-d2', { deviceId: 'D2' }),
      rule('for-all'),
      rule('other-metric', { metric: 'humidity' }),
      rule('disabled', { deviceId: 'D1', enabled: false }),
    ]);
    expect(
      index
        .matching('D1', 'temperature')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['for-all', 'for-d1']);
    expect(index.matching('D3', 'temperature').map((r) => r.id)).toEqual(['for-all']);
    expect(index.matching('D1', 'pressure')).toEqual([]);
    expect(index.size).toBe(4);
  });
});
