import { dynamodb } from '../clients/dynamodb.ts';
import { sqs } from '../clients/sqs.ts';
import { setting } from '../config.ts';
import { DynamoDbAlertStore } from '../dynamodb-alert-store.ts';
import { DynamoDbReadingStore } from '../dynamodb-reading-store.ts';
import { DynamoDbRuleStore } from '../dynamodb-rule-store.ts';
import { SqsEvaluationQueue } from '../sqs-evaluation-queue.ts';
import { tables, evaluationQueue as queueDefinition } from '../../infra/resources.ts';

/*
 * The adapters more than one function uses, each written once. A function's wiring module
 * calls the ones it needs at cold start; each is built on first use, so a function reads only
 * the settings of what it uses.
 */

function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** The queue the worker consumes: readings, and work messages of rule and alert changes. */
export const evaluationQueue = once(
  () => new SqsEvaluationQueue(sqs, setting(queueDefinition.envVar)),
);

export const readingStore = once(
  () =>
    new DynamoDbReadingStore(
      dynamodb,
      setting(tables.readingBlocks.envVar),
      setting('RETENTION_DAYS'),
    ),
);

export const ruleStore = once(() => new DynamoDbRuleStore(dynamodb, setting(tables.rules.envVar)));

export const alertStore = once(
  () => new DynamoDbAlertStore(dynamodb, setting(tables.alerts.envVar), setting('RETENTION_DAYS')),
);
