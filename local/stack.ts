import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AppSyncAuthorizerEvent, AppSyncResolverEvent } from 'aws-lambda';
import type { DeviceCredentialStore } from '../domain/ports.ts';
import {
  alertsTopic,
  deviceAuthorizer,
  episodeCheck,
  noneResolverFields,
  evaluationQueue,
  resolverFunctions,
  tables,
} from '../infra/resources.ts';
import { queueName } from '../adapters/aws-system-status.ts';
import { sdkClientConfig, withoutSdkLogging } from '../adapters/clients/config.ts';
import { type SettingValue, settings } from '../infra/settings.ts';
import { loadResolverCode } from './appsync/resolver-code.ts';
import { startLocalAppSync } from './appsync/server.ts';
import { startConsoleServer } from './console-server.ts';
import { startEmailRelay } from './email-relay.ts';
import { tapEmf } from './emf-capture.ts';
import { startEmulatorThread, startInbox } from './emulators.ts';
import { type SqsHandler, startEventSourceMapping } from './event-source-mapping.ts';
import { provision, type QueueSettings } from './provision.ts';
import { startWorkerThread } from './worker-thread.ts';
import { ensureDemoDeviceCredential } from './demo-device.ts';
import { startLocalUserPool } from './user-pool.ts';
import { localCertificate, localSecrets } from './state.ts';

const REGION = 'us-east-1';
const repoRoot = new URL('..', import.meta.url);

export interface LocalStackPorts {
  graphql: number;
  https: number;
  dynamodb: number;
  sqs: number;
  smtp: number;
  inbox: number;
  /** The Cognito-compatible user pool. */
  cognito: number;
  /** The CloudWatch emulator (the functions' metrics); absent, any free port. */
  cloudwatch?: number;
  /** The operator console; absent, the stack serves no console. */
  console?: number;
}

export interface LocalStackOptions {
  /** Where state persists across restarts; null keeps everything in memory (throw-away). */
  stateDir: string | null;
  ports: LocalStackPorts;
  /** E-mail subscribers of the alerts topic. */
  alertEmails: string[];
  /** Overrides of the queue settings, e.g. a short visibility timeout in tests. */
  queue?: Partial<QueueSettings>;
  worker?: {
    batchSize?: number;
    maxBatchingWindowMs?: number;
    concurrency?: number;
    /** The worker's timeout (Lambda's), default the deployed one. */
    timeoutMs?: number;
    /**
     * Run the worker on a thread of its own, as `npm start` does, instead of on the
     * endpoint's event loop (where tests can reach the handlers' SDK clients).
     */
    thread?: boolean;
  };
  /** How often the worker reloads rules, in milliseconds. */
  rulesRefreshMs?: number;
  /** How often the scheduled no-data and repeat check runs, in milliseconds. */
  episodeCheckIntervalMs?: number;
  /**
   * The e-mail grouping of rules that set none (GROUP_WAIT_SECONDS, GROUP_INTERVAL_SECONDS;
   * default the deployed 30 s and 300 s). Tests set a short wait to see e-mails in seconds.
   */
  notificationGroups?: { waitSeconds?: number; intervalSeconds?: number };
  logLevel?: SettingValue<'POWERTOOLS_LOG_LEVEL'>;
  /**
   * How long the endpoint reuses the device authorizer's answer for a token (AppSync's
   * cache; default the deployed 300 s). Tests set 0 to see a revocation at once.
   */
  deviceAuthCacheSeconds?: number;
  /**
   * How long a worker's claim on sending one notification, or a group's e-mail, lasts
   * (DELIVERY_LEASE_SECONDS, default 60 s): a send cut short by a crash goes out after it.
   */
  deliveryLeaseSeconds?: number;
  /** Readings one backtestRule call replays at most (BACKTEST_MAX_READINGS); tests set a few. */
  backtestMaxReadings?: number;
  /** The period of each point of `systemStatus`'s series, in seconds (default 10). */
  statusPeriodSeconds?: number;
  /** How often the CloudWatch emulator samples the queues, in milliseconds (default 5 s). */
  queueMetricsIntervalMs?: number;
}

