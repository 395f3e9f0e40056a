import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './constructs/api.ts';
import { ConsoleSite } from './constructs/console-site.ts';
import { Evaluation } from './constructs/evaluation.ts';
import { Ingest } from './constructs/ingest.ts';
import { Notifications } from './constructs/notifications.ts';
import { Storage } from './constructs/storage.ts';

/** Deploy-time settings, from CDK context (`-c name=value`); see the README. */
export interface TelemetryAlertsSettings {
  alertEmails: string[];
  /** The built operator console to deploy; undefined leaves the console out. */
  consoleDist: string | undefined;
  apiKeyExpiryDays: number;
  retentionDays: number;
  workerBatchSize: number;
  workerMaxBatchingWindowSeconds: number;
}

/**
 * The whole system in AWS: storage, notifications, ingest, the API, the evaluation worker
 * and, unless left out, the operator console. Its outputs carry the same names as the local
 * stack's `.local/outputs.json`.
 */
export class TelemetryAlertsStack extends Stack {
  constructor(scope: Construct, id: string, settings: TelemetryAlertsSettings, props?: StackProps) {
    super(scope, id, {
      description: 'Serverless telemetry alerting on AWS AppSync',
      ...props,
    });
    const storage = new Storage(this, 'Storage');
    const notifications = new Notifications(this, 'Notifications', {
      alertEmails: settings.alertEmails,
    });
    const ingest = new Ingest(this, 'Ingest', { retentionDays: settings.retentionDays });
    const api = new Api(this, 'Api', {
      apiKeyExpiryDays: settings.apiKeyExpiryDays,
      retentionDays: settings.retentionDays,
      tables: storage.tables,
      ingestResolver: ingest.resolver,
      workQueue: ingest.queue,
    });
    new Evaluation(this, 'Evaluation', {
      queue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
      tables: storage.tables,
      topic: notifications.topic,
      api: api.api,
      retentionDays: settings.retentionDays,
      batchSize: settings.workerBatchSize,
      maxBatchingWindowSeconds: settings.workerMaxBatchingWindowSeconds,
    });

    const outputs: Record<string, string> = {
      GraphQLUrl: api.api.graphqlUrl,
      HttpsGraphQLUrl: api.api.graphqlUrl,
      RealtimeUrl: api.realtimeUrl,
      ApiKey: api.api.apiKey ?? '',
      Region: this.region,
      ReadingBlocksTableName: storage.tables.readingBlocks.tableName,
      RulesTableName: storage.tables.rules.tableName,
      AlertsTableName: storage.tables.alerts.tableName,
      EpisodesTableName: storage.tables.episodes.tableName,
      EvaluationQueueUrl: ingest.queue.queueUrl,
      DeadLetterQueueUrl: ingest.deadLetterQueue.queueUrl,
      AlertsTopicArn: notifications.topic.topicArn,
    };
    if (settings.consoleDist !== undefined) {
      const site = new ConsoleSite(this, 'Console', {
        distDir: settings.consoleDist,
        api: api.api,
        realtimeUrl: api.realtimeUrl,
      });
      outputs.ConsoleUrl = site.url;
    }
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
