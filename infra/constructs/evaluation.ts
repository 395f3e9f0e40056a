import { Duration, Validations } from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alertsTopic, episodeCheck, evaluationQueue, tables } from '../resources.ts';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AlertsFunction } from './alerts-function.ts';
import { settings } from '../settings.ts';
import { acknowledgeIndexAccess, type TableName } from './storage.ts';

export interface EvaluationProps {
  queue: Queue;
  tables: Record<TableName, Table>;
  topic: Topic;
  api: GraphqlApi;
  retentionDays: number;
  batchSize: number;
  maxBatchingWindowSeconds: number;
}

/**
 * The worker that evaluates every reading: fed by the queue with partial batch failures,
 * allowed exactly what it does — write readings, read rules, record alerts, keep notification
 * groups (and schedule their e-mails on its own queue), publish to the topic and call
 * `publishAlert`. Its alarms are in infra/constructs/observability.ts.
 */
export class Evaluation extends Construct {
  readonly worker: AlertsFunction;
  readonly check: AlertsFunction;

  constructor(scope: Construct, id: string, props: EvaluationProps) {
    super(scope, id);
    const environment = {
      [tables.readingBlocks.envVar]: props.tables.readingBlocks.tableName,
      [tables.rules.envVar]: props.tables.rules.tableName,
      [tables.alerts.envVar]: props.tables.alerts.tableName,
      [tables.episodes.envVar]: props.tables.episodes.tableName,
      [tables.devices.envVar]: props.tables.devices.tableName,
      [tables.silences.envVar]: props.tables.silences.tableName,
      [tables.notificationGroups.envVar]: props.tables.notificationGroups.tableName,
      // Both schedule notification groups' e-mails with delayed flushGroup messages.
      [evaluationQueue.envVar]: props.queue.queueUrl,
      [alertsTopic.envVar]: props.topic.topicArn,
      GRAPHQL_URL: props.api.graphqlUrl,
      RETENTION_DAYS: String(props.retentionDays),
      RULES_REFRESH_MS: String(settings.RULES_REFRESH_MS.default),
    };
    this.worker = new AlertsFunction(this, 'Worker', {
      entry: 'workers/evaluate-readings.ts',
      description: 'Evaluates readings against rules; records, e-mails and pushes alerts',
      timeout: Duration.seconds(evaluationQueue.workerTimeoutSeconds),
      environment,
    });
    this.worker.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize,
        ...(props.maxBatchingWindowSeconds > 0
          ? { maxBatchingWindow: Duration.seconds(props.maxBatchingWindowSeconds) }
          : {}),
        reportBatchItemFailures: true,
      }),
    );
    props.tables.readingBlocks.grantWriteData(this.worker);
    // The worker records the devices it stores readings of; the check only reads their labels.
    props.tables.devices.grantReadWriteData(this.worker);
    this.check = new AlertsFunction(this, 'Check', {
      entry: 'workers/check-episodes.ts',
      description: 'Scheduled: NO_DATA alerts for silent devices, repeats of firing alerts',
      timeout: Duration.seconds(episodeCheck.intervalSeconds),
      environment,
    });
    new Rule(this, 'CheckSchedule', {
      description: 'Runs the no-data and repeat check',
      schedule: Schedule.rate(Duration.seconds(episodeCheck.intervalSeconds)),
      targets: [new LambdaFunction(this.check)],
    });
    for (const fn of [this.worker, this.check]) {
      props.tables.rules.grantReadData(fn);
      // Silences and windows: read whole at a cold start, then by their changes; by id to release.
      grantSilencesReader(fn, props.tables.silences);
      props.tables.episodes.grantReadWriteData(fn);
      props.tables.alerts.grantReadWriteData(fn);
      // Notification groups: entries added, heads leased, overdue groups found by `due`.
      props.tables.notificationGroups.grantReadWriteData(fn);
      props.queue.grantSendMessages(fn);
      props.topic.grantPublish(fn);
      props.api.grantMutation(fn, 'publishAlert');
      Validations.of(fn.role ?? fn).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "Publishing to the encrypted alerts topic needs data keys from the topic's own KMS key, the only key granted.",
      });
    }
    acknowledgeIndexAccess(
      this.worker,
      props.tables.readingBlocks,
      props.tables.rules,
      props.tables.alerts,
      props.tables.devices,
      props.tables.notificationGroups,
      props.tables.episodes,
    );
    props.tables.devices.grantReadData(this.check);
    acknowledgeIndexAccess(
      this.check,
      props.tables.rules,
      props.tables.alerts,
      props.tables.devices,
      props.tables.notificationGroups,
      props.tables.episodes,
    );
  }
}

/**
 * What the worker and the check read of the silences table, and nothing more: the cold
 * start's scan, a mute by id (GetItem, consistent) and the `changes` index (Query). They never
 * write it and never list it by kind.
 */
function grantSilencesReader(fn: IFunction, table: Table): void {
  const [, changes] = tables.silences.globalSecondaryIndexes;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Scan', 'dynamodb:GetItem'],
      resources: [table.tableArn],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${table.tableArn}/index/${changes.indexName}`],
    }),
  );
}
