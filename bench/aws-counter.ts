import { type Channel, channel } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStackOutputs } from '../local/stack.ts';
import { type TableDefinition, tables } from '../infra/resources.ts';

/** Billing units of one kind of call, summed over the counting window. */
export interface OperationCount {
  /** HTTP attempts, retries included. */
  requests: number;
  /** SQS and SNS bill each 64 KB chunk of a payload as one request. */
  billedRequests: number;
  /** DynamoDB write request units (estimated: item size and the GSIs the item is in). */
  writeUnits: number;
  /** DynamoDB read request units (estimated from the request and response size). */
  readUnits: number;
  /** Time spent waiting for these calls (send to response), ms. */
  totalMs: number;
}

/** What the handlers' DynamoDB calls did to one table, summed over the counting window. */
export interface TableCount {
  requests: number;
  /** Write and read request units (estimated as for OperationCount). */
  writeUnits: number;
  readUnits: number;
  /** Items returned by GetItem, BatchGetItem, Query and Scan (a Query's or Scan's `Count`). */
  itemsRead: number;
  /**
   * Size of the responses that read this table, as JSON on the wire: an upper bound of the
   * items' DynamoDB size (a BatchGetItem over several tables is shared out by items).
   */
  bytesRead: number;
  /** DynamoDB size of the items put (updates and deletes, whose item is not sent, count 0). */
  bytesWritten: number;
}

/** What the counter saw in one window. */
export interface RequestCounts {
  /** Keyed `Service.Operation` for the handlers' clients, `ESM Operation` for the event source mapping. */
  operations: Record<string, OperationCount>;
  /** The handlers' DynamoDB calls by table name (the local stack names tables by their id). */
  tables: Record<string, TableCount>;
  /** Non-empty ReceiveMessage results of the event source mapping: worker invocations. */
  workerInvocations: number;
  /** Readings the event source mapping handed to the worker. */
  messagesDelivered: number;
  /** SigV4-signed requests to the GraphQL endpoint: the worker's `publishAlert` calls. */
  publishAlertCalls: number;
  /**
   * Worker invocation times as the event source mapping sees them: from a ReceiveMessage
   * result to the DeleteMessageBatch of the same messages, in ms.
   */
  workerDurationsMs: number[];
}

type Service = 'DynamoDB' | 'SQS' | 'SNS';

/** The part of an SDK v3 client's middleware stack the counter uses, for any client. */
type Handler = (args: {
  input: unknown;
  request?: unknown;
}) => Promise<{ output: unknown; response: unknown }>;
interface CountableClient {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: { commandName?: string }) => Handler,
      options: { step: 'initialize' | 'finalizeRequest'; name: string; override: boolean },
    ): void;
  };
}
type Source = 'handlers' | 'event-source-mapping';

const KB = 1024;
const CHUNK = 64 * KB;
const MIDDLEWARE = 'benchRequestCounter';

/**
 * Counts the AWS API requests the product makes, with an SDK middleware on each client at
 * the `finalizeRequest` step (so retries count): the handlers' module-singleton clients from
 * adapters/clients/, and, because in AWS the SQS event source mapping's
 * ReceiveMessage/DeleteMessageBatch calls are billed to the account too, the local event
 * source mapping's own SQS client, which the stack does not export: `SQSClient.prototype.send`
 * is wrapped while counting so that client gets the middleware on its next call. Only calls
 * on the evaluation queue count from it (the e-mail relay's outbox is a local stand-in for SNS
 * e-mail). `publishAlert` calls are counted on the GraphQL endpoint through Node's
 * `http.server.request.start` diagnostics channel.
 */
