import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PageRequest } from '../domain/pagination.ts';
import type { Page, ReadingStore, TimeRange } from '../domain/ports.ts';
import type { Reading } from '../domain/reading.ts';
import { tables } from '../infra/resources.ts';
import { batchWrite, expiresAt, queryPage } from './dynamodb-pages.ts';

const [byTime, byMetric] = tables.readings.globalSecondaryIndexes;

/**
 * Readings keyed by device and reading id, so a redelivered or retried reading overwrites
 * itself instead of adding a copy; two indexes serve the newest-first listings.
 */
export class DynamoDbReadingStore implements ReadingStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionDays: number;

  constructor(client: DynamoDBDocumentClient, tableName: string, retentionDays: number) {
    this.#client = client;
    this.#tableName = tableName;
    this.#retentionDays = retentionDays;
  }

  async saveMany(readings: readonly Reading[]): Promise<void> {
    // One item per (device, id): a repeated reading in the batch is written once.
    const items = new Map<string, Record<string, unknown>>();
    for (const reading of readings) {
      items.set(`${reading.deviceId}#${reading.id}`, {
        ...reading,
        timeKey: `${reading.timestamp}#${reading.id}`,
        deviceMetric: `${reading.deviceId}#${reading.metric}`,
        expiresAt: expiresAt(reading.timestamp, this.#retentionDays),
      });
    }
    await batchWrite(
      this.#client,
      this.#tableName,
      [...items.values()].map((Item) => ({ PutRequest: { Item } })),
    );
  }

  list(
    query: { deviceId: string; metric: string | null } & TimeRange,
    page: PageRequest,
  ): Promise<Page<Reading>> {
    const byDeviceMetric = query.metric !== null;
    return queryPage(
      this.#client,
      {
        table: tables.readings,
        tableName: this.#tableName,
        index: byDeviceMetric ? byMetric : byTime,
        partitionValue: byDeviceMetric ? `${query.deviceId}#${query.metric}` : query.deviceId,
        range: query,
      },
      page,
      toReading,
    );
  }
}

function toReading(item: Record<string, unknown>): Reading {
  return {
    id: item.id as string,
    deviceId: item.deviceId as string,
    metric: item.metric as string,
    value: item.value as number,
    timestamp: item.timestamp as string,
  };
}
