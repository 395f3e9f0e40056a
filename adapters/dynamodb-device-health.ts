import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Severity } from '../generated/graphql.ts';
import { type DeviceHealth, healthOf } from '../domain/device.ts';
import type { DeviceHealthSource } from '../domain/ports.ts';
import { tables } from '../infra/resources.ts';

const firingByDevice = tables.alerts.globalSecondaryIndexes.find(
  (index) => index.indexName === 'firingByDevice',
);
/** Queries in flight at once for one page of devices. */
const QUERIES_AT_ONCE = 16;
/**
 * Pages (up to 1 MB each, a few thousand alerts) read per device: a device has at most one
 * firing alert per rule, so this bounds the cost of a pathological device, not of a normal one.
 */
const MAX_PAGES_PER_DEVICE = 4;

/**
 * Each device's firing alerts, from the alerts table's sparse `firingByDevice` index (one
 * partition per device, holding only alerts firing now): one Query per device reading only
 * their severities.
 */
export class DynamoDbDeviceHealth implements DeviceHealthSource {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, alertsTableName: string) {
    if (!firingByDevice) throw new Error('The alerts table has no firingByDevice index');
    this.#client = client;
    this.#tableName = alertsTableName;
  }

  async healthOf(deviceIds: readonly string[]): Promise<Map<string, DeviceHealth>> {
    const health = new Map<string, DeviceHealth>();
    let next = 0;
    const lane = async () => {
      while (next < deviceIds.length) {
        const id = deviceIds[next++] as string;
        health.set(id, healthOf(await this.#firingSeverities(id)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(QUERIES_AT_ONCE, deviceIds.length) }, lane));
    return health;
  }

  async #firingSeverities(deviceId: string): Promise<Severity[]> {
    const index = firingByDevice as NonNullable<typeof firingByDevice>;
    const found: Severity[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES_PER_DEVICE; page++) {
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#device = :device',
          ProjectionExpression: '#severity',
          ExpressionAttributeNames: {
            '#device': index.partitionKey.name,
            '#severity': 'severity',
          },
          ExpressionAttributeValues: { ':device': deviceId },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) found.push(item.severity as Severity);
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return found;
  }
}
