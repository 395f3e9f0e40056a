import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors.ts';
import type { MaintenanceWindow } from '../domain/maintenance-window.ts';
import { type MuteEntry, silenceMute, windowMute } from '../domain/mute-set.ts';
import { nextToken, type PageRequest } from '../domain/pagination.ts';
import type { Page } from '../domain/ports.ts';
import { type MuteChange, muteChangeFeed, type SilenceStore } from '../domain/silence-cache.ts';
import { expiredSilenceRetentionMs, type Silence } from '../domain/silences.ts';
import type { SilenceState } from '../generated/graphql.ts';
import { tables } from '../infra/resources.ts';
import { changedAtOf, changeMarker, queryChangeFeed, scanAll } from './dynamodb-change-feed.ts';
import { isConditionFailure } from './dynamodb-condition.ts';

const [byKind, changes] = tables.silences.globalSecondaryIndexes;
/** `listKind` of each kind: the partition of `byKind` it is listed in. */
const SILENCE = 'silence';
const WINDOW = 'window';
/** The one partition of the `changes` index (see infra/resources.ts on why one is enough). */
const CHANGE_FEED = 'mutes';
/** A stored window that is live, not a tombstone. */
const LIVE_WINDOW = 'attribute_exists(id) AND attribute_not_exists(deletedAt) AND #kind = :window';

/** Which silences a state lists at a time, as a filter on `startsAt` and `endsAt`. */
const STATE_FILTERS: Record<SilenceState, string> = {
  PENDING: 'startsAt > :at',
  ACTIVE: 'startsAt <= :at AND endsAt > :at',
  EXPIRED: 'endsAt <= :at',
};

/**
 * Silences and maintenance windows in one table, keyed by id. Every write stamps the item
 * with its writer's time (`changedKey`, in the `changes` index) and deleting a window leaves a
 * tombstone (expired by TTL after `muteChangeFeed.tombstoneRetentionMs`), so workers read only
 * what changed. A silence expires from the table `expiredSilenceRetentionMs` after its end.
 */
export class DynamoDbSilenceStore implements SilenceStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(client: DynamoDBDocumentClient, tableName: string, now: () => number = Date.now) {
    this.#client = client;
    this.#tableName = tableName;
    this.#now = now;
  }

  async createSilence(silence: Silence): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: silenceItem(silence, this.#stamp(silence.id)),
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  }

  async getSilence(id: string): Promise<Silence | null> {
    const item = await this.#read(id);
    return item?.kind === 'SILENCE' ? toSilence(item) : null;
  }

  async expireSilence(expired: Silence, endsAt: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: silenceItem(expired, this.#stamp(expired.id)),
          ConditionExpression: '#kind = :silence AND endsAt = :endsAt',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: { ':silence': 'SILENCE', ':endsAt': endsAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  listSilences(state: SilenceState | null, at: number, page: PageRequest): Promise<Page<Silence>> {
    return this.#listPage(
      SILENCE,
      page,
      toSilence,
      state === null
        ? undefined
        : { expression: STATE_FILTERS[state], values: { ':at': new Date(at).toISOString() } },
    );
  }

  async createWindow(window: MaintenanceWindow): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: windowItem(window, this.#stamp(window.id)),
        // A tombstone's id may be taken again.
        ConditionExpression: 'attribute_not_exists(id) OR attribute_exists(deletedAt)',
      }),
    );
  }

  async getWindow(id: string): Promise<MaintenanceWindow | null> {
    const item = await this.#read(id);
    return item?.kind === 'MAINTENANCE_WINDOW' && item.deletedAt === undefined
      ? toWindow(item)
      : null;
  }

  async replaceWindow(window: MaintenanceWindow): Promise<boolean> {
    return this.#conditionally(
      new PutCommand({
        TableName: this.#tableName,
        Item: windowItem(window, this.#stamp(window.id)),
        ConditionExpression: LIVE_WINDOW,
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':window': 'MAINTENANCE_WINDOW' },
      }),
    );
  }

  async deleteWindow(id: string): Promise<boolean> {
    const now = this.#now();
    return this.#conditionally(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          id,
          kind: 'MAINTENANCE_WINDOW',
          deletedAt: new Date(now).toISOString(),
          expiresAt: Math.ceil((now + muteChangeFeed.tombstoneRetentionMs) / 1000),
          ...this.#stamp(id, now),
        },
        ConditionExpression: LIVE_WINDOW,
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':window': 'MAINTENANCE_WINDOW' },
      }),
    );
  }

  listWindows(page: PageRequest): Promise<Page<MaintenanceWindow>> {
    return this.#listPage(WINDOW, page, toWindow);
  }

  async get(id: string): Promise<MuteEntry | null> {
    const item = await this.#read(id);
    return item ? toMute(item) : null;
  }

  /** Every silence and live window, read by a parallel scan (no index partition gathers them). */
  loadAll(): Promise<MuteEntry[]> {
    return scanAll(this.#client, { tableName: this.#tableName }, toMute);
  }

  /** The silences, windows and tombstones stamped at or after `since`, oldest first. */
  changedSince(since: number): Promise<MuteChange[]> {
    const feed = { tableName: this.#tableName, index: changes, partition: CHANGE_FEED };
    return queryChangeFeed(this.#client, feed, since, (item) => ({
      id: item.id as string,
      changedAt: changedAtOf(item.changedKey as string),
      mute: toMute(item),
    }));
  }

  async #read(id: string): Promise<Record<string, unknown> | null> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item ?? null;
  }

  async #conditionally(command: PutCommand): Promise<boolean> {
    try {
      await this.#client.send(command);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** One newest-first page of a kind, filtered; a token leads only into that kind's partition. */
  async #listPage<T>(
    listKind: string,
    page: PageRequest,
    toItem: (item: Record<string, unknown>) => T,
    filter?: { expression: string; values: Record<string, string> },
  ): Promise<Page<T>> {
    if (page.after && !isPositionIn(page.after, listKind)) {
      throw new ValidationError('nextToken does not belong to this query', 'nextToken');
    }
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: byKind.indexName,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: filter?.expression,
        ExpressionAttributeNames: { '#pk': byKind.partitionKey.name },
        ExpressionAttributeValues: { ':pk': listKind, ...filter?.values },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: page.after ?? undefined,
      }),
    );
    const last = (result.LastEvaluatedKey as Record<string, string> | undefined) ?? null;
    return { items: (result.Items ?? []).map(toItem), nextToken: nextToken(last, page) };
  }

  /** The change marker of a write now: its writer's time, then the id (unique keys). */
  #stamp(id: string, now = this.#now()): { changeFeed: string; changedKey: string } {
    return { changeFeed: CHANGE_FEED, changedKey: changeMarker(id, now) };
  }
}

