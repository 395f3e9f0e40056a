import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../domain/alert.ts';
import type { PageRequest } from '../domain/pagination.ts';
import type { AlertDelivery, AlertStore, Page, TimeRange } from '../domain/ports.ts';
import { tables } from '../infra/resources.ts';
import { expiresAt, queryPage } from './dynamodb-pages.ts';
import { isConditionFailure } from './dynamodb-rule-store.ts';

const [byDevice, byRule, all] = tables.alerts.globalSecondaryIndexes;
const KIND = 'alert';

/**
 * Alerts keyed by their deterministic id: recording is a conditional put, so a reading
 * delivered twice records one alert, and the delivery marks say which channels are done.
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

  async record(alert: Alert): Promise<AlertDelivery> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...alert,
            kind: KIND,
            firedKey: `${alert.firedAt}#${alert.id}`,
            expiresAt: expiresAt(alert.firedAt, this.#retentionDays),
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return { alert, notified: false, pushed: false };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id: alert.id }, ConsistentRead: true }),
    );
    const item = existing.Item ?? {};
    return {
      alert: toAlert(item),
      notified: item.notifiedAt !== undefined,
      pushed: item.pushedAt !== undefined,
    };
  }

  markNotified(id: string): Promise<void> {
    return this.#mark(id, 'notifiedAt');
  }

  markPushed(id: string): Promise<void> {
    return this.#mark(id, 'pushedAt');
  }

  list(
    query: { deviceId: string | null; ruleId: string | null } & TimeRange,
    page: PageRequest,
  ): Promise<Page<Alert>> {
    const index = query.ruleId !== null ? byRule : query.deviceId !== null ? byDevice : all;
    const partitionValue = query.ruleId ?? query.deviceId ?? KIND;
    const filter =
      query.ruleId !== null && query.deviceId !== null
        ? { attribute: 'deviceId', value: query.deviceId }
        : undefined;
    return queryPage(
      this.#client,
      {
        tableName: this.#tableName,
        index,
        partitionValue,
        range: query,
        filter,
      },
      page,
      toAlert,
    );
  }

  async #mark(id: string, attribute: 'notifiedAt' | 'pushedAt'): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { id },
        UpdateExpression: 'SET #at = :now',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeNames: { '#at': attribute },
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
  }
}

function toAlert(item: Record<string, unknown>): Alert {
  return {
    id: item.id as string,
    ruleId: item.ruleId as string,
    ruleName: (item.ruleName as string | undefined) ?? null,
    deviceId: item.deviceId as string,
    metric: item.metric as string,
    value: item.value as number,
    threshold: item.threshold as number,
    operator: item.operator as Alert['operator'],
    severity: item.severity as Alert['severity'],
    eventId: (item.eventId as string | undefined) ?? null,
    eventTimestamp: (item.eventTimestamp as string | undefined) ?? null,
    firedAt: item.firedAt as string,
  };
}