export class AwsRequestCounter {
  #counts: RequestCounts = emptyCounts();
  /** Calls made since the last snapshot or reset, not yet added to the counts. */
  #calls: KeptCall[] = [];
  /** Items each DynamoDB read returned, by table, not yet added to the counts. */
  #itemsRead: Record<string, number>[] = [];
  /** False once uninstalled: the middleware then passes every call straight through. */
  #counting = true;
  /** When each batch was received, by the receipt handle of its first message. */
  readonly #receivedAt = new Map<string, number>();
  readonly #outputs: LocalStackOutputs;
  readonly #excluded = new WeakSet<object>();
  readonly #instrumented = new WeakSet<object>();
  #restoreSend: (() => void) | null = null;
  #serverChannel: Channel | null = null;
  readonly #onServerRequest = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    const authorization = request.headers.authorization ?? '';
    if (
      request.socket.localPort === this.#graphqlPort &&
      authorization.startsWith('AWS4-HMAC-SHA256')
    ) {
      this.#counts.publishAlertCalls += 1;
    }
  };
  readonly #graphqlPort: number;

  private constructor(outputs: LocalStackOutputs) {
    this.#outputs = outputs;
    this.#graphqlPort = Number(new URL(outputs.GraphQLUrl).port);
  }

  /**
   * Instruments the running stack. Call after the stack started: the handlers' clients are
   * created when their modules are first imported, with the endpoints the stack sets.
   * `exclude` lists the benchmark's own clients (e.g. the queue watcher).
   */
  static async install(
    outputs: LocalStackOutputs,
    exclude: readonly object[] = [],
  ): Promise<AwsRequestCounter> {
    const counter = new AwsRequestCounter(outputs);
    for (const client of exclude) counter.#excluded.add(client);
    const [{ dynamodb }, { sqs }, { sns }] = await Promise.all([
      import('../adapters/clients/dynamodb.ts'),
      import('../adapters/clients/sqs.ts'),
      import('../adapters/clients/sns.ts'),
    ]);
    counter.#instrument(dynamodb, 'DynamoDB', 'handlers');
    counter.#instrument(sqs, 'SQS', 'handlers');
    counter.#instrument(sns, 'SNS', 'handlers');
    const prototype = SQSClient.prototype;
    const own = Object.getOwnPropertyDescriptor(prototype, 'send');
    const send = prototype.send as (...args: unknown[]) => unknown;
    // Any other SQS client (the event source mapping's) is instrumented on its next call.
    Object.defineProperty(prototype, 'send', {
      value: function (this: SQSClient, ...args: unknown[]) {
        counter.#instrument(this, 'SQS', 'event-source-mapping');
        return send.apply(this, args);
      },
      configurable: true,
      writable: true,
    });
    counter.#restoreSend = () => {
      if (own) Object.defineProperty(prototype, 'send', own);
      else delete (prototype as unknown as Record<string, unknown>).send;
    };
    counter.#serverChannel = channel('http.server.request.start');
    counter.#serverChannel.subscribe(counter.#onServerRequest);
    return counter;
  }

  /** Starts a new counting window. */
  reset(): void {
    this.#counts = emptyCounts();
    this.#calls = [];
    this.#itemsRead = [];
  }

  /** The counts since the last reset. */
  snapshot(): RequestCounts {
    this.#tally();
    return structuredClone(this.#counts);
  }

  /**
   * Stops counting for good: the middleware stays on the clients but passes every call
   * straight through, `SQSClient.prototype.send` is restored and the channel left.
   */
  uninstall(): void {
    this.#restoreSend?.();
    this.#restoreSend = null;
    this.#serverChannel?.unsubscribe(this.#onServerRequest);
    this.#serverChannel = null;
    this.#counting = false;
  }

  #instrument(client: object, service: Service, source: Source): void {
    if (this.#excluded.has(client) || this.#instrumented.has(client)) return;
    this.#instrumented.add(client);
    const stack = (client as CountableClient).middlewareStack;
    stack.add(
      (next, context) => async (args) => {
        if (!this.#counting) return next(args);
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        let responseBytes = 0;
        const started = performance.now();
        try {
          const result = await next(args);
          const response = result.response as { headers?: Record<string, string> };
          responseBytes = Number(response?.headers?.['content-length'] ?? 0) || 0;
          return result;
        } finally {
          // Counted when it completes, in the window then open: a long poll started before a
          // reset belongs to the readings it returns. Only kept here: reading the request
          // (parsing its body, sizing its items) waits for the snapshot, off the stack's loop
          // while it is being measured.
          if (this.#counting) {
            this.#calls.push({
              service,
              source,
              request,
              commandName: context.commandName,
              responseBytes,
              ms: performance.now() - started,
            });
          }
        }
      },
      { step: 'finalizeRequest', name: MIDDLEWARE, override: true },
    );
    if (service === 'DynamoDB') {
      stack.add(
        (next) => async (args) => {
          const result = await next(args);
          if (this.#counting) {
            const items = itemsReturned(args.input, result.output);
            if (items) this.#itemsRead.push(items);
          }
          return result;
        },
        { step: 'initialize', name: `${MIDDLEWARE}Items`, override: true },
      );
    }
    if (source === 'event-source-mapping') {
      stack.add(
        (next) => async (args) => {
          if (!this.#counting) return next(args);
          const input = args.input as {
            QueueUrl?: string;
            Entries?: { ReceiptHandle?: string }[];
          };
          const onReadings = input.QueueUrl === this.#outputs.EvaluationQueueUrl;
          const firstHandle = input.Entries?.[0]?.ReceiptHandle;
          if (onReadings && firstHandle !== undefined) {
            // A DeleteMessageBatch: the worker finished the batch that began with this message.
            const receivedAt = this.#receivedAt.get(firstHandle);
            if (receivedAt !== undefined) {
              this.#counts.workerDurationsMs.push(performance.now() - receivedAt);
            }
            this.#receivedAt.delete(firstHandle);
          }
          const result = await next(args);
          const output = result.output as { Messages?: { ReceiptHandle?: string }[] };
          if (onReadings && Array.isArray(output.Messages) && output.Messages.length > 0) {
            const handle = output.Messages[0]?.ReceiptHandle;
            if (handle !== undefined) this.#receivedAt.set(handle, performance.now());
            this.#counts.workerInvocations += 1;
            this.#counts.messagesDelivered += output.Messages.length;
          }
          return result;
        },
        { step: 'initialize', name: `${MIDDLEWARE}Worker`, override: true },
      );
    }
  }

  /** Adds the calls kept since the last snapshot or reset to the counts. */
  #tally(): void {
    for (const call of this.#calls) this.#record(call);
    this.#calls = [];
    for (const items of this.#itemsRead) {
      for (const [name, count] of Object.entries(items)) this.#table(name).itemsRead += count;
    }
    this.#itemsRead = [];
  }

  #table(name: string): TableCount {
    return (this.#counts.tables[name] ??= {
      requests: 0,
      writeUnits: 0,
      readUnits: 0,
      itemsRead: 0,
      bytesRead: 0,
      bytesWritten: 0,
    });
  }

  #record({ service, source, request, commandName, responseBytes, ms }: KeptCall): void {
    const body = bodyText(request.body);
    const operation = operationOf(service, request.headers ?? {}, body, commandName);
    if (source === 'event-source-mapping') {
      // The local mapping's client also serves the e-mail relay and provisioning; only its
      // work on the evaluation queue exists in AWS.
      if (queueUrlOf(body) !== this.#outputs.EvaluationQueueUrl) return;
    }
    const key = source === 'handlers' ? `${service}.${operation}` : `ESM ${operation}`;
    const count = (this.#counts.operations[key] ??= {
      requests: 0,
      billedRequests: 0,
      writeUnits: 0,
      readUnits: 0,
      totalMs: 0,
    });
    count.requests += 1;
    count.totalMs += ms;
    const payload = Math.max(Buffer.byteLength(body), responseBytes);
    count.billedRequests += service === 'DynamoDB' ? 1 : Math.max(1, Math.ceil(payload / CHUNK));
    if (service === 'DynamoDB') {
      const byTable = dynamoDbUnits(operation, body, responseBytes);
      const share = 1 / Math.max(1, byTable.size);
      for (const [name, units] of byTable) {
        count.writeUnits += units.write;
        count.readUnits += units.read;
        const table = this.#table(name);
        table.requests += share;
        table.writeUnits += units.write;
        table.readUnits += units.read;
        table.bytesWritten += units.bytesWritten;
        if (units.read > 0) table.bytesRead += responseBytes * share;
      }
    }
  }
}

