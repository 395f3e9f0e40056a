import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  ScanCommand,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/resources.ts';
import { provision } from '../../local/provision.ts';
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
    await waitUntilTableNotExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: name });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await dynamodb.send(
      new PutItemCommand({ TableName: name, Item: { id: { S: 'kept' }, metric: { S: 'cpu' } } }),
    );

    // Act
    await provision({ dynamodb, sqs, sns }, QUEUE);

    // Assess
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

    await provision({ dynamodb, sqs, sns }, QUEUE);

    const after = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    expect(after.Table?.CreationDateTime).toEqual(before.Table?.CreationDateTime);
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: name }));
    expect(Items).toEqual([{ id: { S: 'a-1' } }]);
  });
});
