import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  afterSighting,
  type Device,
  type DeviceChange,
  type DeviceFilter,
  type DeviceSighting,
  passesFilter,
  planSighting,
  type SeenMarks,
  seenMarks,
  type SightingWrite,
} from '../domain/device.ts';
import { ValidationError } from '../domain/errors.ts';
import type { Labels } from '../domain/labels.ts';
import { nextToken, type PageRequest } from '../domain/pagination.ts';
import type { DeviceLabelChange, DeviceStore, Page } from '../domain/ports.ts';
import { ruleChangeFeed } from '../domain/rule-cache.ts';
import { tables } from '../infra/resources.ts';
import { changedAtOf, changeMarker, queryChangeFeed } from './dynamodb-change-feed.ts';
import { isConditionFailure } from './dynamodb-condition.ts';

const [all, labelChanges] = tables.devices.globalSecondaryIndexes;
/** The one value of `all`'s partition key, written when a device enters and never changed. */
const KIND = 'device';
/** The one partition of `labelChanges`: see infra/resources.ts on why one is enough. */
const LABEL_FEED = 'labels';
/** A device that is in the inventory: there is an item, and it is not a tombstone. */
const LIVE = 'attribute_exists(deviceId) AND attribute_not_exists(deletedAt)';
/** DynamoDB returns at most 100 items per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;
/** Tries of one device's sighting write that lose a race before the batch gives up on it. */
const SIGHTING_ATTEMPTS = 3;
/** Sighting writes in flight at once. */
const WRITES_AT_ONCE = 16;
/**
 * Devices one filtered `list` call reads at most before it returns what it found with a
 * nextToken, so a filter that matches few devices of a large fleet costs a bounded call.
 */
const MAX_EXAMINED_PER_CALL = 1000;
/** Keys a filtered `list` reads per round (two BatchGetItem calls). */
const FILTER_CHUNK = 200;
/**
 * Devices whose times a worker keeps in memory (about 200 bytes each), so that a sighting
 * within the granularity of what it knows costs no read and no write.
 */
const REMEMBERED_DEVICES = 100_000;

/**
 * The device inventory, one item per device keyed by its id. The worker's sighting writes
 * update one attribute path each (a metric's latest value, the seen times), each conditional
 * on the stored value not being newer, so concurrent workers never lose or undo each other's
 * values; people's writes touch only `name` and `labels`, and stamp a label change with its
 * writer's time (`labelsChangedKey`, in the `labelChanges` index). A removed device leaves a
 * tombstone (no device fields, out of every listing, expired by TTL after
 * `ruleChangeFeed.tombstoneRetentionMs`), so workers holding labels learn of it too. `all`
 * (keys only) lists the fleet by id: see infra/resources.ts for why its one partition cannot
 * become hot.
 */