/** One counted call, as the middleware saw it. */
interface KeptCall {
  service: Service;
  source: Source;
  request: { headers?: Record<string, string>; body?: unknown };
  commandName: string | undefined;
  responseBytes: number;
  ms: number;
}

/** A serialized request body as text: SDK protocols hand over strings or byte arrays. */
function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }
  return '';
}

function emptyCounts(): RequestCounts {
  return {
    operations: {},
    tables: {},
    workerInvocations: 0,
    messagesDelivered: 0,
    publishAlertCalls: 0,
    workerDurationsMs: [],
  };
}

function operationOf(
  service: Service,
  headers: Record<string, string>,
  body: string,
  commandName: string | undefined,
): string {
  const target = headers['x-amz-target'] ?? headers['X-Amz-Target'];
  if (target) return target.slice(target.indexOf('.') + 1);
  if (service === 'SNS') {
    const action = /(?:^|&)Action=([^&]+)/.exec(body)?.[1];
    if (action) return action;
  }
  return (commandName ?? 'Unknown').replace(/Command$/, '');
}

function queueUrlOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { QueueUrl?: string }).QueueUrl;
  } catch {
    return /(?:^|&)QueueUrl=([^&]+)/.exec(body)?.[1];
  }
}

// --- DynamoDB request units, estimated from the wire request -------------------------------