/** What `cdk deploy --outputs-file` would write for the stack, plus the local-only addresses. */
export interface LocalStackOutputs {
  GraphQLUrl: string;
  HttpsGraphQLUrl: string;
  RealtimeUrl: string;
  HttpsRealtimeUrl: string;
  Region: string;
  /** The user pool people sign in to, and the console's app client. */
  UserPoolId: string;
  UserPoolClientId: string;
  /** What Cognito clients (the AWS SDK, Amplify's `userPoolEndpoint`) pass as their endpoint. */
  CognitoEndpoint: string;
  /** The first admin, made on first start; the password is kept under the state directory. */
  LocalAdminUsername: string;
  LocalAdminPassword: string;
  /** A device credential for device ids starting with `demo-`. */
  DemoDeviceToken: string;
  CertificatePath: string;
  EmailInboxUrl: string;
  /** The operator console, when the stack serves it. */
  ConsoleUrl?: string;
  ReadingBlocksTableName: string;
  RulesTableName: string;
  AlertsTableName: string;
  EpisodesTableName: string;
  DeviceCredentialsTableName: string;
  DevicesTableName: string;
  NotificationGroupsTableName: string;
  EvaluationQueueUrl: string;
  DeadLetterQueueUrl: string;
  AlertsTopicArn: string;
  DynamoDbEndpoint: string;
  SqsEndpoint: string;
  SnsEndpoint: string;
  /** The CloudWatch emulator: the functions' metrics, from their EMF output, and the queues'. */
  CloudWatchEndpoint: string;
  /** Credentials the endpoint accepts for AWS_IAM (SigV4) requests; local only. */
  LocalAccessKeyId: string;
  LocalSecretAccessKey: string;
}

export interface LocalStack {
  outputs: LocalStackOutputs;
  stop(): Promise<void>;
}

let started = false;

