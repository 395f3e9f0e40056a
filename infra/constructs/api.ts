import { readFileSync } from 'node:fs';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { APPSYNC_GRAPHQLAPI_SCOPE_LAMBDA_FUNCTION_PERMISSION } from 'aws-cdk-lib/cx-api';
import {
  type Grant,
  type IGrantable,
  Policy,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import {
  AuthorizationType,
  type CfnGraphQLApi,
  Code,
  Definition,
  FieldLogLevel,
  FunctionRuntime,
  GraphqlApi,
  type LambdaDataSource,
} from 'aws-cdk-lib/aws-appsync';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  deviceAuthorizer,
  evaluationQueue,
  noneResolverFields,
  resolverFunctions,
  tables,
} from '../resources.ts';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { AlertsFunction } from './alerts-function.ts';
import { acknowledgeIndexAccess, type TableName } from './storage.ts';

export interface ApiProps {
  /** People sign in here (the default auth mode). */
  userPool: IUserPool;
  /** Only tokens issued to this client (the console's) are accepted. */
  userPoolClient: IUserPoolClient;
  /** Checks device credentials (the AWS_LAMBDA auth mode). */
  deviceAuthorizer: IFunction;
  retentionDays: number;
  tables: Record<TableName, Table>;
  /** The ingest resolver, built with the queue it writes to. */
  ingestResolver: IFunction;
  /** Where rule and alert changes hand work to the evaluation worker. */
  workQueue: Queue;
  /** The work queue's dead-letter queue, whose depth `systemStatus` reports. */
  deadLetterQueue: Queue;
}

type ResolverModule = keyof typeof resolverFunctions;

/**
 * The AppSync API from schema.graphql, whose directives say which auth mode may call what:
 * Cognito user pools by default (people, by their groups), AWS_LAMBDA for device
 * credentials (ingest only) and AWS_IAM for the worker's `publishAlert` and roles given the
 * ingest grant. No API key. A Lambda resolver serves every query and mutation (with the
 * resolver code that gives errors their errorType) and a NONE data source `publishAlert`,
 * which only relays the alert to `onAlert` subscribers.
 */
