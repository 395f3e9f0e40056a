import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors.ts';
import { nextToken, type PageRequest } from '../domain/pagination.ts';
import type { Page, TimeRange } from '../domain/ports.ts';
import type { IndexDefinition, TableDefinition } from '../infra/resources.ts';

/** Sorts after every character an id may hold, closing a `<timestamp>#<id>` range. */
const RANGE_END = '#\uffff';

export interface IndexQuery {
  table: TableDefinition;
  tableName: string;
  index: IndexDefinition;
  partitionValue: string;
  /** Time bounds applied to the index sort key, which starts with an AWSDateTime. */
  range: TimeRange;
  /** Extra equality filters, e.g. the device when listing a rule's alerts. */
  filters?: { attribute: string; value: string }[];
}

/**
 * Runs one newest-first page of a GSI query, turning DynamoDB's LastEvaluatedKey into the
 * opaque `nextToken` and back. A start position from a token must sit in the partition
 * being queried, so no token can lead a query into another device's data.
 */
export async function queryPage<T>(
  client: DynamoDBDocumentClient,
  query: IndexQuery,
  page: PageRequest,
  toItem: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  if (page.after && !isPositionIn(page.after, query)) {
    throw new ValidationError('nextToken does not belong to this query', 'nextToken');
  }
  const result = await queryIndex(client, query, page.limit, page.after);
  return { items: result.items.map(toItem), nextToken: nextToken(result.lastEvaluated, page) };
}

/**
 * One newest-first query of an index partition: at most `limit` items evaluated, from the
 * start of the partition's range or after `startKey` (which the caller has checked).
 */
export async function queryIndex(
  client: DynamoDBDocumentClient,
  query: IndexQuery,
  limit: number,
  startKey: Record<string, string> | null,
): Promise<{ items: Record<string, unknown>[]; lastEvaluated: Record<string, string> | null }> {
  const { index, range } = query;
  const pk = index.partitionKey.name;
  const sk = index.sortKey.name;
  const conditions = ['#pk = :pk'];
  const values: Record<string, unknown> = { ':pk': query.partitionValue };
  if (range.from !== null && range.to !== null) {
    conditions.push('#sk BETWEEN :from AND :to');
    values[':from'] = range.from;
    values[':to'] = range.to + RANGE_END;
  } else if (range.from !== null) {
    conditions.push('#sk >= :from');
    values[':from'] = range.from;
  } else if (range.to !== null) {
    conditions.push('#sk <= :to');
    values[':to'] = range.to + RANGE_END;
  }
  const names: Record<string, string> = { '#pk': pk };
  if (conditions.length > 1) names['#sk'] = sk;
  const filterTerms = (query.filters ?? []).map(({ attribute, value }, i) => {
    names[`#filter${i}`] = attribute;
    values[`:filter${i}`] = value;
    return `#filter${i} = :filter${i}`;
  });
  const filterExpression = filterTerms.length > 0 ? filterTerms.join(' AND ') : undefined;
  const result = await client.send(
    new QueryCommand({
      TableName: query.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: conditions.join(' AND '),
      FilterExpression: filterExpression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey ?? undefined,
    }),
  );
  const last = result.LastEvaluatedKey as Record<string, string> | undefined;
  return { items: result.Items ?? [], lastEvaluated: last ?? null };
}

/** Whether a `<timestamp>#<id>` sort key lies within the time bounds a query reads. */
export function isInRange(sortKey: string, range: TimeRange): boolean {
  return (
    (range.from === null || sortKey >= range.from) &&
    (range.to === null || sortKey <= range.to + RANGE_END)
  );
}

/**
 * A start position is valid only if it names exactly the keys of the table and the index,
 * with the partition this query reads; anything else would be refused by DynamoDB, or lead
 * elsewhere.
 */
function isPositionIn(position: Record<string, string>, query: IndexQuery): boolean {
  const expected = new Set([
    query.table.partitionKey.name,
    ...(query.table.sortKey ? [query.table.sortKey.name] : []),
    query.index.partitionKey.name,
    query.index.sortKey.name,
  ]);
  const names = Object.keys(position);
  return (
    names.length === expected.size &&
    names.every((name) => expected.has(name)) &&
    position[query.index.partitionKey.name] === query.partitionValue
  );
}

/** Expiry time for DynamoDB TTL: `retentionDays` after the given AWSDateTime. */
export function expiresAt(time: string, retentionDays: number): number {
  return Math.floor(Date.parse(time) / 1000) + retentionDays * 24 * 3600;
}

/** DynamoDB takes at most 25 writes per BatchWriteItem call. */
const BATCH_WRITE_LIMIT = 25;

/**
 * Writes items in batches of 25, in parallel, resending what DynamoDB leaves unprocessed
 * (throttling) with backoff; fails if some still remain after a few tries.
 */
export async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: Record<string, unknown>[],
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) {
    chunks.push(requests.slice(start, start + BATCH_WRITE_LIMIT));
  }
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 5) throw new Error(`DynamoDB left ${pending.length} writes unprocessed`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const result = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = (result.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
      }
    }),
  );
}
