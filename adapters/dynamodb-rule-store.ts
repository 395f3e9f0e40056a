import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { flapDefaults } from '../domain/flapping.ts';
import type { PageRequest } from '../domain/pagination.ts';
import type { Page, RuleStore } from '../domain/ports.ts';
import type { Rule } from '../domain/rule.ts';
import { type RuleChange, ruleChangeFeed } from '../domain/rule-cache.ts';
import type { NotificationGrouping } from '../domain/notification-groups.ts';
import type { IndexedRuleSource } from '../domain/rule-index.ts';
import { tables } from '../infra/resources.ts';
import { batchGetItems } from './dynamodb-batch-get.ts';
import { changedAtOf, changeMarker, queryChangeFeed, scanAll } from './dynamodb-change-feed.ts';
import { isConditionFailure } from './dynamodb-condition.ts';
import { queryPage } from './dynamodb-pages.ts';

const [byScope, all, changes] = tables.rules.globalSecondaryIndexes;
const KIND = 'rule';
/** Scope of a rule that applies to every device; '*' is not a valid device id. */
const EVERY_DEVICE = '*';
/** The one partition of the `changes` index: see docs/architecture.md on why one is enough. */
const CHANGE_FEED = 'rules';
/** A stored rule that is live, not a tombstone. */
const LIVE = 'attribute_exists(id) AND attribute_not_exists(deletedAt)';

