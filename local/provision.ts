import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { evaluationQueue, type TableDefinition, tables } from '../infra/resources.ts';

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

async function ensureTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  let existing: TableDescription | undefined;
  try {
    existing = (await client.send(new DescribeTableCommand({ TableName: table.id }))).Table;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  if (existing) {
    if (projectionsMatch(existing, table)) return;
    // Kept from an earlier start whose indexes copied other attributes: the emulator cannot
    // change an index, so the table is made again, with its items.
    const items = await scanAll(client, table.id);
    await client.send(new DeleteTableCommand({ TableName: table.id }));
    await createTable(client, table);
    for (const Item of items) await client.send(new PutItemCommand({ TableName: table.id, Item }));
    return;
  }
  await createTable(client, table);
}

/** Whether each index of an existing table copies what its definition says. */
function projectionsMatch(existing: TableDescription, table: TableDefinition): boolean {
  const described = new Map(
    (existing.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.Projection]),
  );
  return table.globalSecondaryIndexes.every((index) => {
    const projection = described.get(index.indexName);
    return index.nonKeyAttributes
      ? projection?.ProjectionType === 'INCLUDE' &&
          [...(projection.NonKeyAttributes ?? [])].sort().join() ===
            [...index.nonKeyAttributes].sort().join()
      : projection?.ProjectionType === 'ALL';
  });
}

async function scanAll(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
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
              Projection: index.nonKeyAttributes
                ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] }
                : { ProjectionType: 'ALL' },
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