export class Api extends Construct {
  readonly api: GraphqlApi;
  readonly realtimeUrl: string;
  /** The resolver functions, by their module in resolvers/ (the ingest one included). */
  readonly resolvers: Record<ResolverModule, IFunction>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    // AppSync may invoke the authorizer for this API only (the permission's SourceArn).
    this.node.setContext(APPSYNC_GRAPHQLAPI_SCOPE_LAMBDA_FUNCTION_PERMISSION, true);
    const logsRole = new Role(this, 'ApiLogsRole', {
      assumedBy: new ServicePrincipal('appsync.amazonaws.com'),
      description: 'Lets AppSync write the API request logs',
      inlinePolicies: {
        Logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [
                Stack.of(this).formatArn({
                  service: 'logs',
                  resource: 'log-group',
                  resourceName: '/aws/appsync/apis/*',
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ],
            }),
          ],
        }),
      },
    });
    Validations.of(logsRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/appsync/apis/*]',
      reason:
        "AppSync names its log group after the API id, which exists only once the API does; the role is limited to AppSync's log groups.",
    });
    this.api = new GraphqlApi(this, 'GraphqlApi', {
      name: 'telemetry-alerts',
      definition: Definition.fromFile(new URL('../../schema.graphql', import.meta.url).pathname),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: AuthorizationType.USER_POOL,
          userPoolConfig: {
            userPool: props.userPool,
            appIdClientRegex: `^${props.userPoolClient.userPoolClientId}$`,
          },
        },
        additionalAuthorizationModes: [
          {
            authorizationType: AuthorizationType.LAMBDA,
            lambdaAuthorizerConfig: {
              handler: props.deviceAuthorizer,
              // A revoked credential stops working within this time.
              resultsCacheTtl: Duration.seconds(deviceAuthorizer.cacheTtlSeconds),
              // Anything else (a JWT, an API key) is refused without invoking the function.
              validationRegex: deviceAuthorizer.tokenPattern,
            },
          },
          { authorizationType: AuthorizationType.IAM },
        ],
      },
      xrayEnabled: true,
    });
    const cfnApi = this.api.node.defaultChild as CfnGraphQLApi;
    // Set on the L1 resource: the L2 logConfig adds a log-retention Lambda; the log group
    // below sets retention itself.
    cfnApi.logConfig = {
      cloudWatchLogsRoleArn: logsRole.roleArn,
      fieldLogLevel: FieldLogLevel.ERROR,
      excludeVerboseContent: true,
    };
    new LogGroup(this, 'ApiLogs', {
      logGroupName: `/aws/appsync/apis/${this.api.apiId}`,
      retention: RetentionDays.ONE_MONTH,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-ASC3',
      reason:
        'Request-level logging is on (CloudWatch role set, errors logged per field); verbose content is excluded so request headers (tokens and device credentials) and reading values stay out of the logs.',
    });
    this.realtimeUrl = cfnApi.attrRealtimeUrl;

    const retention = String(props.retentionDays);
    const functions: Record<ResolverModule, IFunction> = {
      ingest: props.ingestResolver,
      rules: new AlertsFunction(this, 'RulesResolver', {
        entry: 'resolvers/rules.ts',
        description:
          'createRule, updateRule, setRuleEnabled, deleteRule, importAlarmModels, rule, rules',
        environment: {
          [tables.rules.envVar]: props.tables.rules.tableName,
          [evaluationQueue.envVar]: props.workQueue.queueUrl,
        },
      }),
      queries: new AlertsFunction(this, 'QueriesResolver', {
        entry: 'resolvers/queries.ts',
        description: 'events, alerts, activeAlerts, acknowledgeAlert, snoozeAlert, resetAlert',
        environment: {
          [tables.readingBlocks.envVar]: props.tables.readingBlocks.tableName,
          [tables.alerts.envVar]: props.tables.alerts.tableName,
          [tables.silences.envVar]: props.tables.silences.tableName,
          [evaluationQueue.envVar]: props.workQueue.queueUrl,
          RETENTION_DAYS: retention,
        },
      }),
      devices: new AlertsFunction(this, 'DevicesResolver', {
        entry: 'resolvers/devices.ts',
        description: 'devices, device, updateDevice, deleteDevice',
        environment: {
          [tables.devices.envVar]: props.tables.devices.tableName,
          [tables.alerts.envVar]: props.tables.alerts.tableName,
          [evaluationQueue.envVar]: props.workQueue.queueUrl,
        },
      }),
      credentials: new AlertsFunction(this, 'CredentialsResolver', {
        entry: 'resolvers/credentials.ts',
        description: 'createDeviceCredential, revokeDeviceCredential, deviceCredentials',
        environment: {
          [tables.deviceCredentials.envVar]: props.tables.deviceCredentials.tableName,
        },
      }),
      silences: new AlertsFunction(this, 'SilencesResolver', {
        entry: 'resolvers/silences.ts',
        description:
          'createSilence, expireSilence, silences, silence and the maintenance windows: create, update, delete, list',
        environment: {
          [tables.silences.envVar]: props.tables.silences.tableName,
          [evaluationQueue.envVar]: props.workQueue.queueUrl,
        },
      }),
      // A backtest replays up to a million readings within AppSync's 30 s: one full vCPU
      // (1,769 MB) for its decoding and episode steps, and the whole of AppSync's time.
      backtest: new AlertsFunction(this, 'BacktestResolver', {
        entry: 'resolvers/backtest.ts',
        description: 'backtestRule: a draft rule replayed over stored readings, writing nothing',
        timeout: Duration.seconds(30),
        memorySize: 1769,
        environment: {
          [tables.readingBlocks.envVar]: props.tables.readingBlocks.tableName,
          [tables.devices.envVar]: props.tables.devices.tableName,
          RETENTION_DAYS: retention,
        },
      }),
      status: new AlertsFunction(this, 'StatusResolver', {
        entry: 'resolvers/status.ts',
        description: 'systemStatus: the queues, the flow of readings, the evaluation lag',
        environment: {
          [evaluationQueue.envVar]: props.workQueue.queueUrl,
          DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        },
      }),
    };
    props.tables.rules.grantReadWriteData(functions.rules);
    props.tables.readingBlocks.grantReadData(functions.queries);
    props.tables.alerts.grantReadWriteData(functions.queries);
    props.workQueue.grantSendMessages(functions.rules);
    props.workQueue.grantSendMessages(functions.queries);
    // A snooze is a new silence: the queries resolver may add one, and do nothing else there.
    functions.queries.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [props.tables.silences.tableArn],
      }),
    );
    grantCredentialsResolver(functions.credentials, props.tables.deviceCredentials);
    // Devices: the inventory read and written; alerts only read (each device's firing ones).
    props.tables.devices.grantReadWriteData(functions.devices);
    props.tables.alerts.grantReadData(functions.devices);
    props.workQueue.grantSendMessages(functions.devices);
    acknowledgeIndexAccess(functions.devices, props.tables.devices, props.tables.alerts);
    acknowledgeIndexAccess(functions.rules, props.tables.rules);
    acknowledgeIndexAccess(functions.queries, props.tables.readingBlocks, props.tables.alerts);
    grantStatusResolver(functions.status, props.workQueue, props.deadLetterQueue);
    grantSilencesResolver(functions.silences, props.tables.silences);
    grantBacktestResolver(functions.backtest, props.tables.readingBlocks, props.tables.devices);
    props.workQueue.grantSendMessages(functions.silences);
    this.resolvers = functions;

    for (const [module, fields] of Object.entries(resolverFunctions) as [
      ResolverModule,
      readonly string[],
    ][]) {
      const dataSource: LambdaDataSource = this.api.addLambdaDataSource(
        `${capitalise(module)}DataSource`,
        functions[module],
      );
      if (dataSource.grantPrincipal instanceof Role) {
        Validations.of(dataSource.grantPrincipal).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(functions[module].node.defaultChild as CfnFunction)}.Arn>:*]`,
          reason: 'AppSync may invoke this one function and its versions; nothing else.',
        });
      }
      for (const field of fields) {
        const [typeName, fieldName] = field.split('.') as [string, string];
        dataSource.createResolver(`${typeName}${capitalise(fieldName)}Resolver`, {
          typeName,
          fieldName,
          code: invokeLambda,
          runtime: FunctionRuntime.JS_1_0_0,
        });
      }
    }
    const relay = this.api.addNoneDataSource('AlertRelay', {
      description: 'Relays publishAlert to onAlert subscribers; stores nothing',
    });
    for (const field of noneResolverFields) {
      const [typeName, fieldName] = field.split('.') as [string, string];
      relay.createResolver(`${typeName}${capitalise(fieldName)}Resolver`, {
        typeName,
        fieldName,
        code: relayArguments,
        runtime: FunctionRuntime.JS_1_0_0,
      });
    }
  }

  /**
   * Lets `grantee` (a role or user in this account) call `ingestEvent` and `ingestEvents`
   * with SigV4 (the AWS_IAM mode), and nothing else of the API.
   */
  grantIngest(grantee: IGrantable): Grant {
    return this.api.grantMutation(grantee, 'ingestEvent', 'ingestEvents');
  }
}

