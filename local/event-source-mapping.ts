import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { overTheWire } from './json-wire.ts';

export type SqsHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  handler: SqsHandler;
  functionName: string;
  /** Records per invocation (Lambda: BatchSize). */
  batchSize: number;
  /** How long to gather a batch before invoking (Lambda: MaximumBatchingWindowInSeconds). */
  maxBatchingWindowMs: number;
  /** Lambda timeout, reported by `context.getRemainingTimeInMillis()`. */
  timeoutMs: number;
  /**
   * The most batches worked on at once (Lambda starts at five). Two pollers long-poll
   * while the queue is quiet; each full batch starts another, up to this many, and one that
   * then finds less than a full batch stops again.
   */
  concurrency: number;
  onError: (message: string, error: unknown) => void;
}

/** Long-polling pollers kept while traffic is low (Lambda "can optimize to as few as 2"). */
const IDLE_POLLERS = 2;

/**
 * Lambda's SQS event source mapping, reproduced for the local stack: long-polls the queue,
 * invokes the handler with a real SQSEvent, deletes the records that succeeded and leaves
 * those in `batchItemFailures` (or the whole batch, if the handler throws) to come back
 * after the visibility timeout and, past maxReceiveCount, move to the dead-letter queue.
 * Like Lambda's, it scales with the backlog: full batches add pollers, up to `concurrency`,
 * and they stop once the backlog is gone, so a quiet queue is not polled by all of them.
 */
export function startEventSourceMapping(options: EventSourceMappingOptions): {
  stop(): Promise<void>;
} {
  const abort = new AbortController();
  const running = new Set<Promise<void>>();
  const start = (poller: Promise<void>) => {
    running.add(poller);
    void poller.finally(() => running.delete(poller));
  };
  const scaleUp = () => {
    if (running.size < options.concurrency && !abort.signal.aborted) {
      start(poll(options, abort.signal, { longPoll: false, scaleUp }));
    }
  };
  const idle = Math.min(IDLE_POLLERS, options.concurrency);
  for (let i = 0; i < idle; i++) start(poll(options, abort.signal, { longPoll: true, scaleUp }));
  return {
    async stop() {
      abort.abort();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/**
 * One poller. A long-polling one runs until stopped; one added for a backlog polls without
 * waiting and stops when it finds less than a full batch.
 */
async function poll(
  options: EventSourceMappingOptions,
  signal: AbortSignal,
  mode: { longPoll: boolean; scaleUp: () => void },
): Promise<void> {
  while (!signal.aborted) {
    try {
      const messages = await receiveBatch(options, signal, mode.longPoll);
      if (messages.length >= options.batchSize) mode.scaleUp();
      if (messages.length > 0) await invoke(options, messages);
      if (!mode.longPoll && messages.length < options.batchSize) return;
    } catch (error) {
      if (signal.aborted) return;
      options.onError('Polling the queue failed; retrying', error);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (!mode.longPoll) return;
    }
  }
}

async function receiveBatch(
  options: EventSourceMappingOptions,
  signal: AbortSignal,
  longPoll: boolean,
): Promise<Message[]> {
  const messages: Message[] = [];
  let deadline = Number.POSITIVE_INFINITY;
  while (messages.length < options.batchSize && !signal.aborted) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) break;
    // A long-polling poller waits long for the first message, one added for a backlog does not;
    // then only as long as the batching window allows.
    const waitSeconds = messages.length > 0 ? Math.floor(remainingMs / 1000) : longPoll ? 20 : 0;
    const result = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.batchSize - messages.length),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    const received = result.Messages ?? [];
    if (messages.length === 0 && received.length > 0) {
      deadline = Date.now() + options.maxBatchingWindowMs;
    }
    messages.push(...received);
    if (received.length === 0 && (messages.length > 0 || !longPoll)) break;
  }
  return messages;
}

async function invoke(options: EventSourceMappingOptions, messages: Message[]): Promise<void> {
  const records = messages.map((message) => toRecord(message, options));
  const event: SQSEvent = { Records: records };
  let failed: Set<string>;
  let timer: NodeJS.Timeout | undefined;
  try {
    // A Lambda payload is JSON: the handler gets its own copy, never shared objects.
    const invocation = options.handler(overTheWire(event) as SQSEvent, context(options));
    // Past its timeout Lambda ends the invocation: the whole batch counts as failed.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Task timed out after ${options.timeoutMs / 1000} seconds`)),
        options.timeoutMs,
      );
    });
    const response = await Promise.race([invocation, timeout]);
    failed = new Set((response?.batchItemFailures ?? []).map((item) => item.itemIdentifier));
  } catch (error) {
    options.onError('The worker failed the whole batch', error);
    failed = new Set(records.map((record) => record.messageId));
  } finally {
    clearTimeout(timer);
  }
  const succeeded = messages.filter((message) => !failed.has(message.MessageId ?? ''));
  for (let start = 0; start < succeeded.length; start += 10) {
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: succeeded.slice(start, start + 10).map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
}

function toRecord(message: Message, options: EventSourceMappingOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined
            ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
            : {}),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

function context(options: EventSourceMappingOptions): Context {
  const deadline = Date.now() + options.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:000000000000:function:${options.functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
