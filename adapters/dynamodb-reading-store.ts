import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors.ts';
import type { PageRequest } from '../domain/pagination.ts';
import { nextToken } from '../domain/pagination.ts';
import type { Page, ReadingHistory, ReadingStore, TimeRange } from '../domain/ports.ts';
import type { Reading } from '../domain/reading.ts';
import { formatDateTime } from '../domain/time.ts';
import type { ReadingCursor } from '../domain/reading-blocks.ts';
import {
  blockKeyRange,
  decodeReadings,
  encodeReadings,
  NewestFirstPage,
  OldestFirstMerge,
  packBlocks,
} from '../domain/reading-blocks.ts';
import { batchWrite, expiresAt } from './dynamodb-pages.ts';

/** Blocks read per Query call while a page is assembled. */
const BLOCKS_PER_QUERY = 100;
/**
 * Query calls one page may make. A metric filter on a metric the device seldom sends, with
 * no time bounds, could otherwise read the device's whole history for one page.
 */
const MAX_QUERIES_PER_PAGE = 50;

/**
 * Readings in blocks (domain/reading-blocks.ts): one item per device, metric and worker
 * batch, keyed by device and `<newest timestamp>#<metric>#<content hash>`, without indexes.
 * Writing the same readings again writes the same item; copies that land in different
 * blocks are dropped when a listing merges them.
 */
export class DynamoDbReadingStore implements ReadingStore, ReadingHistory {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionDays: number;
  readonly #blocksPerQuery: number;

  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    retentionDays: number,
    blocksPerQuery = BLOCKS_PER_QUERY,
  ) {
    this.#client = client;
    this.#tableName = tableName;
    this.#retentionDays = retentionDays;
    this.#blocksPerQuery = blocksPerQuery;
  }

  async saveMany(readings: readonly Reading[]): Promise<void> {
    await batchWrite(
      this.#client,
      this.#tableName,
      packBlocks(readings).map((block) => ({
        PutRequest: {
          Item: {
            deviceId: block.deviceId,
            blockKey: block.key,
            metric: block.metric,
            start: block.start,
            end: block.end,
            count: block.readings.length,
            readings: encodeReadings(block.readings),
            expiresAt: expiresAt(block.end, this.#retentionDays),
          },
        },
      })),
    );
  }

  async list(
    query: { deviceId: string; metric: string | null } & TimeRange,
    page: PageRequest,
  ): Promise<Page<Reading>> {
    const after = page.after === null ? null : cursorOf(page.after);
    const { low, high } = blockKeyRange(query, after);
    const conditions = ['deviceId = :device'];
    const values: Record<string, unknown> = { ':device': query.deviceId };
    if (low !== null) values[':low'] = low;
    if (high !== null) values[':high'] = high;
    if (low !== null && high !== null) conditions.push('blockKey BETWEEN :low AND :high');
    else if (low !== null) conditions.push('blockKey >= :low');
    else if (high !== null) conditions.push('blockKey <= :high');
    if (query.metric !== null) values[':metric'] = query.metric;

    const assembled = new NewestFirstPage(query, after, page.limit);
    let start: Record<string, unknown> | undefined;
    let queries = 0;
    do {
      if (++queries > MAX_QUERIES_PER_PAGE) {
        throw new ValidationError(
          `This page needs more than ${MAX_QUERIES_PER_PAGE * this.#blocksPerQuery} stored blocks of readings; narrow it with from and to, or a smaller limit`,
          'from',
        );
      }
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: conditions.join(' AND '),
          FilterExpression: query.metric === null ? undefined : 'metric = :metric',
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: this.#blocksPerQuery,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of result.Items ?? []) {
        assembled.add(
          decodeReadings(query.deviceId, item.metric as string, item.readings as string),
        );
      }
      start = result.LastEvaluatedKey;
      // Every block still to come ends no later than where this query page stopped.
      const reachedKey = (start?.blockKey as string | undefined) ?? '';
      if (start && assembled.complete(reachedKey.slice(0, reachedKey.indexOf('#')))) break;
    } while (start);

    const { items, after: last } = assembled.result(start !== undefined);
    return { items, nextToken: nextToken(last === null ? null : { ...last }, page) };
  }

  /**
   * A replay's read: the device's blocks that can hold readings of the range, in ascending
   * key order, as many per Query call as one response carries (1 MB), merged oldest first
   * (OldestFirstMerge). The next Query call is on its way while a response's readings are
   * replayed.
   */
  async *oldestFirst(query: {
    deviceId: string;
    metric: string;
    from: string;
    to: string;
  }): AsyncIterable<readonly Reading[]> {
    const { low, high } = blockKeyRange(query, null);
    const request = (start: Record<string, unknown> | undefined): Promise<QueryCommandOutput> =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'deviceId = :device AND blockKey BETWEEN :low AND :high',
          FilterExpression: 'metric = :metric',
          ExpressionAttributeValues: {
            ':device': query.deviceId,
            ':low': low,
            ':high': high,
            ':metric': query.metric,
          },
          ProjectionExpression: '#end, readings',
          ExpressionAttributeNames: { '#end': 'end' },
          ScanIndexForward: true,
          ExclusiveStartKey: start,
        }),
      );
    const merge = new OldestFirstMerge(query);
    let pending: Promise<QueryCommandOutput> | null = request(undefined);
    try {
      while (pending) {
        const result: QueryCommandOutput = await pending;
        pending = result.LastEvaluatedKey ? request(result.LastEvaluatedKey) : null;
        for (const item of result.Items ?? []) {
          const readings = decodeReadings(query.deviceId, query.metric, item.readings as string);
          const final = merge.add(readings, item.end as string);
          if (final.length > 0) yield final;
        }
      }
    } finally {
      // A replay that stops early (its budget spent) leaves the read ahead unread.
      pending?.catch(() => undefined);
    }
    const rest = merge.finish();
    if (rest.length > 0) yield rest;
  }
}

/** A page position from a token: the last reading's time and id, nothing else. */
function cursorOf(position: Record<string, string>): ReadingCursor {
  const { timestamp, id, metric, ...rest } = position;
  if (
    typeof timestamp !== 'string' ||
    typeof id !== 'string' ||
    typeof metric !== 'string' ||
    Object.keys(rest).length > 0 ||
    !isStoredTime(timestamp)
  ) {
    throw new ValidationError('nextToken does not belong to this query', 'nextToken');
  }
  return { timestamp, id, metric };
}

/** A time as readings store it (fixed-width AWSDateTime), so key comparisons hold. */
function isStoredTime(value: string): boolean {
  const at = Date.parse(value);
  return !Number.isNaN(at) && value.length === 24 && formatDateTime(at) === value;
}
