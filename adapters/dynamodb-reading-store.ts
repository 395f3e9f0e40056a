import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors.ts';
import type { PageRequest } from '../domain/pagination.ts';
import { nextToken } from '../domain/pagination.ts';
import type { Page, ReadingStore, TimeRange } from '../domain/ports.ts';
import type { Reading } from '../domain/reading.ts';
import { formatDateTime } from '../domain/time.ts';
import type { ReadingCursor } from '../domain/reading-blocks.ts';
import {
  blockKeyRange,
  decodeReadings,
  encodeReadings,
  NewestFirstPage,
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
export class DynamoDbReadingStore implements ReadingStore {
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
