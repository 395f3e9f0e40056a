import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../domain/alert.ts';
import {
  alertShard,
  alertShards,
  heldShard,
  heldShards,
  legacyAlertPartition,
} from '../domain/alert-partitions.ts';
import type { Notification } from '../domain/episode.ts';
import { nextToken, type PageRequest } from '../domain/pagination.ts';
import { mergeNewestFirst, partitionStarts } from '../domain/partition-merge.ts';
import type { AlertQuery, AlertStore, HeldAlert, Page, TimeRange } from '../domain/ports.ts';
import { type IndexDefinition, tables } from '../infra/resources.ts';
import { expiresAt, type IndexQuery, isInRange, queryIndex, queryPage } from './dynamodb-pages.ts';
import { isConditionFailure } from './dynamodb-condition.ts';

const [byDevice, byRule, all, firingByDevice, firing, held] = tables.alerts.globalSecondaryIndexes;
/** The partitions a fleet-wide listing merges: the shards, and the one used before them. */
const LISTED_PARTITIONS = [...alertShards, legacyAlertPartition];
/** `firedKey`: the AWSDateTime an alert fired at, `#`, its id. */
const FIRED_KEY = /^\d{4}-\d{2}-\d{2}T[\d:.]{5,18}Z#./;
const MAX_FIRED_KEY_LENGTH = 300;
/** Set by acknowledgeAlert only; evaluation never overwrites them. */
const ACKNOWLEDGEMENT = new Set(['acknowledgedAt', 'acknowledgedBy']);
/**
 * The stored statuses a write of each open status may replace: an alert moves only forward
 * (domain/episode.ts), so a late write of an older notification, delivered by a slower
 * worker, cannot take an acknowledged alert back to firing, nor latch it. A resolution is
 * final and written whatever was stored.
 */
const MAY_REPLACE: Record<Exclude<Alert['status'], 'RESOLVED'>, readonly Alert['status'][]> = {
  // A repeat, or a latched alert whose condition returned.
  FIRING: ['FIRING', 'LATCHED'],
  ACKNOWLEDGED: ['FIRING', 'ACKNOWLEDGED', 'LATCHED'],
  LATCHED: ['FIRING', 'LATCHED'],
};
/** The attributes of a hold, and the keys of the `held` index that lists them. */
const HOLD = 'heldBy, heldAt, heldShard, heldKey';

/**
 * Alerts keyed by their episode id: the readable record of what evaluation decided. Writes
 * are idempotent updates, a firing never overwrites a resolution, and `delivered` lists the
 * channels each notification already went out on.
 */