export class DynamoDbDeviceStore implements DeviceStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  /** What this process last read or wrote of a device's times, most recent last. */
  readonly #remembered = new Map<string, SeenMarks>();

  readonly #now: () => number;

  constructor(client: DynamoDBDocumentClient, tableName: string, now: () => number = Date.now) {
    this.#client = client;
    this.#tableName = tableName;
    this.#now = now;
  }

  /** Also remembers each device's times, so its next sighting in this process costs no read. */
  async loadMany(ids: readonly string[], consistent = false): Promise<Map<string, Device>> {
    const items = await this.#getItems([...new Set(ids)], consistent);
    const devices = new Map([...items].map(([id, item]) => [id, toDevice(item)]));
    for (const [id, device] of devices) this.#remember(id, seenMarks(device));
    return devices;
  }

  async get(id: string): Promise<Device | null> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { deviceId: id }, ConsistentRead: true }),
    );
    return result.Item && isLive(result.Item) ? toDevice(result.Item) : null;
  }

  /**
   * A device this process remembers costs no read; the others are read (one BatchGetItem per
   * 100). Each is written only when `planSighting` says so. A stale memory is safe: stored
   * times only move forward (a first seen only back), so what is not due by the memory is not
   * due by the store either; a write the store has passed meanwhile is refused by its
   * conditions, and the device is read and planned again. (A device removed meanwhile comes
   * back with its first write due, within the granularity.)
   */
  async recordSightings(sightings: readonly DeviceSighting[], now: number): Promise<void> {
    const unknown = sightings
      .map(({ deviceId }) => deviceId)
      .filter((id) => !this.#remembered.has(id));
    const loaded = await this.#getItems(unknown, false);
    const known = new Map<string, SeenMarks | null>();
    for (const { deviceId } of sightings) {
      const item = loaded.get(deviceId);
      known.set(
        deviceId,
        item ? seenMarks(toDevice(item)) : (this.#remembered.get(deviceId) ?? null),
      );
    }
    const errors: unknown[] = [];
    let next = 0;
    const lane = async () => {
      while (next < sightings.length) {
        const sighting = sightings[next++] as DeviceSighting;
        try {
          await this.#record(sighting, known.get(sighting.deviceId) ?? null, now);
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITES_AT_ONCE, sightings.length) }, lane));
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${errors.length} of ${sightings.length} devices not recorded`,
      );
    }
  }

  async #record(sighting: DeviceSighting, initial: SeenMarks | null, now: number): Promise<void> {
    let known = initial;
    for (let attempt = 0; attempt < SIGHTING_ATTEMPTS; attempt++) {
      const write = planSighting(known, sighting, now);
      if (write === null) {
        if (known) this.#remember(sighting.deviceId, known);
        return;
      }
      if (await this.#write(write)) {
        this.#remember(sighting.deviceId, afterSighting(known, write));
        return;
      }
      // Another worker (or a deletion) got there first: plan again from what is stored now.
      const stored = await this.get(sighting.deviceId);
      known = stored ? seenMarks(stored) : null;
    }
    this.#remembered.delete(sighting.deviceId);
    throw new Error(`Device ${sighting.deviceId} kept changing; its sighting was not recorded`);
  }

  /** One conditional UpdateItem; false when a condition refused it. */
  async #write(write: SightingWrite): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const conditions: string[] = [];
    if (write.create) {
      Object.assign(names, { '#kind': 'kind', '#labels': 'labels', '#latest': 'latest' });
      Object.assign(values, {
        ':kind': KIND,
        ':labels': {},
        ':first': write.firstSeenAt,
        ':last': write.lastSeenAt,
        ':latest': write.latest,
      });
      sets.push(
        '#kind = :kind',
        '#labels = :labels',
        'firstSeenAt = :first',
        'lastSeenAt = :last',
        '#latest = :latest',
      );
      // A removed device comes back as new: its tombstone becomes the device again.
      removes.push('deletedAt', 'expiresAt');
      conditions.push('(attribute_not_exists(deviceId) OR attribute_exists(deletedAt))');
    } else {
      conditions.push(LIVE);
      Object.entries(write.latest).forEach(([metric, value], i) => {
        names['#latest'] = 'latest';
        names['#ts'] = 'timestamp';
        names[`#m${i}`] = metric;
        values[`:m${i}`] = value;
        values[`:t${i}`] = value.timestamp;
        sets.push(`#latest.#m${i} = :m${i}`);
        conditions.push(`(attribute_not_exists(#latest.#m${i}) OR #latest.#m${i}.#ts < :t${i})`);
      });
      if (write.lastSeenAt !== null) {
        values[':last'] = write.lastSeenAt;
        sets.push('lastSeenAt = :last');
        conditions.push('lastSeenAt < :last');
      }
      if (write.firstSeenAt !== null) {
        values[':first'] = write.firstSeenAt;
        sets.push('firstSeenAt = :first');
        conditions.push('firstSeenAt > :first');
      }
    }
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { deviceId: write.deviceId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  #remember(deviceId: string, marks: SeenMarks): void {
    this.#remembered.delete(deviceId);
    this.#remembered.set(deviceId, marks);
    if (this.#remembered.size > REMEMBERED_DEVICES) {
      const oldest = this.#remembered.keys().next().value as string;
      this.#remembered.delete(oldest);
    }
  }

  /**
   * Devices by id from `all` (keys only), each read from the table; with a filter, rounds of
   * keys are read and filtered until the page is full, the fleet ends, or
   * MAX_EXAMINED_PER_CALL devices were read, and the token resumes after the last device read.
   */
  async list(filter: DeviceFilter, page: PageRequest): Promise<Page<Device>> {
    const filtering = filter.selector !== null || filter.search !== null;
    let after = page.after ? startKey(page.after) : undefined;
    const items: Device[] = [];
    let examined = 0;
    for (;;) {
      const want = filtering
        ? Math.min(FILTER_CHUNK, MAX_EXAMINED_PER_CALL - examined)
        : page.limit - items.length;
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: all.indexName,
          KeyConditionExpression: '#kind = :kind',
          ExpressionAttributeNames: { '#kind': all.partitionKey.name },
          ExpressionAttributeValues: { ':kind': KIND },
          ExclusiveStartKey: after,
          Limit: want,
        }),
      );
      const ids = (result.Items ?? []).map((item) => item.deviceId as string);
      const found = await this.#getItems(ids, false);
      const more = result.LastEvaluatedKey !== undefined;
      for (const [i, id] of ids.entries()) {
        examined++;
        const item = found.get(id);
        // Gone between the index and the table: removed meanwhile.
        if (!item) continue;
        const device = toDevice(item);
        if (!passesFilter(device, filter)) continue;
        items.push(device);
        if (items.length === page.limit) {
          const last = i === ids.length - 1 && !more;
          return { items, nextToken: last ? null : nextToken(position(id), page) };
        }
      }
      if (!more) return { items, nextToken: null };
      const lastId = ids.at(-1) ?? (result.LastEvaluatedKey?.deviceId as string);
      after = startKey(position(lastId));
      if (!filtering || examined >= MAX_EXAMINED_PER_CALL) {
        return { items, nextToken: nextToken(position(lastId), page) };
      }
    }
  }

  async update(id: string, change: DeviceChange): Promise<Device | null> {
    const sets: string[] = [];
    const removes: string[] = [];
    const values: Record<string, unknown> = {};
    if (change.name !== undefined) {
      if (change.name === null) removes.push('#name');
      else {
        sets.push('#name = :name');
        values[':name'] = change.name;
      }
    }
    if (change.labels !== undefined) {
      const stamp = labelStamp(id, this.#now());
      sets.push('#labels = :labels', 'labelFeed = :feed', 'labelsChangedKey = :changed');
      Object.assign(values, {
        ':labels': change.labels,
        ':feed': stamp.labelFeed,
        ':changed': stamp.labelsChangedKey,
      });
    }
    if (sets.length === 0 && removes.length === 0) return this.get(id);
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { deviceId: id },
          UpdateExpression: [
            sets.length > 0 ? `SET ${sets.join(', ')}` : '',
            removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: LIVE,
          ExpressionAttributeNames: {
            ...(change.name !== undefined ? { '#name': 'name' } : {}),
            ...(change.labels !== undefined ? { '#labels': 'labels' } : {}),
          },
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toDevice(result.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const now = this.#now();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            deviceId: id,
            deletedAt: new Date(now).toISOString(),
            expiresAt: Math.ceil((now + ruleChangeFeed.tombstoneRetentionMs) / 1000),
            ...labelStamp(id, now),
          },
          ConditionExpression: LIVE,
        }),
      );
      this.#remembered.delete(id);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The devices stamped in `labelChanges` at or after `since`, oldest first. */
  labelsChangedSince(since: number): Promise<DeviceLabelChange[]> {
    const feed = { tableName: this.#tableName, index: labelChanges, partition: LABEL_FEED };
    return queryChangeFeed(this.#client, feed, since, (item) => ({
      id: item.deviceId as string,
      changedAt: changedAtOf(item.labelsChangedKey as string),
    }));
  }

  /** Items by device id (BatchGetItem, 100 at a time, resending what DynamoDB leaves). */
  async #getItems(
    ids: readonly string[],
    consistent: boolean,
  ): Promise<Map<string, Record<string, unknown>>> {
    const items = new Map<string, Record<string, unknown>>();
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
      chunks.push(ids.slice(start, start + BATCH_GET_LIMIT));
    }
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Record<string, unknown>[] = chunk.map((deviceId) => ({ deviceId }));
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt === 5) throw new Error(`DynamoDB left ${pending.length} reads unprocessed`);
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
          const result = await this.#client.send(
            new BatchGetCommand({
              RequestItems: { [this.#tableName]: { Keys: pending, ConsistentRead: consistent } },
            }),
          );
          for (const item of result.Responses?.[this.#tableName] ?? []) {
            if (isLive(item)) items.set(item.deviceId as string, item);
          }
          pending = (result.UnprocessedKeys?.[this.#tableName]?.Keys ?? []) as Record<
            string,
            unknown
          >[];
        }
      }),
    );
    return items;
  }
}

