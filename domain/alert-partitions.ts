/**
 * The partitions of the fleet-wide alert listings (the `all` and `firing` indexes). One value
 * for every alert would put every alert write of the fleet on one index partition; instead
 * each alert belongs to one of `alertShardCount` partitions chosen by its id, and a listing
 * merges them newest first (domain/partition-merge.ts).
 *
 * The count is part of the stored data: an alert's partition is written with it, so changing
 * the count leaves alerts in partitions no listing reads until they are rewritten.
 */
export const alertShardCount = 16;

/**
 * The one partition alerts were listed under before sharding. Nothing writes it any more
 * (every write of an alert moves it to its shard), and TTL empties it within the retention
 * time; listings keep reading it until then (docs/architecture.md).
 */
export const legacyAlertPartition = 'alert';

/** Every shard value, `alert#0` to `alert#15`. */
export const alertShards: readonly string[] = Array.from(
  { length: alertShardCount },
  (_, shard) => `${legacyAlertPartition}#${shard}`,
);

/**
 * The shard of an alert: FNV-1a (32 bits) of the id's UTF-8 bytes, modulo the shard count.
 * It must never change for an id: every write of an alert rewrites its partition value, so a
 * different answer would move alerts between shards or list them twice while indexes catch up.
 */
export function alertShard(alertId: string): string {
  return alertShards[shardNumber(alertId)] as string;
}

/**
 * The partitions of the held alerts' index (`held#0`..`held#15`): alerts whose notifications
 * a silence or maintenance window holds, by the same shard as the alert's listings. A storm
 * under a silence writes them all at once; one partition would take every such write.
 */
export const heldShards: readonly string[] = Array.from(
  { length: alertShardCount },
  (_, shard) => `held#${shard}`,
);

export function heldShard(alertId: string): string {
  return heldShards[shardNumber(alertId)] as string;
}

/** FNV-1a (32 bits) of an id's UTF-8 bytes, modulo `count`: a shard that never changes for an id. */
export function shardNumber(id: string, count = alertShardCount): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(id, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}