type AttributeValue = Record<string, unknown>;

const tablesByName = new Map<string, TableDefinition>(
  Object.values(tables).map((table) => [table.id, table as TableDefinition]),
);

/** DynamoDB's item size rules: attribute names plus values (numbers ~1 byte per 2 digits). */
function valueBytes(value: AttributeValue): number {
  const [type, raw] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(raw));
    case 'N':
      return (
        Math.ceil(
          String(raw)
            .replace(/[-.]|e.*$/gi, '')
            .replace(/^0+/, '').length / 2,
        ) + 1
      );
    case 'B':
      return Buffer.from(String(raw), 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
    case 'NS':
    case 'BS':
      return (raw as AttributeValue[]).reduce<number>(
        (sum, item) => sum + valueBytes({ [type.slice(0, 1)]: item }),
        0,
      );
    case 'L':
      return (raw as AttributeValue[]).reduce<number>((sum, item) => sum + 1 + valueBytes(item), 3);
    case 'M':
      return 3 + itemBytes(raw as Record<string, AttributeValue>);
    default:
      return 0;
  }
}

function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name) + valueBytes(value);
  }
  return bytes;
}

/** Write units of a put: one per KB, for the table and for every GSI the item appears in. */
function putUnits(tableName: string, item: Record<string, AttributeValue>): number {
  const table = tablesByName.get(tableName);
  const indexes = (table?.globalSecondaryIndexes ?? []).filter(
    (index) => index.partitionKey.name in item && index.sortKey.name in item,
  ).length;
  return Math.max(1, Math.ceil(itemBytes(item) / KB)) * (1 + indexes);
}

/** Write units of an update or delete whose item is not in the request: 1 KB, in every GSI. */
function keyedWriteUnits(tableName: string): number {
  return 1 + (tablesByName.get(tableName)?.globalSecondaryIndexes.length ?? 0);
}

/** Units one DynamoDB request cost one table. */
interface TableUnits {
  write: number;
  read: number;
  bytesWritten: number;
}

