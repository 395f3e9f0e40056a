import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluationQueue, tables } from '../../infra/resources.ts';
import { KeptStateError, provision, tableSettled } from '../../local/provision.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';

const QUEUE = { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 };
let emulators: ProvisionedEmulators;

beforeAll(async () => {
  emulators = await startProvisionedEmulators(QUEUE);
});

afterAll(async () => {
  await emulators?.close();
});

describe('provisioning over state kept from an earlier version', () => {
  it('given a Rules table made before its changes index, when the stack provisions again, then the table gets the index and keeps its items', async () => {
    // Prepare: the Rules table as an earlier version made it, with one rule in it.
    const { dynamodb, sqs, sns } = emulators;
    const name = tables.rules.id;
    await dynamodb.send(new DeleteTableCommand({ TableName: name }));
    await tableSettled(dynamodb, name, 'gone');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await tableSettled(dynamodb, name, 'active');
    await dynamodb.send(
      new PutItemCommand({ TableName: name, Item: { id: { S: 'kept' }, metric: { S: 'cpu' } } }),
    );

    // Act
    const report: string[] = [];
    await provision({ dynamodb, sqs, sns }, QUEUE, { report: (line) => report.push(line) });

    // Assess
    expect(report).toEqual([
      expect.stringMatching(
        /^Rebuilt table Rules with its 1 item: .*index changes on changeFeed \(S\) \+ changedKey \(S\) copying ALL added/,
      ),
    ]);
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
      tables.rules.globalSecondaryIndexes.map((index) => index.indexName).sort(),
    );
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: name }));
    expect(Items).toEqual([{ id: { S: 'kept' }, metric: { S: 'cpu' } }]);
  });

  it('given tables that match their definitions, when the stack provisions again, then nothing is rebuilt and the items stay', async () => {
    const { dynamodb, sqs, sns } = emulators;
    const name = tables.alerts.id;
    await dynamodb.send(new PutItemCommand({ TableName: name, Item: { id: { S: 'a-1' } } }));
    const before = await dynamodb.send(new DescribeTableCommand({ TableName: name }));

    const report: string[] = [];
    await provision({ dynamodb, sqs, sns }, QUEUE, { report: (line) => report.push(line) });

    expect(report).toEqual([]);
    const after = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    expect(after.Table?.CreationDateTime).toEqual(before.Table?.CreationDateTime);
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: name }));
    expect(Items).toEqual([{ id: { S: 'a-1' } }]);
  });
});

describe('provisioning over queues kept from a start with other settings', () => {
  it('given a waiting message and other queue settings, when the stack provisions with new ones, then each changed attribute is set and reported in one line, and the message is still there', async () => {
    // Prepare: a message waiting, and the dead-letter queue as a start with a shorter
    // retention left it.
    const { dynamodb, sqs, sns, resources } = emulators;
    await sqs.send(
      new SendMessageCommand({ QueueUrl: resources.evaluationQueueUrl, MessageBody: 'waiting' }),
    );
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: resources.deadLetterQueueUrl,
        Attributes: { MessageRetentionPeriod: '60' },
      }),
    );
    const report: string[] = [];

    // Act
    await provision(
      { dynamodb, sqs, sns },
      { visibilityTimeoutSeconds: 10, maxReceiveCount: 7 },
      { report: (line) => report.push(line) },
    );

    // Assess
    expect(report).toEqual([
      `Applied MessageRetentionPeriod 60 → ${evaluationQueue.deadLetterRetentionSeconds} to queue telemetry-readings-dlq`,
      'Applied VisibilityTimeout 30 → 10 to queue telemetry-readings',
      'Applied RedrivePolicy maxReceiveCount 3 → 7 to queue telemetry-readings',
    ]);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: resources.evaluationQueueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
      }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('10');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: expect.stringMatching(/:telemetry-readings-dlq$/),
      maxReceiveCount: 7,
    });
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.evaluationQueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.map((message) => message.Body)).toEqual(['waiting']);

    // The settings the other tests provision with, back on the queue.
    await provision({ dynamodb, sqs, sns }, QUEUE);
  });
});

describe('provisioning over a table this version cannot keep', () => {
  it('given a kept table whose key differs from its definition, when the stack provisions, then it stops with one line naming the folder to remove and what is lost, and no table is touched', async () => {
    // Prepare: the Episodes table with a key of another shape, holding an item, and a Rules
    // table without its indexes (which alone would be rebuilt).
    const { dynamodb, sqs, sns } = emulators;
    const replace = async (name: string, create: CreateTableCommand) => {
      await dynamodb.send(new DeleteTableCommand({ TableName: name }));
      await tableSettled(dynamodb, name, 'gone');
      await dynamodb.send(create);
      await tableSettled(dynamodb, name, 'active');
    };
    const byId = (name: string) =>
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      });
    await replace(tables.episodes.id, byId(tables.episodes.id));
    await dynamodb.send(
      new PutItemCommand({ TableName: tables.episodes.id, Item: { id: { S: 'kept' } } }),
    );
    await replace(tables.rules.id, byId(tables.rules.id));
    const keptIn = { tables: '/state/dynamodb', queues: '/state/queues' };

    // Act
    const stopped = provision({ dynamodb, sqs, sns }, QUEUE, { keptIn }).catch(
      (error: unknown) => error,
    );

    // Assess
    const error = await stopped;
    expect(error).toBeInstanceOf(KeptStateError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('The Episodes table kept in /state/dynamodb');
    expect(message).toContain('has the key id (S), where its definition has ruleId (S)');
    expect(message).toContain('remove /state/dynamodb');
    expect(message).toContain('are lost');
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: tables.episodes.id }));
    expect(Items).toEqual([{ id: { S: 'kept' } }]);
    const rules = await dynamodb.send(new DescribeTableCommand({ TableName: tables.rules.id }));
    expect(rules.Table?.GlobalSecondaryIndexes).toBeUndefined();

    // The tables as this version defines them again, for the other tests.
    await dynamodb.send(new DeleteTableCommand({ TableName: tables.episodes.id }));
    await tableSettled(dynamodb, tables.episodes.id, 'gone');
    await provision({ dynamodb, sqs, sns }, QUEUE);
  });
});
