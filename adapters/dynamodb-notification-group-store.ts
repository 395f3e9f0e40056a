import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../domain/alert.ts';
import type { NotificationKind } from '../domain/episode.ts';
import type { GroupEntry, GroupHead, GroupSettings } from '../domain/notification-groups.ts';
import type { NotificationGroupStore } from '../domain/ports.ts';
import { tables } from '../infra/resources.ts';
import { isConditionFailure } from './dynamodb-condition.ts';
import { batchWrite } from './dynamodb-pages.ts';

const [due] = tables.notificationGroups.globalSecondaryIndexes;
const HEAD = 'head';
const PENDING = 'pending#';
const ENTRY = 'entry#';
const SENT = 'sent#';
/** The one partition of the sparse `due` index. */
const DUE_FEED = 'due';
/** How long an entry's id is kept once added (a retry within it adds nothing), and an idle head. */
const KEPT_SECONDS = 7 * 24 * 3600;

/**
 * Notification groups in one table (infra/resources.ts `notificationGroups`), one partition
 * per group: its head, its pending entries, the ids of every entry added (kept a week, so a
 * retry adds nothing) and the records of messages sent but not yet cleared. An add is three
 * writes and no read: the entry's id (conditional: the first add wins), the pending entry, and
 * the head's count and due time. DynamoDB's transactions would make the first two one write,
 * but they conflict on a busy group's head; the order of the writes (and of the reads of a
 * retry, `addEntry`) makes up for it.
 */
