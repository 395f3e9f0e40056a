import { ValidationError } from './errors.ts';

/**
 * Where a page starts in one partition of a merged listing: after a sort key, or from its
 * newest item (`after` null). A partition read to its end has no start: it is left out.
 */
export interface PartitionStart {
  partition: string;
  after: string | null;
}

/** What one newest-first query of a partition returned for a page. */
export interface PartitionRead<T> {
  partition: string;
  /** The start the query was given. */
  after: string | null;
  /** The items that matched, newest (highest sort key) first. */
  items: readonly { sortKey: string; item: T }[];
  /**
   * The sort key of the last item the query evaluated, matched or not (DynamoDB's
   * LastEvaluatedKey), or null when the partition holds nothing further.
   */
  lastEvaluated: string | null;
}

/** How a start from the newest item is written in a token position (values are strings). */
const FROM_NEWEST = '';

/**
 * Reads the partition starts of a merged listing from a page's position. The first page
 * starts every partition from its newest item; a later page, the partitions its position
 * names. A position naming anything but these partitions, or a sort key `isSortKey`
 * refuses, is refused like any token that does not belong to the query.
 */
export function partitionStarts(
  after: Readonly<Record<string, string>> | null,
  partitions: readonly string[],
  isSortKey: (sortKey: string) => boolean,
): PartitionStart[] {
  if (after === null) return partitions.map((partition) => ({ partition, after: null }));
  const known = new Set(partitions);
  const starts = Object.entries(after).map(([partition, sortKey]) => {
    if (!known.has(partition) || (sortKey !== FROM_NEWEST && !isSortKey(sortKey))) {
      throw new ValidationError('nextToken does not belong to this query', 'nextToken');
    }
    return { partition, after: sortKey === FROM_NEWEST ? null : sortKey };
  });
  if (starts.length === 0) {
    throw new ValidationError('nextToken does not belong to this query', 'nextToken');
  }
  return starts;
}

/**
 * Merges one query per partition into a page of at most `limit` items, newest first, and
 * the position the next page starts from in each partition (null when all are read).
 *
 * An item is placed only when no partition can still hold a newer one: a query that stopped
 * early (its `Limit`, or a filter leaving some of what it evaluated out) may have newer items
 * than another partition's, so items older than where any partition stopped wait for a later
 * page. Without filters every page is full; with them a page may be short, never out of order.
 * Sort keys are unique across partitions (they end with the item's id).
 */
export function mergeNewestFirst<T>(
  reads: readonly PartitionRead<T>[],
  limit: number,
): { items: T[]; next: Record<string, string> | null } {
  const cut = reads.reduce<string | null>(
    (highest, read) =>
      read.lastEvaluated !== null && (highest === null || read.lastEvaluated > highest)
        ? read.lastEvaluated
        : highest,
    null,
  );
  const placed = reads
    .flatMap((read) => read.items.map((entry) => ({ ...entry, partition: read.partition })))
    .filter((entry) => cut === null || entry.sortKey >= cut)
    .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0))
    .slice(0, limit);
  const next: Record<string, string> = {};
  for (const read of reads) {
    // What a page takes of one partition is always its newest items: a prefix of `items`.
    const taken = placed.filter((entry) => entry.partition === read.partition);
    const last = taken.at(-1);
    if (taken.length === read.items.length) {
      if (read.lastEvaluated !== null) next[read.partition] = read.lastEvaluated;
    } else {
      next[read.partition] = last?.sortKey ?? read.after ?? FROM_NEWEST;
    }
  }
  return {
    items: placed.map((entry) => entry.item),
    next: Object.keys(next).length > 0 ? next : null,
  };
}
