import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { PageRequest } from '../domain/pagination.ts';
import type { Page, RuleStore } from '../domain/ports.ts';
import type { Rule } from '../domain/rule.ts';
import { tables } from '../infra/resources.ts';
import { isConditionFailure } from './dynamodb-condition.ts';
import { queryPage } from './dynamodb-pages.ts';

const [byScope, all] = tables.rules.globalSecondaryIndexes;
const KIND = 'rule';
/** Scope of a rule that applies to every device; '*' is not a valid device id. */
const EVERY_DEVICE = '*';

/** Rules keyed by id, listed newest first overall or per device scope. */
export class DynamoDbRuleStore implements RuleStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async create(rule: Rule): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: toItem(rule),
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  }

  async get(id: string): Promise<Rule | null> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item ? toRule(result.Item) : null;
  }

  async replace(rule: Rule): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: toItem(rule),
          ConditionExpression: 'attribute_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#client.send(
      new DeleteCommand({ TableName: this.#tableName, Key: { id }, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
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

function toRule(item: Record<string, unknown>): Rule {
  return {
    id: item.id as string,
    deviceId: (item.deviceId as string | undefined) ?? null,
    // Rules stored before selectors have none.
    selector: (item.selector as Rule['selector'] | undefined) ?? null,
    metric: item.metric as string,
    operator: item.operator as Rule['operator'],
    threshold: item.threshold as number,
    enabled: item.enabled as boolean,
    severity: item.severity as Rule['severity'],
    name: (item.name as string | undefined) ?? null,
    description: (item.description as string | undefined) ?? null,
    forReadings: (item.forReadings as number | undefined) ?? 1,
    windowSeconds: (item.windowSeconds as number | undefined) ?? null,
    aggregation: (item.aggregation as Rule['aggregation'] | undefined) ?? null,
    clearThreshold: (item.clearThreshold as number | undefined) ?? null,
    noDataSeconds: (item.noDataSeconds as number | undefined) ?? null,
    repeatIntervalSeconds: (item.repeatIntervalSeconds as number | undefined) ?? null,
    createdAt: item.createdAt as string,
    // Rules stored before who-did-what was recorded have neither.
    createdBy: (item.createdBy as string | null | undefined) ?? null,
    updatedAt: (item.updatedAt as string | undefined) ?? (item.createdAt as string),
    updatedBy: (item.updatedBy as string | null | undefined) ?? null,
  };
}