/** What a worker reads of a rule: the index's fields, and what tells a change and a tombstone. */
const EVALUATED = [
  'id',
  'deviceId',
  'selector',
  'metric',
  'operator',
  'threshold',
  'enabled',
  'severity',
  'name',
  'forReadings',
  'windowSeconds',
  'aggregation',
  'clearThreshold',
  'noDataSeconds',
  'repeatIntervalSeconds',
  'groupBy',
  'groupWaitSeconds',
  'groupIntervalSeconds',
  'flapDetection',
  'flapHighPercent',
  'flapLowPercent',
  'latch',
  'changedKey',
  'deletedAt',
];
const evaluatedProjection = {
  ProjectionExpression: EVALUATED.map((_, i) => `#a${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(EVALUATED.map((name, i) => [`#a${i}`, name])),
};

/**
 * Rules keyed by id, listed newest first overall or per device scope. Every write stamps the
 * rule with its writer's time (`changedKey`, in the `changes` index), and a deletion leaves a
 * tombstone (no rule fields, out of the listings, expired by TTL after
 * `ruleChangeFeed.tombstoneRetentionMs`), so workers read only what changed (`changedSince`).
 */
export class DynamoDbRuleStore implements RuleStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(client: DynamoDBDocumentClient, tableName: string, now: () => number = Date.now) {
    this.#client = client;
    this.#tableName = tableName;
    this.#now = now;
  }

  async create(rule: Rule): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...toItem(rule), ...this.#stamp(rule.id) },
        // A tombstone's id may be taken again.
        ConditionExpression: 'attribute_not_exists(id) OR attribute_exists(deletedAt)',
      }),
    );
  }

  async get(id: string): Promise<Rule | null> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item && result.Item.deletedAt === undefined ? toRule(result.Item) : null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Rule>> {
    const items = await batchGetItems(
      this.#client,
      this.#tableName,
      [...new Set(ids)].map((id) => ({ id })),
      true,
    );
    const rules = items.filter((item) => item.deletedAt === undefined).map(toRule);
    return new Map(rules.map((rule) => [rule.id, rule]));
  }

  async replace(rule: Rule): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...toItem(rule), ...this.#stamp(rule.id) },
          ConditionExpression: LIVE,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
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
            id,
            deletedAt: new Date(now).toISOString(),
            expiresAt: Math.ceil((now + ruleChangeFeed.tombstoneRetentionMs) / 1000),
            ...this.#stamp(id, now),
          },
          ConditionExpression: LIVE,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Every live rule, read by a parallel scan of the table (no index partition gathers them). */
  loadAll(): Promise<(IndexedRuleSource & { enabled: boolean })[]> {
    return scanAll(
      this.#client,
      { tableName: this.#tableName, projection: evaluatedProjection },
      (item) =>
        item.deletedAt === undefined && item.enabled === true ? toIndexedRule(item) : null,
    );
  }

  /** The rules (and tombstones) stamped at or after `since`, oldest first. */
  changedSince(since: number): Promise<RuleChange[]> {
    const feed = {
      tableName: this.#tableName,
      index: changes,
      partition: CHANGE_FEED,
      projection: evaluatedProjection,
    };
    return queryChangeFeed(this.#client, feed, since, (item) => ({
      id: item.id as string,
      changedAt: changedAtOf(item.changedKey as string),
      rule: item.deletedAt === undefined ? toIndexedRule(item) : null,
    }));
  }

  /** The change marker of a write now: its writer's time, then the id (unique keys). */
  #stamp(id: string, now = this.#now()): { changeFeed: string; changedKey: string } {
    return { changeFeed: CHANGE_FEED, changedKey: changeMarker(id, now) };
  }

  list(query: { deviceId: string | null }, page: PageRequest): Promise<Page<Rule>> {
    return queryPage(
      this.#client,
      {
        table: tables.rules,
        tableName: this.#tableName,
        index: query.deviceId === null ? all : byScope,
        partitionValue: query.deviceId ?? KIND,
        range: { from: null, to: null },
      },
      page,
      toRule,
    );
  }

  async all(): Promise<Rule[]> {
    const rules: Rule[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: all.indexName,
          KeyConditionExpression: '#kind = :kind',
          ExpressionAttributeNames: { '#kind': all.partitionKey.name },
          ExpressionAttributeValues: { ':kind': KIND },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) rules.push(toRule(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return rules;
  }
}

function toItem(rule: Rule): Record<string, unknown> {
  return {
    ...rule,
    scope: rule.deviceId ?? EVERY_DEVICE,
    kind: KIND,
    createdKey: `${rule.createdAt}#${rule.id}`,
  };
}

/** The fields of a rule a worker keeps, from an item read with `evaluatedProjection`. */
function toIndexedRule(
  item: Record<string, unknown>,
): IndexedRuleSource & NotificationGrouping & { groupBy: string[] | null; enabled: boolean } {
  return {
    id: item.id as string,
    deviceId: (item.deviceId as string | undefined) ?? null,
    // Rules stored before selectors have none.
    selector: (item.selector as IndexedRuleSource['selector'] | undefined) ?? null,
    metric: item.metric as string,
    operator: item.operator as Rule['operator'],
    threshold: item.threshold as number,
    enabled: item.enabled as boolean,
    severity: item.severity as Rule['severity'],
    name: (item.name as string | undefined) ?? null,
    forReadings: (item.forReadings as number | undefined) ?? 1,
    windowSeconds: (item.windowSeconds as number | undefined) ?? null,
    aggregation: (item.aggregation as Rule['aggregation'] | undefined) ?? null,
    clearThreshold: (item.clearThreshold as number | undefined) ?? null,
    noDataSeconds: (item.noDataSeconds as number | undefined) ?? null,
    repeatIntervalSeconds: (item.repeatIntervalSeconds as number | undefined) ?? null,
    // Rules stored before notification grouping have the defaults.
    groupBy: (item.groupBy as string[] | undefined) ?? null,
    groupWaitSeconds: (item.groupWaitSeconds as number | undefined) ?? null,
    groupIntervalSeconds: (item.groupIntervalSeconds as number | undefined) ?? null,
    // Rules stored before flap detection have the defaults.
    flapDetection: (item.flapDetection as boolean | undefined) ?? flapDefaults.flapDetection,
    flapHighPercent: (item.flapHighPercent as number | undefined) ?? flapDefaults.flapHighPercent,
    flapLowPercent: (item.flapLowPercent as number | undefined) ?? flapDefaults.flapLowPercent,
    // Rules stored before latching do not latch.
    latch: (item.latch as boolean | undefined) ?? false,
  };
}

function toRule(item: Record<string, unknown>): Rule {
  return {
    ...toIndexedRule(item),
    selector: (item.selector as Rule['selector'] | undefined) ?? null,
    description: (item.description as string | undefined) ?? null,
    // Rules made here, and those stored before imports, have no source.
    source: (item.source as Rule['source'] | undefined) ?? null,
    createdAt: item.createdAt as string,
    // Rules stored before who-did-what was recorded have neither.
    createdBy: (item.createdBy as string | null | undefined) ?? null,
    updatedAt: (item.updatedAt as string | undefined) ?? (item.createdAt as string),
    updatedBy: (item.updatedBy as string | null | undefined) ?? null,
  };
}
