import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReadingQueue, WorkMessage, WorkQueue } from '../domain/ports.ts';
import type { Reading } from '../domain/reading.ts';

/** SQS accepts at most ten messages per SendMessageBatch call. */
const SQS_BATCH_LIMIT = 10;

/**
 * Sends readings to the SQS queue in batches of ten, in parallel. SQS has stored a message
 * durably when it acknowledges it, so a reading reported as enqueued is never lost.
 */
export class SqsReadingQueue implements ReadingQueue, WorkQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(message: WorkMessage): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }

  async enqueue(readings: readonly Reading[]): Promise<Map<number, string>> {
    const failed = new Map<number, string>();
    const chunks: number[][] = [];
    for (let start = 0; start < readings.length; start += SQS_BATCH_LIMIT) {
      chunks.push(
        Array.from(
          { length: Math.min(SQS_BATCH_LIMIT, readings.length - start) },
          (_, i) => start + i,
        ),
      );
    }
    await Promise.all(
      chunks.map(async (indexes) => {
        try {
          const result = await this.#client.send(
            new SendMessageBatchCommand({
              QueueUrl: this.#queueUrl,
              Entries: indexes.map((index) => ({
                Id: String(index),
                MessageBody: JSON.stringify(readings[index]),
              })),
            }),
          );
          for (const entry of result.Failed ?? []) {
            failed.set(Number(entry.Id), entry.Message ?? entry.Code ?? 'the queue refused it');
          }
        } catch (error) {
          const reason = error instanceof Error ? error.name : 'the queue is unavailable';
          for (const index of indexes) failed.set(index, reason);
        }
      }),
    );
    return failed;
  }
}