export class DynamoDbNotificationGroupStore implements NotificationGroupStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(client: DynamoDBDocumentClient, tableName: string, now: () => number = Date.now) {
    this.#client = client;
    this.#tableName = tableName;
    this.#now = now;
  }

  async addEntry(groupKey: string, entry: GroupEntry): Promise<'added' | 'pending' | 'sent'> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            groupKey,
            itemKey: `${ENTRY}${entry.id}`,
            state: 'pending',
            expiresAt: this.#expiry(),
          },
          ConditionExpression: 'attribute_not_exists(itemKey)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.#resume(groupKey, entry);
    }
    await this.#putPending(groupKey, entry);
    return 'added';
  }

  /**
   * A retry of an add. The pending entry is read before the id: a flush marks the ids sent
   * before it deletes the pending entries, so an id still pending with no pending entry read
   * before it is an add cut short before its second write, which is completed here.
   */
  async #resume(groupKey: string, entry: GroupEntry): Promise<'pending' | 'sent'> {
    if (await this.#get(groupKey, `${PENDING}${entry.id}`)) return 'pending';
    const id = await this.#get(groupKey, `${ENTRY}${entry.id}`);
    if (id?.state !== 'pending') return 'sent';
    await this.#putPending(groupKey, entry);
    return 'pending';
  }

  async #putPending(groupKey: string, entry: GroupEntry): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          groupKey,
          itemKey: `${PENDING}${entry.id}`,
          entryId: entry.id,
          kind: entry.kind,
          alert: entry.alert,
          addedAt: entry.addedAt,
        },
      }),
    );
  }

  async noteAdded(
    group: GroupSettings,
    flushAt: number,
  ): Promise<{ head: GroupHead; scheduled: boolean }> {
    const result = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { groupKey: group.key, itemKey: HEAD },
        UpdateExpression:
          'SET ruleId = :ruleId, groupLabels = :labels, waitSeconds = :wait, intervalSeconds = :interval, flushAt = if_not_exists(flushAt, :at), dueFeed = :due ADD added :one REMOVE expiresAt',
        ExpressionAttributeValues: {
          ':ruleId': group.ruleId,
          ':labels': group.labels,
          ':wait': group.waitSeconds,
          ':interval': group.intervalSeconds,
          ':at': flushAt,
          ':due': DUE_FEED,
          ':one': 1,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = result.Attributes;
    const scheduled = old?.flushAt === undefined;
    return {
      scheduled,
      head: {
        ...group,
        flushAt: scheduled ? flushAt : (old?.flushAt as number),
        nextAllowedAt: (old?.nextAllowedAt as number | undefined) ?? 0,
        added: ((old?.added as number | undefined) ?? 0) + 1,
      },
    };
  }

  async reschedule(groupKey: string, from: number, to: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { groupKey, itemKey: HEAD },
          UpdateExpression: 'SET flushAt = :to',
          ConditionExpression: 'flushAt = :from',
          ExpressionAttributeValues: { ':from': from, ':to': to },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async lease(
    groupKey: string,
    now: number,
    leaseMs: number,
  ): Promise<{ head: GroupHead; lease: number } | null> {
    // A fraction of a millisecond makes each lease its own token.
    const lease = now + leaseMs + Math.random();
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { groupKey, itemKey: HEAD },
          UpdateExpression: 'SET lease = :lease',
          ConditionExpression:
            'attribute_exists(flushAt) AND (attribute_not_exists(lease) OR lease < :now)',
          ExpressionAttributeValues: { ':lease': lease, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { head: toHead(groupKey, result.Attributes ?? {}), lease };
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async unlease(groupKey: string, lease: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { groupKey, itemKey: HEAD },
          UpdateExpression: 'REMOVE lease',
          ConditionExpression: 'lease = :lease',
          ExpressionAttributeValues: { ':lease': lease },
        }),
      );
    } catch (error) {
      // Lost to another flush meanwhile: it is that flush's to give back.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async pending(groupKey: string, limit: number): Promise<GroupEntry[]> {
    const items = await this.#query(groupKey, PENDING, limit);
    return items.map((item) => ({
      id: item.entryId as string,
      kind: item.kind as NotificationKind,
      alert: item.alert as Alert,
      addedAt: item.addedAt as number,
    }));
  }

  async sentRecords(groupKey: string): Promise<{ messageId: string; entryIds: string[] }[]> {
    const items = await this.#query(groupKey, SENT, Number.POSITIVE_INFINITY);
    return items.map((item) => ({
      messageId: (item.itemKey as string).slice(SENT.length),
      entryIds: item.entryIds as string[],
    }));
  }

  async recordSent(
    groupKey: string,
    messageId: string,
    entryIds: readonly string[],
  ): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          groupKey,
          itemKey: `${SENT}${messageId}`,
          entryIds: [...entryIds],
          sentAt: this.#now(),
        },
      }),
    );
  }

  async clearSent(groupKey: string, messageId: string, entryIds: readonly string[]): Promise<void> {
    const expiresAt = this.#expiry();
    // The ids first, the pending entries after: see #resume.
    await batchWrite(
      this.#client,
      this.#tableName,
      entryIds.map((id) => ({
        PutRequest: { Item: { groupKey, itemKey: `${ENTRY}${id}`, state: 'sent', expiresAt } },
      })),
    );
    await batchWrite(
      this.#client,
      this.#tableName,
      entryIds.map((id) => ({ DeleteRequest: { Key: { groupKey, itemKey: `${PENDING}${id}` } } })),
    );
    await batchWrite(this.#client, this.#tableName, [
      { DeleteRequest: { Key: { groupKey, itemKey: `${SENT}${messageId}` } } },
    ]);
  }

  async release(
    groupKey: string,
    lease: number,
    outcome: {
      sentAt: number | null;
      nextAllowedAt: number;
      due: number | null;
      addedAtLease: number;
      dueIfAdded: number;
    },
  ): Promise<number | null | undefined> {
    const sent = outcome.sentAt === null ? '' : ', lastSentAt = :sentAt';
    const values = {
      ':lease': lease,
      ':next': outcome.nextAllowedAt,
      ...(outcome.sentAt === null ? {} : { ':sentAt': outcome.sentAt }),
    };
    const schedule = async (at: number): Promise<number | undefined> => {
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: { groupKey, itemKey: HEAD },
            UpdateExpression: `SET flushAt = :at, dueFeed = :due, nextAllowedAt = :next${sent} REMOVE lease`,
            ConditionExpression: 'lease = :lease',
            ExpressionAttributeValues: { ...values, ':at': at, ':due': DUE_FEED },
          }),
        );
        return at;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    };
    if (outcome.due !== null) return schedule(outcome.due);
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { groupKey, itemKey: HEAD },
          UpdateExpression: `SET nextAllowedAt = :next, expiresAt = :expires${sent} REMOVE flushAt, dueFeed, lease`,
          ConditionExpression: 'lease = :lease AND added = :added',
          ExpressionAttributeValues: {
            ...values,
            ':added': outcome.addedAtLease,
            ':expires': this.#expiry(),
          },
        }),
      );
      return null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // More came while this flush sent (or the lease was lost: then nothing is written).
      return schedule(outcome.dueIfAdded);
    }
  }

  async overdue(before: number, limit: number): Promise<string[]> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: due.indexName,
        KeyConditionExpression: '#feed = :feed AND #at < :before',
        ExpressionAttributeNames: { '#feed': due.partitionKey.name, '#at': due.sortKey.name },
        ExpressionAttributeValues: { ':feed': DUE_FEED, ':before': before },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => item.groupKey as string);
  }

  async #get(groupKey: string, itemKey: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { groupKey, itemKey },
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }

  /** The items of a group whose key starts with `prefix`, at most `limit`, consistently read. */
  async #query(
    groupKey: string,
    prefix: string,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'groupKey = :key AND begins_with(itemKey, :prefix)',
          ExpressionAttributeValues: { ':key': groupKey, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...(Number.isFinite(limit) ? { Limit: limit - items.length } : {}),
        }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items;
  }

  #expiry(): number {
    return Math.ceil(this.#now() / 1000) + KEPT_SECONDS;
  }
}

function toHead(groupKey: string, item: Record<string, unknown>): GroupHead {
  return {
    key: groupKey,
    ruleId: item.ruleId as string,
    labels: (item.groupLabels as GroupHead['labels'] | undefined) ?? [],
    waitSeconds: (item.waitSeconds as number | undefined) ?? 0,
    intervalSeconds: (item.intervalSeconds as number | undefined) ?? 0,
    flushAt: (item.flushAt as number | undefined) ?? null,
    nextAllowedAt: (item.nextAllowedAt as number | undefined) ?? 0,
    added: (item.added as number | undefined) ?? 0,
  };
}
