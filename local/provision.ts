import {
  type AttributeValue,
  type Projection,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableNotExists,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  evaluationQueue,
  type IndexDefinition,
  type TableDefinition,
  tables,
} from '../infra/resources.ts';

/** Names and addresses of the provisioned resources, as the stack outputs list them. */
export interface ProvisionedResources {
  tableNames: Record<keyof typeof tables, string>;
  evaluationQueueUrl: string;
  evaluationQueueArn: string;
  deadLetterQueueUrl: string;
  alertsTopicArn: string;
  /** The queue subscribed to the alerts topic on behalf of the e-mail subscribers. */
  emailOutboxQueueUrl: string;
}

export interface QueueSettings {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

/**
 * Creates, when missing, every resource of the stack on the emulators from the definitions
 * in infra/resources.ts (the ones the CDK stack deploys). Safe to run on every start.
 */
export async function provision(
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; sns: SNSClient },
  queue: QueueSettings,
): Promise<ProvisionedResources> {
  for (const table of Object.values(tables)) await ensureTable(clients.dynamodb, table);
  // The queues keep the names they were first created with, so an existing .local/ keeps its messages.
  const deadLetter = await ensureQueue(clients.sqs, 'telemetry-readings-dlq', {
    MessageRetentionPeriod: String(evaluationQueue.deadLetterRetentionSeconds),
  });
  const evaluation = await ensureQueue(clients.sqs, 'telemetry-readings', {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(evaluationQueue.messageRetentionSeconds),
    ReceiveMessageWaitTimeSeconds: String(evaluationQueue.receiveWaitTimeSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetter.arn,
      maxReceiveCount: queue.maxReceiveCount,
    }),
  });
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: 'telemetry-alerts' }));
  const alertsTopicArn = required(topic.TopicArn, 'alerts topic ARN');
  const outbox = await ensureQueue(clients.sqs, 'telemetry-alerts-email-outbox', {});
  await clients.sns.send(
    new SubscribeCommand({ TopicArn: alertsTopicArn, Protocol: 'sqs', Endpoint: outbox.arn }),
  );
  return {
    tableNames: Object.fromEntries(
      Object.entries(tables).map(([name, table]) => [name, table.id]),
    ) as Record<keyof typeof tables, string>,
    evaluationQueueUrl: evaluation.url,
    evaluationQueueArn: evaluation.arn,
    deadLetterQueueUrl: deadLetter.url,
    alertsTopicArn,
    emailOutboxQueueUrl: outbox.url,
  };
}

/**
 * Creates a table from its definition, or brings one kept from an earlier start up to it. The
 * DynamoDB emulator cannot add an index to an existing table, so a table whose indexes differ
 * from the definition (a newer version added or changed one) is rebuilt with its items: read
 * whole, dropped, created anew and written back. Local tables are small; in AWS the CDK adds
 * the index instead.
 */
async function ensureTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  let existing;
  try {
    existing = (await client.send(new DescribeTableCommand({ TableName: table.id }))).Table;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  if (existing) {
    if (sameIndexes(existing.GlobalSecondaryIndexes ?? [], table)) return;
    await rebuildTable(client, table);
    return;
  }
  await createTable(client, table);
}

/** Whether an existing table has the definition's indexes, each copying what it says. */
function sameIndexes(
  existing: readonly {
    IndexName?: string;
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }[],
  table: TableDefinition,
): boolean {
  const shape = (
    name: string | undefined,
    projection: { ProjectionType?: string; NonKeyAttributes?: string[] },
  ) =>
    `${name}:${projection.ProjectionType ?? 'ALL'}:${[...(projection.NonKeyAttributes ?? [])].sort().join('|')}`;
  const have = existing.map((index) => shape(index.IndexName, index.Projection ?? {}));
  const want = table.globalSecondaryIndexes.map((index) =>
    shape(index.indexName, projectionOf(index)),
  );
  return have.sort().join() === want.sort().join();
}

/** What an index copies, as DynamoDB's API says it. */
function projectionOf(index: IndexDefinition): Projection {
  if (index.nonKeyAttributes) {
    return { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] };
  }
  return { ProjectionType: index.projection ?? 'ALL' };
}

async function rebuildTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table.id, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  await client.send(new DeleteTableCommand({ TableName: table.id }));
  await waitUntilTableNotExists({ client, maxWaitTime: 30 }, { TableName: table.id });
  await createTable(client, table);
  for (let i = 0; i < items.length; i += 25) {
    let requests: WriteRequest[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [table.id]: requests } }),
      );
      requests = result.UnprocessedItems?.[table.id] ?? [];
    }
  }
}

async function createTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  const attributes = new Map(keys.map((key) => [key.name, key.type]));
  for (const index of table.globalSecondaryIndexes) {
    attributes.set(index.partitionKey.name, index.partitionKey.type);
    attributes.set(index.sortKey.name, index.sortKey.type);
  }
  await client.send(
    new CreateTableCommand({
      TableName: table.id,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
        AttributeName,
        AttributeType,
      })),
      KeySchema: [
        { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
        ...(table.sortKey
          ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }]
          : []),
      ],
      GlobalSecondaryIndexes:
        table.globalSecondaryIndexes.length === 0
          ? undefined
          : table.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
              ],
              Projection: projectionOf(index),
            })),
    }),
  );
  if (table.timeToLiveAttribute) {
    await client
      .send(
        new UpdateTimeToLiveCommand({
          TableName: table.id,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      )
      // dynalite does not implement TTL; the definition still records it for the CDK stack.
      .catch(() => undefined);
  }
}

async function ensureQueue(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  let url: string;
  try {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    url = required(created.QueueUrl, `${name} URL`);
  } catch (error) {
    // Kept from an earlier start with other settings: keep its messages, apply the settings.
    if (!(error instanceof Error && error.name === 'QueueAlreadyExists')) throw error;
    const existing = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    url = required(existing.QueueUrl, `${name} URL`);
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  const described = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: required(described.Attributes?.QueueArn, `${name} ARN`) };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The emulator returned no ${what}`);
  return value;
}
