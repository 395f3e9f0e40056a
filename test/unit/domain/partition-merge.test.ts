import { describe, expect, it } from 'vitest';
import {
  mergeNewestFirst,
  type PartitionRead,
  partitionStarts,
} from '../../../domain/partition-merge.ts';

/** A partition's items by sort key, newest first, and a query of it as DynamoDB answers. */
function partition(name: string, keys: string[], matches: (key: string) => boolean = () => true) {
  const sorted = [...keys].sort().reverse();
  return (after: string | null, limit: number): PartitionRead<string> => {
    const rest = after === null ? sorted : sorted.filter((key) => key < after);
    const evaluated = rest.slice(0, limit);
    return {
      partition: name,
      after,
      items: evaluated.filter(matches).map((key) => ({ sortKey: key, item: key })),
      lastEvaluated: rest.length > limit ? (evaluated.at(-1) ?? null) : null,
    };
  };
}

/** Pages through the partitions as the alert store does, returning every page's items. */
function pages(parts: ReturnType<typeof partition>[], names: string[], limit: number) {
  const byName = new Map(names.map((name, i) => [name, parts[i]!]));
  const result: string[][] = [];
  let after: Record<string, string> | null = null;
  do {
    const starts = partitionStarts(after, names, () => true);
    const reads = starts.map((start) => byName.get(start.partition)!(start.after, limit));
    const page = mergeNewestFirst(reads, limit);
    result.push(page.items);
    after = page.next;
  } while (after !== null && result.length < 100);
  return result;
}

describe('merging partitions newest first', () => {
  const names = ['p0', 'p1', 'p2'];

  it('given three partitions and pages of two, then every item comes once, newest first, in full pages', () => {
    // Prepare
    const parts = [
      partition('p0', ['t09', 't08', 't07', 't01']),
      partition('p1', ['t06', 't02']),
      partition('p2', ['t05', 't04', 't03']),
    ];

    // Act
    const result = pages(parts, names, 2);

    // Assess
    expect(result).toEqual([
      ['t09', 't08'],
      ['t07', 't06'],
      ['t05', 't04'],
      ['t03', 't02'],
      ['t01'],
    ]);
  });

  it('given a filter that leaves most items out, then pages may be short but keep the order and miss nothing', () => {
    // Prepare: only even minutes match
    const even = (key: string) => Number(key.slice(1)) % 2 === 0;
    const keys = Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const parts = names.map((name, p) =>
      partition(
        name,
        keys.filter((_, i) => i % 3 === p),
        even,
      ),
    );

    // Act
    const result = pages(parts, names, 2);

    // Assess
    const listed = result.flat();
    expect(listed).toEqual(keys.filter(even).reverse());
    for (const page of result) expect(page.length).toBeLessThanOrEqual(2);
  });

  it('given a filter that leaves out the newest items of one partition, then an older item of another waits until that partition is read past it', () => {
    // Prepare: p0's query stops at t8 with nothing matched; t7, which matches, is still unread
    const matches = (key: string) => key !== 't9' && key !== 't8';
    const parts = [
      partition('p0', ['t9', 't8', 't7'], matches),
      partition('p1', ['t1']),
      partition('p2', []),
    ];

    // Act
    const result = pages(parts, names, 2);

    // Assess
    expect(result[0]).toEqual([]);
    expect(result.flat()).toEqual(['t7', 't1']);
  });

  it('given empty partitions, then the one page is empty and there is no next page', () => {
    const page = mergeNewestFirst(
      names.map((name) => partition(name, [])(null, 5)),
      5,
    );
    expect(page).toEqual({ items: [], next: null });
  });

  it('given a partition whose newest items were not reached on the first page, then the next page starts it from its newest item', () => {
    // Prepare
    const reads = [partition('p0', ['t9', 't8', 't7'])(null, 2), partition('p1', ['t1'])(null, 2)];

    // Act
    const page = mergeNewestFirst(reads, 2);

    // Assess
    expect(page).toEqual({ items: ['t9', 't8'], next: { p0: 't8', p1: '' } });
    expect(partitionStarts(page.next, names, () => true)).toEqual([
      { partition: 'p0', after: 't8' },
      { partition: 'p1', after: null },
    ]);
  });
});

describe('partition starts from a token position', () => {
  const names = ['alert#0', 'alert#1'];
  const isKey = (key: string) => key.startsWith('2026-');

  it('given no position, then every partition starts from its newest item', () => {
    expect(partitionStarts(null, names, isKey)).toEqual([
      { partition: 'alert#0', after: null },
      { partition: 'alert#1', after: null },
    ]);
  });

  it.each([
    ['a partition the query does not read', { 'alert#0': '2026-05-01', 'device#D2': '2026-05-01' }],
    ['a sort key the query refuses', { 'alert#0': '1999-01-01' }],
    ['no partition at all', {}],
  ])('given a position with %s, then it is refused as not belonging to the query', (_, after) => {
    expect(() => partitionStarts(after, names, isKey)).toThrow(
      /nextToken does not belong to this query/,
    );
  });
});