/** The request units of one DynamoDB request, by the table they were spent on. */
function dynamoDbUnits(
  operation: string,
  body: string,
  responseBytes: number,
): Map<string, TableUnits> {
  const byTable = new Map<string, TableUnits>();
  const add = (name: string, write: number, read: number, bytesWritten = 0) => {
    const units = byTable.get(name) ?? { write: 0, read: 0, bytesWritten: 0 };
    units.write += write;
    units.read += read;
    units.bytesWritten += bytesWritten;
    byTable.set(name, units);
  };
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return byTable;
  }
  const tableName = String(request.TableName ?? '');
  const readUnit = request.ConsistentRead === true ? 1 : 0.5;
  switch (operation) {
    case 'PutItem': {
      const item = request.Item as Record<string, AttributeValue>;
      add(tableName, putUnits(tableName, item), 0, itemBytes(item));
      break;
    }
    case 'UpdateItem':
    case 'DeleteItem':
      add(tableName, keyedWriteUnits(tableName), 0);
      break;
    case 'GetItem':
      add(tableName, 0, readUnit);
      break;
    case 'Query':
    case 'Scan':
      // Items read, rounded up to 4 KB; the JSON response is an upper bound of their size.
      add(tableName, 0, Math.max(1, Math.ceil(responseBytes / (4 * KB))) * readUnit);
      break;
    case 'BatchWriteItem': {
      const items = request.RequestItems as Record<string, Record<string, unknown>[]>;
      for (const [name, requests] of Object.entries(items ?? {})) {
        for (const entry of requests) {
          const put = entry.PutRequest as { Item: Record<string, AttributeValue> } | undefined;
          if (put) add(name, putUnits(name, put.Item), 0, itemBytes(put.Item));
          else add(name, keyedWriteUnits(name), 0);
        }
      }
      break;
    }
    case 'BatchGetItem': {
      const items = request.RequestItems as Record<
        string,
        { Keys: unknown[]; ConsistentRead?: boolean }
      >;
      for (const [name, entry] of Object.entries(items ?? {})) {
        add(name, 0, entry.Keys.length * (entry.ConsistentRead ? 1 : 0.5));
      }
      break;
    }
    case 'TransactWriteItems': {
      for (const entry of (request.TransactItems as Record<string, Record<string, unknown>>[]) ??
        []) {
        const [kind, detail] = Object.entries(entry)[0] ?? ['', {}];
        const name = String(detail.TableName ?? '');
        const item = detail.Item as Record<string, AttributeValue> | undefined;
        add(
          name,
          2 *
            (kind === 'Put' && item
              ? putUnits(name, item)
              : kind === 'ConditionCheck'
                ? 1
                : keyedWriteUnits(name)),
          0,
          item ? itemBytes(item) : 0,
        );
      }
      break;
    }
    case 'TransactGetItems':
      for (const entry of (request.TransactItems as { Get?: { TableName?: string } }[]) ?? []) {
        add(String(entry.Get?.TableName ?? ''), 0, 2);
      }
      break;
  }
  return byTable;
}

/** Items a DynamoDB read returned, by table; null for a call that reads no items. */
function itemsReturned(input: unknown, output: unknown): Record<string, number> | null {
  const request = (input ?? {}) as { TableName?: string };
  const result = (output ?? {}) as {
    Count?: number;
    Item?: unknown;
    Responses?: Record<string, unknown[]> | unknown[];
  };
  if (typeof result.Count === 'number' && request.TableName) {
    return { [request.TableName]: result.Count };
  }
  if ('Item' in result && request.TableName) {
    return { [request.TableName]: result.Item ? 1 : 0 };
  }
  if (result.Responses && !Array.isArray(result.Responses)) {
    return Object.fromEntries(
      Object.entries(result.Responses).map(([name, items]) => [name, items.length]),
    );
  }
  return null;
}
