import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { markOpenIndexComplete } from '../adapters/dynamodb-episode-store.ts';
import { evaluationQueue, type TableDefinition, tables } from '../infra/resources.ts';
import { diffQueueAttributes } from './queue-attributes.ts';
import { itemRefused, projectionOf, type TableChange, tableChange } from './table-changes.ts';

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

/** Where the emulators keep the state a start finds, to say what to remove when it cannot be kept. */
export interface KeptState {
  tables: string;
  queues: string;
}

/**
 * State kept from an earlier start that this start cannot bring in line with its settings or
 * definitions without losing data. The message is one line: what differs, what to remove and
 * what is lost with it.
 */
export class KeptStateError extends Error {
  override readonly name = 'KeptStateError';
}

/**
 * Creates every resource of the stack on the emulators from the definitions in
 * infra/resources.ts (the ones the CDK stack deploys) and the settings, or, for resources
 * kept from an earlier start, applies what changed, as `cdk deploy` updates a deployed stack:
 * queue attributes in place with their messages, tables with changed indexes rebuilt with
 * their items. Each change applied is reported in one line. A change that cannot be applied
 * (a table's key) throws a KeptStateError before any table is touched. Safe to run on every
 * start.
 */
export async function provision(
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; sns: SNSClient },
  queue: QueueSettings,
  options: { keptIn?: KeptState; report?: (line: string) => void } = {},
): Promise<ProvisionedResources> {
  const report = options.report ?? (() => undefined);
  // Every table is compared first: one that cannot be kept stops the start before any changes.
  const plans: { table: TableDefinition; change: TableChange | undefined }[] = [];
  for (const table of Object.values(tables)) {
    plans.push({ table, change: await planTable(clients.dynamodb, table) });
  }
  for (const { table, change } of plans) {
    if (change?.kind === 'replace') {
      throw tableCannotBeKept(
        table,
        options.keptIn,
        `has ${change.reason}, and no table's key can change`,
      );
    }
  }
  for (const { table, change } of plans) {
    if (change === undefined) {
      await createTable(clients.dynamodb, table);
      // A new table has no episodes stored before its index of open ones.
      if (table === tables.episodes) await markOpenIndexComplete(clients.dynamodb, table.id);
    } else if (change.kind === 'rebuild') {
      const items = await rebuildTable(clients.dynamodb, table, options.keptIn);
      report(
        `Rebuilt table ${table.id} with its ${items} item${items === 1 ? '' : 's'}: ${change.reason}`,
      );
    }
  }
  // The queues keep the names they were first created with, so an existing .local/ keeps its messages.
  const queues = { client: clients.sqs, keptIn: options.keptIn?.queues, report };
  const deadLetter = await ensureQueue(queues, 'telemetry-readings-dlq', {
    MessageRetentionPeriod: String(evaluationQueue.deadLetterRetentionSeconds),
  });
  const evaluation = await ensureQueue(queues, 'telemetry-readings', {
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
  const outbox = await ensureQueue(queues, 'telemetry-alerts-email-outbox', {});
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

/** What a table needs: undefined when there is none yet, else how the kept one differs. */
async function planTable(
  client: DynamoDBClient,
  table: TableDefinition,
): Promise<TableChange | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.id }));
    return Table ? tableChange(Table, table) : undefined;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Rebuilds a kept table whose indexes differ from its definition (a newer version added or
 * changed one), since the DynamoDB emulator cannot add an index to an existing table: its
 * items are read whole, the table dropped, created anew and the items written back. Local
 * tables are small; in AWS the CDK adds the index instead. An item the new table would refuse
 * stops the start before the table is dropped. Returns how many items it kept.
 */
