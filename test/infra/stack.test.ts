import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { buildSchema, isObjectType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  episodeCheck,
  noneResolverFields,
  evaluationQueue,
  resolverFunctions,
  tables,
} from '../../infra/resources.ts';
import type { LocalStackOutputs } from '../../local/stack.ts';
import { resourcesOf, synthesize } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = synthesize({ alertEmail: 'oncall@example.com' });
}, 120_000);

const schemaFields = (() => {
  const sdl = ['appsync.graphql', 'schema.graphql'].map((f) => readFileSync(f, 'utf8')).join('\n');
  const schema = buildSchema(sdl);
  return ['Query', 'Mutation'].flatMap((name) => {
    const type = schema.getType(name);
    return isObjectType(type)
      ? Object.keys(type.getFields()).map((field) => `${name}.${field}`)
      : [];
  });
})();

describe('the CDK stack', () => {
  it('given the app, then cdk-nag AwsSolutions finds nothing unacknowledged (synth would throw)', () => {
    expect(() => synthesize()).not.toThrow();
  });

  it('given the API, then Cognito user pools is the default mode, AWS_LAMBDA and AWS_IAM are additional, logging and X-Ray are on', () => {
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
      AdditionalAuthenticationProviders: [
        Match.objectLike({ AuthenticationType: 'AWS_LAMBDA' }),
        { AuthenticationType: 'AWS_IAM' },
      ],
      XrayEnabled: true,
      LogConfig: { FieldLogLevel: 'ERROR', CloudWatchLogsRoleArn: Match.anyValue() },
    });
  });

  it('given the stack, then no API key exists and nothing mentions one', () => {
    expect(resourcesOf(template, 'AWS::AppSync::ApiKey')).toEqual({});
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('API_KEY');
    expect(json).not.toMatch(/ApiKey/);
  });

  it('given the schema, then every query and mutation has a resolver: Lambda (with the shared resolver code) for each, NONE for publishAlert', () => {
    const dataSourceTypes = new Map(
      Object.values(resourcesOf(template, 'AWS::AppSync::DataSource')).map((d) => [
        d.Properties.Name,
        d.Properties.Type,
      ]),
    );
    const resolvers = Object.values(resourcesOf(template, 'AWS::AppSync::Resolver')).map((r) => ({
      field: `${r.Properties.TypeName}.${r.Properties.FieldName}`,
      type: dataSourceTypes.get(r.Properties.DataSourceName),
    }));
    expect(resolvers.map((r) => r.field).sort()).toEqual([...schemaFields].sort());
    for (const { field, type } of resolvers) {
      expect(type, field).toBe(
        (noneResolverFields as readonly string[]).includes(field) ? 'NONE' : 'AWS_LAMBDA',
      );
    }
    expect(Object.values(resolverFunctions).flat().length + noneResolverFields.length).toBe(
      schemaFields.length,
    );
    // Lambda fields run the resolver code the local endpoint runs, so errorTypes match.
    const code = readFileSync('infra/appsync/invoke-lambda.js', 'utf8');
    for (const resolver of Object.values(resourcesOf(template, 'AWS::AppSync::Resolver'))) {
      expect(resolver.Properties.Runtime).toEqual({ Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
      const lambda = dataSourceTypes.get(resolver.Properties.DataSourceName) === 'AWS_LAMBDA';
      expect(resolver.Properties.Code === code, String(resolver.Properties.FieldName)).toBe(lambda);
    }
  });

  it('given the functions, then each runs Node.js 24 on arm64 with X-Ray, Powertools settings and a log group with retention', () => {
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
    // Eight resolvers, the device authorizer, the worker and the scheduled check.
    expect(functions).toHaveLength(11);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'telemetry-alerts' }),
        },
        LoggingConfig: { LogGroup: expect.anything() },
      });
    }
    for (const group of Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
  });

  it('given the evaluation queue, then it is encrypted, TLS-only, redrives to a DLQ after >= 3 tries and hides a reading for 6x the worker timeout', () => {
    const queues = Object.values(resourcesOf(template, 'AWS::SQS::Queue'));
    const readings = queues.find((q) => q.Properties.RedrivePolicy);
    expect(readings?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: evaluationQueue.maxReceiveCount },
    });
    expect(evaluationQueue.maxReceiveCount).toBeGreaterThanOrEqual(3);
    const worker = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find((f) =>
      String(f.Properties.Description).startsWith('Evaluates readings'),
    );
    expect(readings?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * (worker?.Properties.Timeout as number),
    );
    for (const queue of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it.each([
    [{}, evaluationQueue.batchSize, undefined],
    [{ workerBatchSize: 100, workerMaxBatchingWindowSeconds: 2 }, 100, 2],
  ])(
    'given context %o, then the worker gets batches of %d, window %s, with partial batch failures',
    (context, batch, window) => {
      const synthesized = Object.keys(context).length ? synthesize(context) : template;
      const [mapping] = Object.values(resourcesOf(synthesized, 'AWS::Lambda::EventSourceMapping'));
      expect(mapping?.Properties).toMatchObject({
        BatchSize: batch,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(mapping?.Properties.MaximumBatchingWindowInSeconds).toBe(window);
    },
  );

  it('given the tables, then they are on demand, with point-in-time recovery, encryption, TTL and the indexes', () => {
    for (const definition of Object.values(tables)) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes:
          definition.globalSecondaryIndexes.length === 0
            ? Match.absent()
            : definition.globalSecondaryIndexes.map((index) =>
                Match.objectLike({ IndexName: index.indexName }),
              ),
        ...('timeToLiveAttribute' in definition
          ? {
              TimeToLiveSpecification: {
                AttributeName: definition.timeToLiveAttribute,
                Enabled: true,
              },
            }
          : {}),
      });
    }
  });

  it('given an alert e-mail, then the encrypted, TLS-only alerts topic e-mails it', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    const topicPolicy = Object.values(resourcesOf(template, 'AWS::SNS::TopicPolicy')).find((p) =>
      JSON.stringify(p.Properties.Topics).includes('AlertsTopic'),
    );
    expect(JSON.stringify(topicPolicy?.Properties)).toContain('"aws:SecureTransport":"false"');
    expect(resourcesOf(synthesize(), 'AWS::SNS::Subscription')).toEqual({});
  });

  it('given the scheduled check, then EventBridge runs it at the configured interval', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${episodeCheck.intervalSeconds / 60} minute${episodeCheck.intervalSeconds === 60 ? '' : 's'})`,
      State: 'ENABLED',
    });
  });

  it('given the IAM policies, then no statement grants a wildcard action and the worker may call publishAlert only', () => {
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
      (p) =>
        (
          p.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    const appsync = statements.filter((s) => JSON.stringify(s.Action).includes('appsync:GraphQL'));
    // The worker and the scheduled check, on publishAlert only.
    expect(appsync).toHaveLength(2);
    for (const statement of appsync) {
      expect(JSON.stringify(statement.Resource)).toContain('/types/Mutation/fields/publishAlert');
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
  });

  it("given the status resolver, then it may read the two queues' attributes and metrics, and nothing else", () => {
    const [roleId] = Object.values(resourcesOf(template, 'AWS::Lambda::Function'))
      .filter(
        (fn) =>
          (fn as { Metadata?: Record<string, string> }).Metadata?.['telemetry-alerts:entry'] ===
          'resolvers/status.ts',
      )
      .map((fn) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(roleId).toBeDefined();
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        (p) =>
          (
            p.Properties.PolicyDocument as {
              Statement: { Action: string | string[]; Resource: unknown }[];
            }
          ).Statement,
      )
      .filter((s) => !JSON.stringify(s.Action).includes('xray:'));
    // The evaluation queue and the dead-letter queue its redrive policy names.
    const [evaluation] = Object.entries(resourcesOf(template, 'AWS::SQS::Queue')).filter(
      ([, queue]) => queue.Properties.RedrivePolicy,
    );
    const redrive = evaluation?.[1].Properties.RedrivePolicy as { deadLetterTargetArn: unknown };
    const queueArns = [{ 'Fn::GetAtt': [evaluation?.[0], 'Arn'] }, redrive.deadLetterTargetArn];
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'sqs:GetQueueAttributes',
        Resource: queueArns,
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'cloudwatch:GetMetricData', Resource: '*' }),
    );
  });

  it('given the backtest resolver, then it has 30 s and a full vCPU, and may only read reading blocks and the device inventory', () => {
    const [backtest] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(
      ([, fn]) =>
        (fn as { Metadata?: Record<string, string> }).Metadata?.['telemetry-alerts:entry'] ===
        'resolvers/backtest.ts',
    );
    expect(backtest?.[1].Properties).toMatchObject({ Timeout: 30, MemorySize: 1769 });
    const roleId = (backtest?.[1].Properties.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        (p) =>
          (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
            .Statement,
      )
      .filter((s) => !JSON.stringify(s.Action).includes('xray:'));
    const tableId = (key: string) =>
      Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table')).find(([, table]) =>
        JSON.stringify(table.Properties.KeySchema).includes(`"${key}"`),
      )?.[0];
    const readings = tableId('blockKey');
    const devices = Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table')).find(([id]) =>
      id.includes('Devices'),
    )?.[0];
    expect(readings && devices).toBeTruthy();
    const arn = (id: string | undefined) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(
      statements.map((s) => ({ actions: [s.Action].flat().sort(), resource: s.Resource })),
    ).toEqual([
      { actions: ['dynamodb:Query'], resource: arn(readings) },
      { actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], resource: arn(devices) },
      {
        actions: ['dynamodb:Query'],
        resource: { 'Fn::Join': ['', [arn(devices), '/index/all']] },
      },
    ]);
  });

  it('given the notification groups table, then the worker and the scheduled check alone may use it, and both may send their flush messages to the evaluation queue', () => {
    const roleOf = (entry: string) =>
      Object.values(resourcesOf(template, 'AWS::Lambda::Function'))
        .filter(
          (fn) =>
            (fn as { Metadata?: Record<string, string> }).Metadata?.['telemetry-alerts:entry'] ===
            entry,
        )
        .map(
          (fn) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
        )[0];
    const [groupsTable] = Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table')).find(
      ([, table]) => JSON.stringify(table.Properties.KeySchema).includes('"groupKey"'),
    ) ?? [undefined];
    expect(groupsTable).toBeDefined();
    const [queue] = Object.entries(resourcesOf(template, 'AWS::SQS::Queue')).find(
      ([, q]) => q.Properties.RedrivePolicy,
    ) ?? [undefined];
    const rolesGranted = (match: (statement: { Action: unknown; Resource: unknown }) => boolean) =>
      new Set(
        Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
          .filter((p) =>
            (
              p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }
            ).Statement.some(match),
          )
          .flatMap((p) => (p.Properties.Roles as { Ref: string }[]).map((role) => role.Ref)),
      );
    const worker = roleOf('workers/evaluate-readings.ts');
    const check = roleOf('workers/check-episodes.ts');
    expect(rolesGranted((s) => JSON.stringify(s.Resource).includes(`"${groupsTable}"`))).toEqual(
      new Set([worker, check]),
    );
    const senders = rolesGranted(
      (s) =>
        JSON.stringify(s.Action).includes('sqs:SendMessage') &&
        JSON.stringify(s.Resource).includes(`"${queue}"`),
    );
    expect(worker && senders.has(worker) && check && senders.has(check)).toBe(true);
  });

  it('given the silences resolver, the queries resolver (snoozes) and the evaluation functions, then each may do with the silences table only what it does', () => {
    const statementsOf = (entry: string) => {
      const [roleId] = Object.values(resourcesOf(template, 'AWS::Lambda::Function'))
        .filter(
          (fn) =>
            (fn as { Metadata?: Record<string, string> }).Metadata?.['telemetry-alerts:entry'] ===
            entry,
        )
        .map((fn) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
      expect(roleId, entry).toBeDefined();
      return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(
          (p) =>
            (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
              .Statement,
        );
    };
    const [tableId] = Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table'))
      .filter(([id]) => id.includes('Silences'))
      .map(([id]) => id);
    expect(tableId).toBeDefined();
    const onSilences = (entry: string) =>
      statementsOf(entry)
        .filter((statement) => JSON.stringify(statement.Resource).includes(tableId as string))
        .map((statement) => ({
          actions: [statement.Action].flat().sort(),
          resource: JSON.stringify(statement.Resource),
        }));
    const table = JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] });
    const index = (name: string) =>
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${name}`]] });

    expect(onSilences('resolvers/silences.ts')).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resource: table },
      { actions: ['dynamodb:Query'], resource: index('byKind') },
    ]);
    for (const entry of ['workers/evaluate-readings.ts', 'workers/check-episodes.ts']) {
      expect(onSilences(entry), entry).toEqual([
        { actions: ['dynamodb:GetItem', 'dynamodb:Scan'], resource: table },
        { actions: ['dynamodb:Query'], resource: index('changes') },
      ]);
    }
    // A snooze adds a silence, nothing more.
    expect(onSilences('resolvers/queries.ts')).toEqual([
      { actions: ['dynamodb:PutItem'], resource: table },
    ]);
    // No other function touches it.
    for (const entry of ['resolvers/rules.ts', 'resolvers/devices.ts']) {
      expect(onSilences(entry), entry).toEqual([]);
    }
  });

  it('given the outputs, then they use the local stack names, so one outputs file drives scripts for both; only the operations topic and the dashboard are AWS only', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object).sort();
    // The local stack has no CloudWatch alarms or dashboard.
    const awsOnly = ['OperationsTopicArn', 'DashboardUrl'];
    const local: (keyof LocalStackOutputs)[] = [
      'GraphQLUrl',
      'HttpsGraphQLUrl',
      'RealtimeUrl',
      'Region',
      'UserPoolId',
      'UserPoolClientId',
      'ReadingBlocksTableName',
      'RulesTableName',
      'AlertsTableName',
      'EpisodesTableName',
      'EvaluationQueueUrl',
      'DeadLetterQueueUrl',
      'AlertsTopicArn',
    ];
    expect(outputs).toEqual([...local, ...awsOnly].sort());
  });

  it.each([
    [
      { alertEmail: 'not-an-address' },
      "Context alertEmail has an invalid address: 'not-an-address'",
    ],
    [{ workerBatchSize: 0 }, 'Context workerBatchSize must be a whole number from 1 to 10000'],
    [{ retentionDays: 'soon' }, 'Context retentionDays must be a whole number'],
  ])('given bad context %o, then synth stops with a clear error', (context, message) => {
    expect(() => synthesize(context)).toThrow(message);
  });
});