/**
 * What the credentials resolver does with the table, and nothing more: create a credential
 * (PutItem), revoke one (UpdateItem) and list them through the `all` index (Query). It never
 * reads one by id, deletes one or scans.
 */
function grantCredentialsResolver(resolver: IFunction, table: Table): void {
  const [listing] = tables.deviceCredentials.globalSecondaryIndexes;
  resolver.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [table.tableArn],
    }),
  );
  resolver.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${table.tableArn}/index/${listing.indexName}`],
    }),
  );
}

/**
 * What the backtest resolver reads, and nothing more: reading blocks by device (Query on the
 * table), and the inventory's devices by id (GetItem, BatchGetItem) and listed through its
 * `all` index (Query). It writes nothing.
 */
function grantBacktestResolver(resolver: IFunction, readingBlocks: Table, devices: Table): void {
  const [listing] = tables.devices.globalSecondaryIndexes;
  resolver.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: [readingBlocks.tableArn] }),
  );
  resolver.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
      resources: [devices.tableArn],
    }),
  );
  resolver.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${devices.tableArn}/index/${listing.indexName}`],
    }),
  );
}

/**
 * What the silences resolver does with its table, and nothing more: write a silence or a
 * window (PutItem, conditional, which also leaves a deleted window's tombstone), read one by
 * id (GetItem) and list them through the `byKind` index (Query). It never scans, deletes an
 * item or reads the `changes` index, which is the workers'.
 */
function grantSilencesResolver(resolver: IFunction, table: Table): void {
  const [listing] = tables.silences.globalSecondaryIndexes;
  resolver.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
      resources: [table.tableArn],
    }),
  );
  resolver.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${table.tableArn}/index/${listing.indexName}`],
    }),
  );
}

/**
 * What the status resolver reads, and nothing more: the two queues' attributes
 * (GetQueueAttributes on those queues only) and metrics (GetMetricData, which IAM cannot
 * narrow to a resource). It reads no message and no table.
 */
function grantStatusResolver(resolver: IFunction, ...queues: Queue[]): void {
  resolver.addToRolePolicy(
    new PolicyStatement({
      actions: ['sqs:GetQueueAttributes'],
      resources: queues.map((queue) => queue.queueArn),
    }),
  );
  const role = resolver.role;
  if (!role) throw new Error('The status resolver has no role to grant to');
  const metrics = new Policy(resolver, 'ReadMetrics', {
    statements: [new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] })],
  });
  metrics.attachToRole(role);
  Validations.of(metrics).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'cloudwatch:GetMetricData supports no resource-level permissions (its resource must be *); it reads metrics only, for systemStatus.',
  });
}

/** Resolver code for every Lambda field: maps returned errors to their errorType (see the file). */
const invokeLambda = Code.fromInline(
  readFileSync(new URL('../appsync/invoke-lambda.js', import.meta.url), 'utf8'),
);

/** APPSYNC_JS for a NONE data source: the mutation's result is its `input` argument. */
const relayArguments = Code.fromInline(`
export function request(ctx) { return { payload: ctx.args.input }; }
export function response(ctx) { return ctx.result; }
`);

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
