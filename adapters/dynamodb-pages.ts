import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors.ts';
import { nextToken, type PageRequest } from '../domain/pagination.ts';
import type { Page, TimeRange } from '../domain/ports.ts';
import type { IndexDefinition } from '../infra/resources.ts';

/** Sorts after every character an id may hold, closing a `<timestamp>#<id>` range. */
const RANGE_END = '#\uffff';

export interface IndexQuery {
  tableName: string;
  index: IndexDefinition;
  partitionValue: string;
  /** Time bounds applied to the index sort key, which starts with an AWSDateTime. */
  range: TimeRange;
  /** Optional extra equality filter, e.g. the device when listing a rule's alerts. */
  filter?: { attribute: string; value: string };
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
  const { index, range } = query;
  const pk = index.partitionKey.name;
  const sk = index.sortKey.name;
  if (page.after && page.after[pk] !== query.partitionValue) {
    throw new ValidationError('nextToken does not belong to this query', 'nextToken');
  }
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
  let filterExpression: string | undefined;
  if (query.filter) {
    names['#filter'] = query.filter.attribute;
    values[':filter'] = query.filter.value;
    filterExpression = '#filter = :filter';
  }
  const result = await client.send(
    new QueryCommand({
      TableName: query.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: conditions.join(' AND '),
      FilterExpression: filterExpression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: page.after ?? undefined,
    }),
  );
  const items = (result.Items ?? []).map(toItem);
  const last = result.LastEvaluatedKey as Record<string, string> | undefined;
  return { items, nextToken: nextToken(last ?? null, page) };
}

/** Expiry time for DynamoDB TTL: `retentionDays` after the given AWSDateTime. */
export function expiresAt(time: string, retentionDays: number): number {
  return Math.floor(Date.parse(time) / 1000) + retentionDays * 24 * 3600;
}
