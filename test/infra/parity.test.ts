import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  noneResolverFields,
  evaluationQueue,
  resolverFunctions,
  tables,
} from '../../infra/resources.ts';
import { type ProvisionedResources, provision } from '../../local/provision.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';
import { resourcesOf, startModule, synthesize, templateEnvironment } from './synth.ts';

/*
 * The local stack and the CDK stack are built from the same definitions; these tests fail
 * when what they actually create disagrees.
 */

let template: Template;
let emulators: ProvisionedEmulators;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let local: ProvisionedResources;

beforeAll(async () => {
  template = synthesize();
  emulators = await startProvisionedEmulators({
    visibilityTimeoutSeconds: evaluationQueue.visibilityTimeoutSeconds,
    maxReceiveCount: evaluationQueue.maxReceiveCount,
  });
  ({ dynamodb, sqs, resources: local } = emulators);
}, 120_000);

afterAll(async () => {
  await emulators?.close();
});

type KeyElement = { AttributeName?: string; KeyType?: string };
const keys = (schema: KeyElement[] | undefined) =>
  (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`);

describe('local stack and CDK stack parity', () => {
  it('given each table, then keys, attribute types and indexes are the same locally and in the template', async () => {
    const cloud = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));
    expect(cloud).toHaveLength(Object.keys(tables).length);
    for (const name of Object.keys(tables) as (keyof typeof tables)[]) {
      const described = (
        await dynamodb.send(new DescribeTableCommand({ TableName: local.tableNames[name] }))
      ).Table;
      const shape = (table: {
        KeySchema?: KeyElement[];
        AttributeDefinitions?: { AttributeName?: string; AttributeType?: string }[];
        GlobalSecondaryIndexes?: {
          IndexName?: string;
          KeySchema?: KeyElement[];
          Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
        }[];
      }) => ({
        keys: keys(table.KeySchema),
        attributes: (table.AttributeDefinitions ?? [])
          .map((a) => `${a.AttributeName}:${a.AttributeType}`)
          .sort(),
        indexes: (table.GlobalSecondaryIndexes ?? [])
          .map(
            (i) =>
              `${i.IndexName}(${keys(i.KeySchema).join(',')};${i.Projection?.ProjectionType}${[
                ...(i.Projection?.NonKeyAttributes ?? []),
              ]
                .sort()
                .map((name) => `+${name}`)
                .join('')})`,
          )
          .sort(),
      });
      const localShape = shape(described ?? {});
      const matches = cloud.filter(
        (t) => JSON.stringify(shape(t.Properties as never)) === JSON.stringify(localShape),
      );
      expect(matches, `table ${name}: ${JSON.stringify(localShape)}`).toHaveLength(1);
    }
  });

  it('given a credentials table kept from an earlier start whose index copied every attribute, when the stack provisions again, then the index copies only the listed fields and the credentials are kept', async () => {
    // Prepare
    const table = tables.deviceCredentials;
    const [index] = table.globalSecondaryIndexes;
    await dynamodb.send(new DeleteTableCommand({ TableName: table.id }));
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table.id,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['id', 'kind', 'createdKey'].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: 'kind', KeyType: 'HASH' },
              { AttributeName: 'createdKey', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    const item = {
      id: { S: 'c'.repeat(32) },
      kind: { S: 'credential' },
      createdKey: { S: `2026-05-01T12:00:00.000Z#${'c'.repeat(32)}` },
      name: { S: 'kept' },
      secretHash: { S: 'd'.repeat(64) },
    };
    await dynamodb.send(new PutItemCommand({ TableName: table.id, Item: item }));

    // Act
    await provision(
      { dynamodb, sqs, sns: emulators.sns },
      {
        visibilityTimeoutSeconds: evaluationQueue.visibilityTimeoutSeconds,
        maxReceiveCount: evaluationQueue.maxReceiveCount,
      },
    );

    // Assess
    const described = await dynamodb.send(new DescribeTableCommand({ TableName: table.id }));
    expect(described.Table?.GlobalSecondaryIndexes?.[0]?.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: [...(index.nonKeyAttributes ?? [])],
    });
    const kept = await dynamodb.send(
      new GetItemCommand({ TableName: table.id, Key: { id: item.id } }),
    );
    expect(kept.Item).toEqual(item);
    const listed = await dynamodb.send(
      new QueryCommand({
        TableName: table.id,
        IndexName: index.indexName,
        KeyConditionExpression: 'kind = :kind',
        ExpressionAttributeValues: { ':kind': { S: 'credential' } },
      }),
    );
    expect(listed.Items).toHaveLength(1);
    expect(listed.Items?.[0]).not.toHaveProperty('secretHash');
    expect(listed.Items?.[0]?.name).toEqual({ S: 'kept' });
  });

  it('given the evaluation queue and its DLQ, then visibility, retention, long polling and redrive are the same', async () => {
    const attributes = async (url: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
        .Attributes ?? {};
    const queue = await attributes(local.evaluationQueueUrl);
    const dlq = await attributes(local.deadLetterQueueUrl);
    const cloudQueues = Object.values(resourcesOf(template, 'AWS::SQS::Queue'));
    const cloudQueue = cloudQueues.find((q) => q.Properties.RedrivePolicy)?.Properties ?? {};
    const cloudDlq = cloudQueues.find((q) => !q.Properties.RedrivePolicy)?.Properties ?? {};
    expect(Number(queue.VisibilityTimeout)).toBe(cloudQueue.VisibilityTimeout);
    expect(Number(queue.MessageRetentionPeriod)).toBe(cloudQueue.MessageRetentionPeriod);
    expect(Number(queue.ReceiveMessageWaitTimeSeconds)).toBe(
      cloudQueue.ReceiveMessageWaitTimeSeconds,
    );
    expect(JSON.parse(queue.RedrivePolicy ?? '{}').maxReceiveCount).toBe(
      (cloudQueue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount,
    );
    expect(JSON.parse(queue.RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(dlq.QueueArn);
    expect(Number(dlq.MessageRetentionPeriod)).toBe(cloudDlq.MessageRetentionPeriod);
  });

  it('given the resolver list, then the local endpoint and AppSync resolve the same fields with the same kind of data source', () => {
    const localFields = [...Object.values(resolverFunctions).flat(), ...noneResolverFields].sort();
    const cloudFields = Object.values(resourcesOf(template, 'AWS::AppSync::Resolver'))
      .map((r) => `${r.Properties.TypeName}.${r.Properties.FieldName}`)
      .sort();
    expect(cloudFields).toEqual(localFields);
  });

  it('given each function in the template, then its handler starts with exactly the environment the template gives it', () => {
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<
        string,
        {
          Metadata?: Record<string, string>;
          Properties: { Environment?: { Variables?: Record<string, unknown> } };
        }
      >,
    );
    expect(functions).toHaveLength(11);
    for (const fn of functions) {
      const entry = fn.Metadata?.['telemetry-alerts:entry'];
      expect(entry).toBeDefined();
      const variables = templateEnvironment(fn.Properties.Environment?.Variables);
      const result = startModule(`./${entry}`, variables);
      expect(result.stderr, `${entry} failed to start`).not.toMatch(
        /ConfigurationError|Missing environment variable/,
      );
      expect(result.status, `${entry}: ${result.stderr}`).toBe(0);
      // And the check can fail: without one of its variables, the handler refuses to start.
      const optional = new Set([
        'NODE_OPTIONS',
        'RETENTION_DAYS',
        'RULES_REFRESH_MS',
        'DEVICE_AUTH_CACHE_SECONDS',
      ]);
      const [dropped] = Object.keys(variables).filter(
        (name) => !name.startsWith('POWERTOOLS') && !optional.has(name),
      );
      if (dropped) {
        const { [dropped]: _, ...fewer } = variables;
        expect(startModule(`./${entry}`, fewer).stderr).toContain(
          `Missing environment variable ${dropped}`,
        );
      }
    }
  });
});