export class DynamoDbAlertStore implements AlertStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionDays: number;

  constructor(client: DynamoDBDocumentClient, tableName: string, retentionDays: number) {
    this.#client = client;
    this.#tableName = tableName;
    this.#retentionDays = retentionDays;
  }

  async record(
    notification: Notification,
    claim?: { marks: readonly string[]; leaseMs: number },
  ): Promise<{ alert: Alert; delivered: ReadonlySet<string>; claimed: ReadonlySet<string> }> {
    if (!claim || notification.kind !== 'FIRING') {
      const { alert, delivered } = await this.#record(notification);
      return { alert, delivered, claimed: new Set() };
    }
    const until = leaseUntil(claim.leaseMs);
    const created = await this.#createClaimed(notification, claim.marks, until);
    if (created) return created;
    // The alert existed, or this very put succeeded and the SDK retried it after a lost
    // response: the claims that carry this attempt's own lease value are ours.
    const recorded = await this.#record(notification);
    const claimed = new Set(claim.marks.filter((mark) => recorded.claims[mark] === until));
    return { alert: recorded.alert, delivered: recorded.delivered, claimed };
  }

  /** Writes a new alert with its channels claimed; null when the alert exists already. */
  async #createClaimed(
    notification: Notification,
    marks: readonly string[],
    until: number,
  ): Promise<{
    alert: Alert;
    delivered: ReadonlySet<string>;
    claimed: ReadonlySet<string>;
  } | null> {
    const { alert } = notification;
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...Object.fromEntries(
              Object.entries(this.#fields(alert)).filter(([name]) => !ACKNOWLEDGEMENT.has(name)),
            ),
            claims: Object.fromEntries(marks.map((mark) => [mark, until])),
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return { alert, delivered: new Set(), claimed: new Set(marks) };
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  #fields(alert: Alert): Record<string, unknown> {
    // Every write sets the shard, so an alert written before sharding moves to its shard too.
    const shard = alertShard(alert.id);
    return {
      ...alert,
      kind: shard,
      firedKey: `${alert.firedAt}#${alert.id}`,
      expiresAt: expiresAt(alert.firedAt, this.#retentionDays),
      ...(alert.status === 'RESOLVED' ? {} : { firingDeviceId: alert.deviceId, firingKind: shard }),
    };
  }

  async #record(notification: Notification): Promise<StoredAlert> {
    const { alert } = notification;
    const resolved = alert.status === 'RESOLVED';
    const replaceable = alert.status === 'RESOLVED' ? [] : MAY_REPLACE[alert.status];
    const allowed = Object.fromEntries(replaceable.map((status, i) => [`:may${i}`, status]));
    const fields = this.#fields(alert);
    const set = Object.keys(fields).filter((name) => !ACKNOWLEDGEMENT.has(name) && name !== 'id');
    const names = Object.fromEntries(set.map((name, i) => [`#f${i}`, name]));
    const values = Object.fromEntries(set.map((name, i) => [`:v${i}`, fields[name]]));
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id: alert.id },
          UpdateExpression:
            `SET ${set.map((_, i) => `#f${i} = :v${i}`).join(', ')}, claims = if_not_exists(claims, :noClaims)` +
            (resolved ? ' REMOVE firingDeviceId, firingKind' : ''),
          // A late firing or repeat must not reopen an alert that was resolved, nor move an
          // open one backwards.
          ...(resolved
            ? {}
            : {
                ConditionExpression: `attribute_not_exists(id) OR #status IN (${Object.keys(allowed).join(', ')})`,
                ExpressionAttributeNames: { ...names, '#status': 'status' },
                ExpressionAttributeValues: { ...values, ...allowed, ':noClaims': {} },
              }),
          ...(resolved
            ? {
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ...values, ':noClaims': {} },
              }
            : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return stored(result.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.#getItem(alert.id);
      // Already resolved, or moved past this notification: nothing more to tell about it.
      const delivered = new Set(existing ? stored(existing).delivered : []);
      delivered.add(`${notification.key}:email`);
      delivered.add(`${notification.key}:push`);
      return { alert: existing ? toAlert(existing) : alert, delivered, claims: {} };
    }
  }

  async claimDelivery(alertId: string, mark: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const until = leaseUntil(leaseMs, now);
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id: alertId },
          UpdateExpression: 'SET claims.#mark = :until',
          ConditionExpression:
            'attribute_exists(id) AND NOT contains(delivered, :mark) AND (attribute_not_exists(claims.#mark) OR claims.#mark < :now)',
          ExpressionAttributeNames: { '#mark': mark },
          ExpressionAttributeValues: { ':until': until, ':now': now, ':mark': mark },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Refused, unless the refusal is of the SDK retrying this very update after a lost
      // response: then the claim holds this attempt's own lease value.
      const item = await this.#getItem(alertId);
      return item !== undefined && stored(item).claims[mark] === until;
    }
  }

  async releaseClaim(alertId: string, mark: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { id: alertId },
        UpdateExpression: 'REMOVE claims.#mark',
        ExpressionAttributeNames: { '#mark': mark },
      }),
    );
  }

  async markDelivered(alertId: string, mark: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { id: alertId },
        UpdateExpression: 'ADD delivered :mark',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':mark': new Set([mark]) },
      }),
    );
  }

  async delivered(alertId: string): Promise<ReadonlySet<string>> {
    const item = await this.#getItem(alertId);
    return item ? stored(item).delivered : new Set();
  }

  async get(id: string): Promise<Alert | null> {
    const item = await this.#getItem(id);
    return item ? toAlert(item) : null;
  }

  async acknowledge(id: string, by: string, at: string): Promise<Alert | null> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          // The first acknowledgement stands: a second one cannot rename who handled it.
          UpdateExpression:
            'SET acknowledgedAt = if_not_exists(acknowledgedAt, :at), acknowledgedBy = if_not_exists(acknowledgedBy, :by)',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':at': at, ':by': by },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toAlert(result.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  list(query: AlertQuery, page: PageRequest): Promise<Page<Alert>> {
    return this.#list(query, query.status !== null && query.status !== 'RESOLVED', page);
  }

  /**
   * A listing; `openOnly` reads the indexes of open alerts (FIRING, ACKNOWLEDGED, LATCHED),
   * where a status, when given, is filtered.
   */
  #list(query: AlertQuery, openOnly: boolean, page: PageRequest): Promise<Page<Alert>> {
    const filters: { attribute: string; value: string }[] = [];
    if (query.ruleId !== null && query.deviceId !== null) {
      filters.push({ attribute: 'deviceId', value: query.deviceId });
    }
    if (query.status !== null) {
      filters.push({ attribute: 'status', value: query.status });
    }
    if (query.ruleId === null && query.deviceId === null) {
      return this.#listFleet(openOnly ? firing : all, query, filters, page);
    }
    const [index, partitionValue] =
      query.ruleId !== null
        ? [byRule, query.ruleId]
        : openOnly
          ? [firingByDevice, query.deviceId as string]
          : [byDevice, query.deviceId as string];
    return queryPage(
      this.#client,
      {
        table: tables.alerts,
        tableName: this.#tableName,
        index,
        partitionValue,
        range: query,
        filters,
      },
      page,
      toAlert,
    );
  }

  /**
   * A fleet-wide listing: one query of at most `limit` items per partition, in parallel,
   * merged newest first. The token holds where each partition stands.
   */
  async #listFleet(
    index: IndexDefinition,
    range: TimeRange,
    filters: { attribute: string; value: string }[],
    page: PageRequest,
  ): Promise<Page<Alert>> {
    const starts = partitionStarts(page.after, LISTED_PARTITIONS, (key) =>
      isFiredKeyIn(key, range),
    );
    const reads = await Promise.all(
      starts.map(async ({ partition, after }) => {
        const query: IndexQuery = {
          table: tables.alerts,
          tableName: this.#tableName,
          index,
          partitionValue: partition,
          range,
          filters,
        };
        const startKey =
          after === null
            ? null
            : {
                id: after.slice(after.indexOf('#') + 1),
                [index.partitionKey.name]: partition,
                firedKey: after,
              };
        const result = await queryIndex(this.#client, query, page.limit, startKey);
        return {
          partition,
          after,
          items: result.items.map((item) => ({
            sortKey: item.firedKey as string,
            item: toAlert(item),
          })),
          lastEvaluated: result.lastEvaluated?.firedKey ?? null,
        };
      }),
    );
    const merged = mergeNewestFirst(reads, page.limit);
    return { items: merged.items, nextToken: nextToken(merged.next, page) };
  }

  active(deviceId: string | null, page: PageRequest): Promise<Page<Alert>> {
    return this.#list({ deviceId, ruleId: null, status: null, from: null, to: null }, true, page);
  }

  async hold(alertId: string, muteId: string, at: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id: alertId },
          UpdateExpression:
            'SET heldBy = :mute, heldAt = :at, heldShard = :shard, heldKey = :key, silenced = :yes, silenceId = :mute',
          // Held by this mute already: it keeps the time it took the alert.
          ConditionExpression:
            'attribute_exists(id) AND (attribute_not_exists(heldBy) OR heldBy <> :mute)',
          ExpressionAttributeValues: {
            ':mute': muteId,
            ':at': at,
            ':shard': heldShard(alertId),
            ':key': `${muteId}#${alertId}`,
            ':yes': true,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.#getItem(alertId)) !== undefined;
    }
  }

  async unhold(alertId: string, muteId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id: alertId },
          UpdateExpression: `REMOVE ${HOLD} SET silenced = :no, silenceId = :none`,
          ConditionExpression: 'heldBy = :mute',
          ExpressionAttributeValues: { ':mute': muteId, ':no': false, ':none': null },
        }),
      );
    } catch (error) {
      // Another mute took the alert over meanwhile (or it is gone): that one releases it.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** One query per shard of the `held` index, every page: held alerts are few and short-lived. */
  async held(muteId?: string): Promise<HeldAlert[]> {
    const shards = await Promise.all(
      heldShards.map(async (shard) => {
        const found: HeldAlert[] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
          const result = await this.#client.send(
            new QueryCommand({
              TableName: this.#tableName,
              IndexName: held.indexName,
              KeyConditionExpression:
                muteId === undefined
                  ? 'heldShard = :shard'
                  : 'heldShard = :shard AND begins_with(heldKey, :mute)',
              ExpressionAttributeValues: {
                ':shard': shard,
                ...(muteId === undefined ? {} : { ':mute': `${muteId}#` }),
              },
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of result.Items ?? []) {
            found.push({
              alertId: item.id as string,
              ruleId: item.ruleId as string,
              deviceId: item.deviceId as string,
              muteId: item.heldBy as string,
              heldAt: item.heldAt as string,
            });
          }
          startKey = result.LastEvaluatedKey;
        } while (startKey);
        return found;
      }),
    );
    return shards.flat();
  }

  async #getItem(id: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item;
  }
}

