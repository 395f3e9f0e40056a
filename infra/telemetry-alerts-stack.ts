import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { Api } from './constructs/api.ts';
import { ApiFirewall } from './constructs/api-firewall.ts';
import { Auth } from './constructs/auth.ts';
import { ConsoleSite } from './constructs/console-site.ts';
import { Evaluation } from './constructs/evaluation.ts';
import { Ingest } from './constructs/ingest.ts';
import { Notifications } from './constructs/notifications.ts';
import { type AlarmThresholds, Observability } from './constructs/observability.ts';
import { Storage } from './constructs/storage.ts';

/** Deploy-time settings, from CDK context (`-c name=value`); see the README. */
export interface TelemetryAlertsSettings {
  alertEmails: string[];
  /** The built operator console to deploy; undefined leaves the console out. */
  consoleDist: string | undefined;
  retentionDays: number;
  workerBatchSize: number;
  workerMaxBatchingWindowSeconds: number;
  /** The WAF rate limit: requests one IP address may send in any 5 minutes. */
  apiRequestsPerFiveMinutes: number;
  /** The device authorizer's reserved concurrency; undefined reserves none. */
  authorizerReservedConcurrency: number | undefined;
  /** Subscribers of the operations topic, where the system's alarms go. */
  operationsEmails: string[];
  alarmThresholds: AlarmThresholds;
}

/**
 * The whole system in AWS: storage, notifications, ingest, who may sign in (the user pool
 * and the device authorizer), the API and its WAF rate limit, the evaluation worker, the
 * dashboard and alarms with their operations topic and, unless left out, the operator
 * console. Its outputs carry the same names as the local stack's
 * `.local/outputs.json`.
 */
export class TelemetryAlertsStack extends Stack {
  private readonly api: Api;

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
    const auth = new Auth(this, 'Auth', {
      deviceCredentials: storage.tables.deviceCredentials,
      authorizerReservedConcurrency: settings.authorizerReservedConcurrency,
    });
    const api = new Api(this, 'Api', {
      userPool: auth.userPool,
      userPoolClient: auth.consoleClient,
      deviceAuthorizer: auth.deviceAuthorizer,
      retentionDays: settings.retentionDays,
      tables: storage.tables,
      ingestResolver: ingest.resolver,
      workQueue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
    });
    this.api = api;
    new ApiFirewall(this, 'ApiFirewall', {
      api: api.api,
      requestsPerFiveMinutes: settings.apiRequestsPerFiveMinutes,
    });
    const evaluation = new Evaluation(this, 'Evaluation', {
      queue: ingest.queue,
      tables: storage.tables,
      topic: notifications.topic,
      api: api.api,
      retentionDays: settings.retentionDays,
      batchSize: settings.workerBatchSize,
      maxBatchingWindowSeconds: settings.workerMaxBatchingWindowSeconds,
    });
    const observability = new Observability(this, 'Observability', {
      queue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
      api: api.api,
      functions: {
        ...api.resolvers,
        authorizer: auth.deviceAuthorizer,
        worker: evaluation.worker,
        check: evaluation.check,
      },
      operationsEmails: settings.operationsEmails,
      thresholds: settings.alarmThresholds,
    });

    const outputs: Record<string, string> = {
      GraphQLUrl: api.api.graphqlUrl,
      HttpsGraphQLUrl: api.api.graphqlUrl,
      RealtimeUrl: api.realtimeUrl,
      Region: this.region,
      UserPoolId: auth.userPool.userPoolId,
      UserPoolClientId: auth.consoleClient.userPoolClientId,
      ReadingBlocksTableName: storage.tables.readingBlocks.tableName,
      RulesTableName: storage.tables.rules.tableName,
      AlertsTableName: storage.tables.alerts.tableName,
      EpisodesTableName: storage.tables.episodes.tableName,
      EvaluationQueueUrl: ingest.queue.queueUrl,
      DeadLetterQueueUrl: ingest.deadLetterQueue.queueUrl,
      AlertsTopicArn: notifications.topic.topicArn,
      OperationsTopicArn: observability.topic.topicArn,
      DashboardUrl: observability.dashboardUrl,
    };
    if (settings.consoleDist !== undefined) {
      const site = new ConsoleSite(this, 'Console', {
        distDir: settings.consoleDist,
        api: api.api,
        realtimeUrl: api.realtimeUrl,
        userPool: auth.userPool,
        userPoolClient: auth.consoleClient,
      });
      outputs.ConsoleUrl = site.url;
    }
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }

  /**
   * Lets `grantee` ingest readings with SigV4 (the AWS_IAM auth mode): `appsync:GraphQL` on
   * `Mutation.ingestEvent` and `Mutation.ingestEvents` of this API, nothing else. For a
   * gateway's or a pipeline's role; see docs/deploy.md.
   */
  grantIngest(grantee: IGrantable): Grant {
    return this.api.grantIngest(grantee);
  }
}
