import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  alertShard,
  alertShardCount,
  alertShards,
  legacyAlertPartition,
} from '../../../domain/alert-partitions.ts';

describe('alert shards', () => {
  it('given the same id, then the shard is always the same, pinned to the FNV-1a values of the ids', () => {
    // FNV-1a 32 of "" is 0x811c9dc5 and of "a" 0xe40c292c (the published test vectors): 5 and 12
    // modulo 16. A change here moves stored alerts to shards no listing reads.
    expect(alertShard('')).toBe('alert#5');
    expect(alertShard('a')).toBe('alert#12');
    expect(alertShard('alert-1')).toBe('alert#7');
    expect(alertShard('ünïcödé')).toBe('alert#2');
    expect(alertShard('0123456789abcdef0123456789abcdef')).toBe('alert#5');
    expect(alertShard('alert-1')).toBe(alertShard('alert-1'));
  });

  it('given alert ids as evaluation makes them (hex digests), then every shard takes about one sixteenth', () => {
    // Prepare
    const counts = new Map<string, number>();

    // Act
    for (let i = 0; i < 16_000; i++) {
      const id = createHash('sha256').update(String(i)).digest('hex').slice(0, 32);
      const shard = alertShard(id);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }

    // Assess
    expect([...counts.keys()].sort()).toEqual([...alertShards].sort());
    for (const count of counts.values()) expect(count).toBeGreaterThan(850);
    for (const count of counts.values()) expect(count).toBeLessThan(1150);
  });

  it('given the shard values, then there are sixteen, none equal to the partition used before sharding', () => {
    expect(alertShards).toHaveLength(alertShardCount);
    expect(new Set(alertShards).size).toBe(16);
    expect(alertShards).not.toContain(legacyAlertPartition);
  });
});
