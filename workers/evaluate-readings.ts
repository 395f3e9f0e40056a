import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AppSyncAlertPublisher } from '../adapters/appsync-alert-publisher.ts';
import { dynamodb, sns } from '../adapters/aws-clients.ts';
import { DynamoDbAlertStore } from '../adapters/dynamodb-alert-store.ts';
import { DynamoDbReadingStore } from '../adapters/dynamodb-reading-store.ts';
import { DynamoDbRuleStore } from '../adapters/dynamodb-rule-store.ts';
import { integerEnv, requireEnv } from '../adapters/environment.ts';
import { logger } from '../adapters/logger.ts';
import { SnsAlertNotifier } from '../adapters/sns-alert-notifier.ts';
import { PoisonRecordError } from '../domain/errors.ts';
import { evaluateReading } from '../domain/evaluation.ts';
import { isReading } from '../domain/reading.ts';
import { RuleCache } from '../domain/rule-cache.ts';
import { alertsTopic, defaultRetentionDays, tables } from '../infra/resources.ts';

const retentionDays = integerEnv('RETENTION_DAYS', defaultRetentionDays);
const ruleStore = new DynamoDbRuleStore(dynamodb, requireEnv(tables.rules.envVar));
const rules = new RuleCache(() => ruleStore.all(), integerEnv('RULES_REFRESH_MS', 2000));
const deps = {
  readings: new DynamoDbReadingStore(dynamodb, requireEnv(tables.readings.envVar), retentionDays),
  rules: () => rules.current(),
  alerts: new DynamoDbAlertStore(dynamodb, requireEnv(tables.alerts.envVar), retentionDays),
  notifier: new SnsAlertNotifier(sns, requireEnv(alertsTopic.envVar)),
  publisher: new AppSyncAlertPublisher(requireEnv('GRAPHQL_URL'), requireEnv('AWS_REGION')),
  now: Date.now,
};
const processor = new BatchProcessor(EventType.SQS);

async function evaluateRecord(record: SQSRecord): Promise<void> {
  let reading: unknown;
  try {
    reading = JSON.parse(record.body);
  } catch {
    reading = undefined;
  }
  if (!isReading(reading)) {
    // Logged by message id only: the body may be anything, of any size.
    logger.error('Poison record: the body is not a reading', { messageId: record.messageId });
    throw new PoisonRecordError(`Message ${record.messageId} is not a reading`);
  }
  const alerts = await evaluateReading(reading, deps);
  if (alerts.length > 0) {
    logger.info('Reading fired alerts', {
      deviceId: reading.deviceId,
      readingId: reading.id,
      alertIds: alerts.map((alert) => alert.id),
    });
  }
}

/**
 * SQS-triggered worker: evaluates every reading of the batch. A reading that fails is
 * reported in `batchItemFailures`, so only it is retried (and, after the queue's
 * maxReceiveCount, moved to the dead-letter queue) while the rest of the batch completes.
 */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, evaluateRecord, processor, { context });