/** The label change marker of a write at `now`: its writer's time, then the id (unique keys). */
function labelStamp(id: string, now: number): { labelFeed: string; labelsChangedKey: string } {
  return { labelFeed: LABEL_FEED, labelsChangedKey: changeMarker(id, now) };
}

function isLive(item: Record<string, unknown>): boolean {
  return item.deletedAt === undefined;
}

/** Where a listing stopped: after this device. */
function position(deviceId: string): Record<string, string> {
  return { kind: KIND, deviceId };
}

/** A start key from a page token, which must name exactly `all`'s keys. */
function startKey(after: Record<string, string>): Record<string, string> {
  const names = Object.keys(after).sort();
  if (
    names.length !== 2 ||
    names[0] !== 'deviceId' ||
    names[1] !== 'kind' ||
    after.kind !== KIND ||
    !after.deviceId
  ) {
    throw new ValidationError('nextToken does not belong to this query', 'nextToken');
  }
  return { kind: KIND, deviceId: after.deviceId };
}

function toDevice(item: Record<string, unknown>): Device {
  const latest = (item.latest ?? {}) as Record<string, { value: number; timestamp: string }>;
  return {
    id: item.deviceId as string,
    name: (item.name as string | undefined) ?? null,
    labels: (item.labels ?? {}) as Labels,
    firstSeenAt: item.firstSeenAt as string,
    lastSeenAt: item.lastSeenAt as string,
    latest: Object.keys(latest)
      .sort()
      .map((metric) => ({
        metric,
        value: Number((latest[metric] as { value: number }).value),
        timestamp: (latest[metric] as { timestamp: string }).timestamp,
      })),
  };
}