/** A token's position in one partition: a `firedKey` the listing's time bounds allow. */
function isFiredKeyIn(key: string, range: TimeRange): boolean {
  return key.length <= MAX_FIRED_KEY_LENGTH && FIRED_KEY.test(key) && isInRange(key, range);
}

interface StoredAlert {
  alert: Alert;
  delivered: ReadonlySet<string>;
  /** Delivery leases by mark: until when (epoch ms) someone holds the right to send. */
  claims: Readonly<Record<string, number>>;
}

function stored(item: Record<string, unknown>): StoredAlert {
  const delivered =
    item.delivered instanceof Set ? (item.delivered as Set<string>) : new Set<string>();
  const claims = (item.claims ?? {}) as Record<string, number>;
  return { alert: toAlert(item), delivered, claims };
}

/**
 * The end of a delivery lease, with a random fraction of a millisecond so that each attempt
 * writes its own value: an attempt can then tell its own claim from anyone else's.
 */
function leaseUntil(leaseMs: number, now = Date.now()): number {
  return now + leaseMs + Math.random();
}

function toAlert(item: Record<string, unknown>): Alert {
  const text = (name: string) => (item[name] as string | undefined) ?? null;
  return {
    id: item.id as string,
    ruleId: item.ruleId as string,
    ruleName: text('ruleName'),
    deviceId: item.deviceId as string,
    // Alerts stored before labels have none.
    labels: (item.labels as Alert['labels'] | undefined) ?? null,
    metric: item.metric as string,
    value: item.value as number,
    threshold: item.threshold as number,
    operator: item.operator as Alert['operator'],
    severity: item.severity as Alert['severity'],
    status: (item.status as Alert['status'] | undefined) ?? 'FIRING',
    reason: (item.reason as Alert['reason'] | undefined) ?? 'THRESHOLD',
    eventId: text('eventId'),
    eventTimestamp: text('eventTimestamp'),
    firedAt: item.firedAt as string,
    resolvedAt: text('resolvedAt'),
    acknowledgedAt: text('acknowledgedAt'),
    acknowledgedBy: text('acknowledgedBy'),
    notifiedAt: text('notifiedAt'),
    // Only alerts resolved for a stated reason carry one.
    ...(typeof item.resolution === 'string' ? { resolution: item.resolution } : {}),
    // Alerts stored before silences and flapping carry neither mark.
    ...('silenced' in item
      ? { silenced: item.silenced === true, silenceId: text('silenceId') }
      : {}),
    ...('flapping' in item ? { flapping: item.flapping === true } : {}),
  };
}
