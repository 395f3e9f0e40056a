import type { AttributeValue, Projection, TableDescription } from '@aws-sdk/client-dynamodb';
import type { IndexDefinition, TableDefinition } from '../infra/resources.ts';

/**
 * What a table kept from an earlier start needs to match its definition. The DynamoDB
 * emulator can neither add nor change an index, so a table whose indexes differ is rebuilt
 * with its items; no table, here or in AWS, can change its own key, so a table whose key
 * differs cannot be kept.
 */
export type TableChange =
  { kind: 'none' } | { kind: 'rebuild'; reason: string } | { kind: 'replace'; reason: string };

/** Compares a kept table (DescribeTable) with its definition. */
export function tableChange(kept: TableDescription, table: TableDefinition): TableChange {
  const types = new Map(
    (kept.AttributeDefinitions ?? []).map((attribute) => [
      attribute.AttributeName,
      attribute.AttributeType,
    ]),
  );
  const keptKey = keyText(
    (kept.KeySchema ?? []).map((key) => ({
      name: key.AttributeName ?? '?',
      type: types.get(key.AttributeName) ?? '?',
    })),
  );
  const wantedKey = keyText([table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])]);
  if (keptKey !== wantedKey) {
    return { kind: 'replace', reason: `the key ${keptKey}, where its definition has ${wantedKey}` };
  }
  const keptIndexes = (kept.GlobalSecondaryIndexes ?? [])
    .map((index) =>
      indexText(
        index.IndexName ?? '?',
        (index.KeySchema ?? []).map((key) => ({
          name: key.AttributeName ?? '?',
          type: types.get(key.AttributeName) ?? '?',
        })),
        index.Projection ?? {},
      ),
    )
    .sort();
  const wantedIndexes = table.globalSecondaryIndexes
    .map((index) =>
      indexText(index.indexName, [index.partitionKey, index.sortKey], projectionOf(index)),
    )
    .sort();
  const removed = keptIndexes.filter((index) => !wantedIndexes.includes(index));
  const added = wantedIndexes.filter((index) => !keptIndexes.includes(index));
  if (removed.length === 0 && added.length === 0) return { kind: 'none' };
  return {
    kind: 'rebuild',
    reason: [
      ...removed.map((index) => `index ${index} removed`),
      ...added.map((index) => `index ${index} added`),
    ].join('; '),
  };
}

/**
 * The first item that a table made from `table` would refuse: one whose value for a key of
 * an index is not of the key's type. Rebuilding a table with such an item would drop it.
 */
export function itemRefused(
  items: readonly Record<string, AttributeValue>[],
  table: TableDefinition,
): { item: Record<string, AttributeValue>; attribute: string } | undefined {
  const keys = table.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]);
  for (const item of items) {
    for (const key of keys) {
      const value = item[key.name];
      if (value !== undefined && !(key.type in value)) return { item, attribute: key.name };
    }
  }
  return undefined;
}

/** What an index copies, as DynamoDB's API says it. */
export function projectionOf(index: IndexDefinition): Projection {
  if (index.nonKeyAttributes) {
    return { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] };
  }
  return { ProjectionType: index.projection ?? 'ALL' };
}

/** A key attribute: its name and type, as the definition or DescribeTable gives them. */
interface Key {
  name: string;
  type: string;
}

const keyText = (keys: readonly Key[]) =>
  keys.map((key) => `${key.name} (${key.type})`).join(' + ');

function indexText(name: string, keys: readonly Key[], projection: Projection): string {
  const copied = projection.ProjectionType ?? 'ALL';
  const attributes = [...(projection.NonKeyAttributes ?? [])].sort().join(', ');
  return `${name} on ${keyText(keys)} copying ${copied}${attributes ? ` (${attributes})` : ''}`;
}