async function rebuildTable(
  client: DynamoDBClient,
  table: TableDefinition,
  keptIn: KeptState | undefined,
): Promise<number> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table.id, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const refused = itemRefused(items, table);
  if (refused) {
    throw tableCannotBeKept(
      table,
      keptIn,
      `has an item whose ${refused.attribute} is not of the type this version's indexes give it, so it cannot be rebuilt with its items`,
    );
  }
  await client.send(new DeleteTableCommand({ TableName: table.id }));
  await tableSettled(client, table.id, 'gone');
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
  return items.length;
}

/** The one line that stops a start over a kept table this version cannot keep: what it `has`. */
function tableCannotBeKept(
  table: TableDefinition,
  keptIn: KeptState | undefined,
  has: string,
): KeptStateError {
  const where = keptIn?.tables ?? "the DynamoDB emulator's state";
  return new KeptStateError(
    `The ${table.id} table kept in ${where} ${has}: remove ${where} to start with empty tables (the rules, readings, alerts, devices and device credentials in it are lost), or start the version that made it.`,
  );
}

/**
 * Waits until a table is ACTIVE, or gone: the emulator answers CreateTable while the table
 * is still CREATING (and refuses items until it is ACTIVE), and DeleteTable before it is
 * gone. Polls from every 50 ms, where the SDK's waiters would first wait 20 s.
 */
export async function tableSettled(
  client: DynamoDBClient,
  name: string,
  state: 'active' | 'gone',
): Promise<void> {
  const wait = state === 'active' ? waitUntilTableExists : waitUntilTableNotExists;
  await wait({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 1 }, { TableName: name });
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
  // A rebuild copies items in at once: into a table still CREATING they would be lost.
  await tableSettled(client, table.id, 'active');
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

/**
 * Creates a queue, or brings one kept from an earlier start to the wanted attributes in place
 * (SetQueueAttributes, as CloudFormation updates a queue), so its messages stay; each change
 * is reported in one line.
 */
async function ensureQueue(
  queues: { client: SQSClient; keptIn: string | undefined; report: (line: string) => void },
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { client } = queues;
  const url = await queueUrl(client, name);
  if (url === undefined) {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const createdUrl = required(created.QueueUrl, `${name} URL`);
    const described = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: createdUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: createdUrl, arn: required(described.Attributes?.QueueArn, `${name} ARN`) };
  }
  const kept =
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
      .Attributes ?? {};
  const diff = diffQueueAttributes(kept, attributes);
  const [fixed] = diff.fixed;
  if (fixed) {
    throw new KeptStateError(
      `The queue ${name} kept in ${queues.keptIn ?? "the SQS emulator's state"} has ${fixed.name} ${shown(fixed.from)} where this version wants ${shown(fixed.to)}, which a queue cannot change: remove ${queues.keptIn ?? "the SQS emulator's state"} to make the queues anew (the messages waiting in them are lost), or start the version that made it.`,
    );
  }
  if (diff.changes.length > 0) {
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: diff.set }));
    for (const change of diff.changes) {
      queues.report(
        `Applied ${change.name} ${shown(change.from)} → ${shown(change.to)} to queue ${name}`,
      );
    }
  }
  return { url: await atEmulatorPort(client, url), arn: required(kept.QueueArn, `${name} ARN`) };
}

/**
 * A kept queue's URL as the emulator serves it now. fauxqs keeps the URL a queue was made
 * with, port included, and finds a queue by its name whatever the port; after SQS_PORT
 * changed, the URL the stack hands out (outputs.json) is given the port it listens on.
 */
async function atEmulatorPort(client: SQSClient, url: string): Promise<string> {
  const endpoint = await client.config.endpoint?.();
  if (endpoint?.port === undefined) return url;
  const current = new URL(url);
  current.port = String(endpoint.port);
  return current.href;
}

/** The URL of the queue with this name, or undefined when there is none. */
async function queueUrl(client: SQSClient, name: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    return required(QueueUrl, `${name} URL`);
  } catch (error) {
    if (error instanceof QueueDoesNotExist) return undefined;
    throw error;
  }
}

const shown = (value: string | undefined) => value ?? '(none)';

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The emulator returned no ${what}`);
  return value;
}