/**
 * Starts the whole system on this machine: DynamoDB, SQS and SNS emulators, an SMTP inbox,
 * the AppSync-compatible endpoint running the real resolver handlers, the worker fed by an
 * SQS event source mapping, and the SNS e-mail relay. The handlers are the deployed code,
 * configured through the same environment variables and SDK endpoint settings as in AWS.
 *
 * One stack per process: handlers read their configuration once, at import.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  if (started) throw new Error('A local stack is already running in this process');
  started = true;
  const host = '127.0.0.1';
  const scratch = options.stateDir ? null : mkdtempSync(join(tmpdir(), 'telemetry-alerts-'));
  const dir = options.stateDir ?? (scratch as string);
  mkdirSync(dir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    started = false;
  };
  try {
    const secrets = localSecrets(options.stateDir);
    const tls = await localCertificate(join(dir, 'tls'));
    const persistent = options.stateDir !== null;
    const kept = persistent
      ? { tables: join(dir, 'dynamodb'), queues: join(dir, 'queues') }
      : undefined;
    const emulators = await startEmulatorThread({
      host,
      dynamodbPort: options.ports.dynamodb,
      sqsPort: options.ports.sqs,
      cloudwatchPort: options.ports.cloudwatch ?? 0,
      dynamodbDir: kept?.tables ?? null,
      queuesDir: kept?.queues ?? null,
      region: REGION,
      queueSampleIntervalMs: options.queueMetricsIntervalMs ?? 5000,
    });
    closers.push(emulators.close);
    // The handlers in this process (the resolvers, and the worker without a thread of its own)
    // write their EMF to its standard output, as a Lambda function does to its log.
    const untap = tapEmf(process.stdout, emulators.recordEmf);
    closers.push(async () => untap());
    const dynamodb = { url: emulators.dynamodbUrl };
    const queues = { url: emulators.sqsUrl };
    const inbox = await startInbox({
      host,
      smtpPort: options.ports.smtp,
      webPort: options.ports.inbox,
      mailDir: join(dir, 'mail'),
    });
    closers.push(inbox.close);

    const credentials = {
      accessKeyId: secrets.accessKeyId,
      secretAccessKey: secrets.secretAccessKey,
    };
    const userPool = await startLocalUserPool({
      host,
      port: options.ports.cognito,
      stateDir: persistent ? join(dir, 'user-pool') : null,
      region: REGION,
      credentials,
    });
    closers.push(userPool.close);
    const clientConfig = { ...sdkClientConfig, region: REGION, credentials };
    // The event source mapping's and the e-mail relay's: as lean as the handlers' clients.
    const sqs = withoutSdkLogging(new SQSClient({ ...clientConfig, endpoint: queues.url }));
    const resources = await provision(
      {
        dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: dynamodb.url }),
        sqs,
        sns: new SNSClient({ ...clientConfig, endpoint: queues.url }),
      },
      {
        visibilityTimeoutSeconds:
          options.queue?.visibilityTimeoutSeconds ?? evaluationQueue.visibilityTimeoutSeconds,
        maxReceiveCount: options.queue?.maxReceiveCount ?? evaluationQueue.maxReceiveCount,
      },
      {
        ...(kept ? { keptIn: kept } : {}),
        // What changed in the state kept from an earlier start, one line each.
        report: (line) => console.log(line),
      },
    );

    emulators.watchQueues(
      [resources.evaluationQueueUrl, resources.deadLetterQueueUrl].map(queueName),
    );

    const graphqlUrl = `http://localhost:${options.ports.graphql}/graphql`;
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: secrets.accessKeyId,
      AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      AWS_ENDPOINT_URL_SQS: queues.url,
      AWS_ENDPOINT_URL_SNS: queues.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: emulators.cloudwatchUrl,
      [tables.readingBlocks.envVar]: resources.tableNames.readingBlocks,
      [tables.rules.envVar]: resources.tableNames.rules,
      [tables.alerts.envVar]: resources.tableNames.alerts,
      [tables.episodes.envVar]: resources.tableNames.episodes,
      [tables.deviceCredentials.envVar]: resources.tableNames.deviceCredentials,
      [tables.devices.envVar]: resources.tableNames.devices,
      [tables.silences.envVar]: resources.tableNames.silences,
      [tables.notificationGroups.envVar]: resources.tableNames.notificationGroups,
      [evaluationQueue.envVar]: resources.evaluationQueueUrl,
      DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
      [alertsTopic.envVar]: resources.alertsTopicArn,
      GRAPHQL_URL: graphqlUrl,
      RULES_REFRESH_MS: String(options.rulesRefreshMs ?? settings.RULES_REFRESH_MS.default),
      GROUP_WAIT_SECONDS: String(
        options.notificationGroups?.waitSeconds ?? settings.GROUP_WAIT_SECONDS.default,
      ),
      GROUP_INTERVAL_SECONDS: String(
        options.notificationGroups?.intervalSeconds ?? settings.GROUP_INTERVAL_SECONDS.default,
      ),
      DEVICE_AUTH_CACHE_SECONDS: String(
        options.deviceAuthCacheSeconds ?? settings.DEVICE_AUTH_CACHE_SECONDS.default,
      ),
      DELIVERY_LEASE_SECONDS: String(
        options.deliveryLeaseSeconds ?? settings.DELIVERY_LEASE_SECONDS.default,
      ),
      BACKTEST_MAX_READINGS: String(
        options.backtestMaxReadings ?? settings.BACKTEST_MAX_READINGS.default,
      ),
      STATUS_PERIOD_SECONDS: String(options.statusPeriodSeconds ?? 10),
      POWERTOOLS_SERVICE_NAME: settings.POWERTOOLS_SERVICE_NAME.default,
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? settings.POWERTOOLS_LOG_LEVEL.default,
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    const lambdaResolvers: Record<
      string,
      (event: AppSyncResolverEvent<Record<string, unknown>>) => Promise<unknown>
    > = {};
    for (const [module, fields] of Object.entries(resolverFunctions)) {
      const { handler } = (await import(new URL(`resolvers/${module}.ts`, repoRoot).href)) as {
        handler: (event: AppSyncResolverEvent<Record<string, unknown>>) => Promise<unknown>;
      };
      for (const field of fields) lambdaResolvers[field] = handler;
    }
    const authorizer = (await import(new URL('resolvers/device-authorizer.ts', repoRoot).href)) as {
      handler: (event: AppSyncAuthorizerEvent) => Promise<unknown>;
    };
    await ensureDemoDeviceCredential(
      (
        (await import(new URL('adapters/wiring/credentials.ts', repoRoot).href)) as {
          credentials: DeviceCredentialStore;
        }
      ).credentials,
      secrets.demoDeviceToken,
      new Date().toISOString(),
    );
    const api = await startLocalAppSync({
      lambdaResolverCode: loadResolverCode(
        readFileSync(new URL('infra/appsync/invoke-lambda.js', repoRoot), 'utf8'),
      ),
      schemaSdl: ['appsync.graphql', 'schema.graphql']
        .map((file) => readFileSync(new URL(file, repoRoot), 'utf8'))
        .join('\n'),
      authorization: {
        defaultAuthorization: {
          authorizationType: 'AMAZON_COGNITO_USER_POOLS',
          userPool: {
            issuer: userPool.issuer,
            jwksUri: userPool.jwksUri,
            appClientIds: [userPool.clientId],
          },
        },
        additionalAuthorizationModes: [
          {
            authorizationType: 'AWS_LAMBDA',
            lambdaAuthorizer: {
              invoke: authorizer.handler,
              ttlSeconds: options.deviceAuthCacheSeconds ?? deviceAuthorizer.cacheTtlSeconds,
              identityValidationExpression: deviceAuthorizer.tokenPattern,
            },
          },
          { authorizationType: 'AWS_IAM', credentials },
        ],
      },
      region: REGION,
      lambdaResolvers,
      noneResolvers: [...noneResolverFields],
      host,
      port: options.ports.graphql,
      https: { port: options.ports.https, key: tls.key, cert: tls.cert },
    });
    closers.push(api.close);

    const logError = (message: string, error: unknown) =>
      console.error(
        `${message}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
    const mappingOptions = {
      queueUrl: resources.evaluationQueueUrl,
      queueArn: resources.evaluationQueueArn,
      region: REGION,
      functionName: 'evaluate-readings',
      batchSize: options.worker?.batchSize ?? evaluationQueue.batchSize,
      maxBatchingWindowMs:
        options.worker?.maxBatchingWindowMs ?? evaluationQueue.maxBatchingWindowSeconds * 1000,
      timeoutMs: options.worker?.timeoutMs ?? evaluationQueue.workerTimeoutSeconds * 1000,
      concurrency: options.worker?.concurrency ?? evaluationQueue.pollers,
    };
    if (options.worker?.thread) {
      const thread = await startWorkerThread(
        {
          mapping: mappingOptions,
          sqs: { endpoint: queues.url, region: REGION, ...credentials },
        },
        (message) => console.error(message),
        emulators.recordEmf,
      );
      closers.push(thread.stop);
    } else {
      const worker = (await import(new URL('workers/evaluate-readings.ts', repoRoot).href)) as {
        handler: SqsHandler;
      };
      const mapping = startEventSourceMapping({
        ...mappingOptions,
        sqs,
        handler: worker.handler,
        onError: logError,
      });
      closers.push(mapping.stop);
    }
    const relay = startEmailRelay({
      sqs,
      outboxQueueUrl: resources.emailOutboxQueueUrl,
      smtp: { host, port: inbox.smtpPort },
      recipients: options.alertEmails,
      onError: logError,
    });
    closers.push(relay.stop);

    // EventBridge's schedule, locally: the same handler on a timer, never two runs at once.
    const check = (await import(new URL('workers/check-episodes.ts', repoRoot).href)) as {
      handler: () => Promise<unknown>;
    };
    let checking: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        checking = checking.then(() =>
          check.handler().catch((error: unknown) => logError('The scheduled check failed', error)),
        );
      },
      options.episodeCheckIntervalMs ?? episodeCheck.intervalSeconds * 1000,
    );
    closers.push(async () => {
      clearInterval(timer);
      await checking;
    });

    const consoleSite =
      options.ports.console === undefined
        ? null
        : await startConsoleServer({
            host,
            port: options.ports.console,
            config: {
              graphqlUrl,
              region: REGION,
              userPoolId: userPool.userPoolId,
              userPoolClientId: userPool.clientId,
              cognitoEndpoint: userPool.endpoint,
              authFlowType: 'USER_PASSWORD_AUTH',
            },
          });
    if (consoleSite) closers.push(consoleSite.close);

    return {
      outputs: {
        GraphQLUrl: graphqlUrl,
        HttpsGraphQLUrl: `https://localhost:${options.ports.https}/graphql`,
        RealtimeUrl: `ws://localhost:${options.ports.graphql}/graphql/realtime`,
        HttpsRealtimeUrl: `wss://localhost:${options.ports.https}/graphql/realtime`,
        Region: REGION,
        UserPoolId: userPool.userPoolId,
        UserPoolClientId: userPool.clientId,
        CognitoEndpoint: userPool.endpoint,
        LocalAdminUsername: userPool.adminUsername,
        LocalAdminPassword: userPool.adminPassword,
        DemoDeviceToken: secrets.demoDeviceToken,
        CertificatePath: tls.certPath,
        EmailInboxUrl: inbox.url.replace(host, 'localhost'),
        ...(consoleSite ? { ConsoleUrl: consoleSite.url } : {}),
        ReadingBlocksTableName: resources.tableNames.readingBlocks,
        RulesTableName: resources.tableNames.rules,
        AlertsTableName: resources.tableNames.alerts,
        EpisodesTableName: resources.tableNames.episodes,
        DeviceCredentialsTableName: resources.tableNames.deviceCredentials,
        DevicesTableName: resources.tableNames.devices,
        NotificationGroupsTableName: resources.tableNames.notificationGroups,
        EvaluationQueueUrl: resources.evaluationQueueUrl,
        DeadLetterQueueUrl: resources.deadLetterQueueUrl,
        AlertsTopicArn: resources.alertsTopicArn,
        DynamoDbEndpoint: dynamodb.url,
        SqsEndpoint: queues.url,
        SnsEndpoint: queues.url,
        CloudWatchEndpoint: emulators.cloudwatchUrl,
        LocalAccessKeyId: secrets.accessKeyId,
        LocalSecretAccessKey: secrets.secretAccessKey,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
