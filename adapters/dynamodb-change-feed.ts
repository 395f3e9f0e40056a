import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexDefinition } from '../infra/resources.ts';

/*
 * The two reads of a change-fed table (rules, silences and windows, device labels): the full
 * load of a worker's cold start, and the changes since its last refresh. Every write stamps
 * the item with a change marker, `<writer's time>#<id>`, in the one partition of an index;
 * a deletion leaves a tombstone stamped alike (domain/rule-cache.ts `ruleChangeFeed`).
 */

/** An item's change marker now: its writer's time, then its id (unique keys in the index). */
export function changeMarker(id: string, now: number): string {
  return `${new Date(now).toISOString()}#${id}`;
}

/** The writer's time (epoch ms) of a change marker. */
export function changedAtOf(marker: string): number {
  return Date.parse(marker.slice(0, marker.indexOf('#')));
}

/** A projection: the attributes to read, by placeholder. */
export interface Projection {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
}

/** The items stamped in the `feed` partition of `index` at or after `since`, oldest first. */
export async function queryChangeFeed<T>(
  client: DynamoDBDocumentClient,
  feed: { tableName: string; index: IndexDefinition; partition: string; projection?: Projection },
  since: number,
  toChange: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  const { index, projection } = feed;
  const found: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: feed.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#feed = :feed AND #changed >= :since',
        ...(projection ? { ProjectionExpression: projection.ProjectionExpression } : {}),
        ExpressionAttributeNames: {
          ...projection?.ExpressionAttributeNames,
          '#feed': index.partitionKey.name,
          '#changed': index.sortKey.name,
        },
        ExpressionAttributeValues: {
          ':feed': feed.partition,
          ':since': new Date(Math.max(0, since)).toISOString(),
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) found.push(toChange(item));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/** Parallel segments of a full load's scan: the base tables spread their items by id. */
const LOAD_SEGMENTS = 4;

/**
 * Every item of a table that `keep` keeps (null drops it), read by a parallel scan: no index
 * partition gathers them, so a cold start's load is spread like the table.
 */
export async function scanAll<T>(
  client: DynamoDBDocumentClient,
  table: { tableName: string; projection?: Projection },
  keep: (item: Record<string, unknown>) => T | null,
): Promise<T[]> {
  const segments = await Promise.all(
    Array.from({ length: LOAD_SEGMENTS }, async (_, segment) => {
      const kept: T[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await client.send(
          new ScanCommand({
            TableName: table.tableName,
            Segment: segment,
            TotalSegments: LOAD_SEGMENTS,
            ...table.projection,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of result.Items ?? []) {
          const value = keep(item);
          if (value !== null) kept.push(value);
        }
        startKey = result.LastEvaluatedKey;
      } while (startKey);
      return kept;
    }),
  );
  return segments.flat();
}