/** A start position names exactly the table's and the index's keys, in the partition read. */
function isPositionIn(position: Record<string, string>, listKind: string): boolean {
  const expected = new Set([
    tables.silences.partitionKey.name,
    byKind.partitionKey.name,
    byKind.sortKey.name,
  ]);
  const names = Object.keys(position);
  return (
    names.length === expected.size &&
    names.every((name) => expected.has(name)) &&
    position[byKind.partitionKey.name] === listKind
  );
}

function silenceItem(silence: Silence, stamp: Record<string, string>): Record<string, unknown> {
  return {
    ...silence,
    kind: 'SILENCE',
    listKind: SILENCE,
    createdKey: `${silence.createdAt}#${silence.id}`,
    expiresAt: Math.ceil((Date.parse(silence.endsAt) + expiredSilenceRetentionMs) / 1000),
    ...stamp,
  };
}

function windowItem(
  window: MaintenanceWindow,
  stamp: Record<string, string>,
): Record<string, unknown> {
  return {
    ...window,
    kind: 'MAINTENANCE_WINDOW',
    listKind: WINDOW,
    createdKey: `${window.createdAt}#${window.id}`,
    ...stamp,
  };
}

function toSilence(item: Record<string, unknown>): Silence {
  return {
    id: item.id as string,
    matchers: item.matchers as Silence['matchers'],
    startsAt: item.startsAt as string,
    endsAt: item.endsAt as string,
    comment: item.comment as string,
    notifyResolved: item.notifyResolved as boolean,
    createdAt: item.createdAt as string,
    createdBy: item.createdBy as string,
    expiredAt: (item.expiredAt as string | null | undefined) ?? null,
    expiredBy: (item.expiredBy as string | null | undefined) ?? null,
  };
}

function toWindow(item: Record<string, unknown>): MaintenanceWindow {
  return {
    id: item.id as string,
    name: item.name as string,
    timeZone: item.timeZone as string,
    periods: item.periods as MaintenanceWindow['periods'],
    startsOn: (item.startsOn as string | null | undefined) ?? null,
    endsOn: (item.endsOn as string | null | undefined) ?? null,
    matchers: item.matchers as MaintenanceWindow['matchers'],
    notifyResolved: item.notifyResolved as boolean,
    createdAt: item.createdAt as string,
    createdBy: item.createdBy as string,
    updatedAt: item.updatedAt as string,
    updatedBy: (item.updatedBy as string | null | undefined) ?? null,
  };
}

/** A stored item as a mute; null for a tombstone. */
function toMute(item: Record<string, unknown>): MuteEntry | null {
  if (item.deletedAt !== undefined) return null;
  if (item.kind === 'SILENCE') return silenceMute(toSilence(item));
  if (item.kind === 'MAINTENANCE_WINDOW') return windowMute(toWindow(item));
  return null;
}
