import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReadingQueue, WorkMessage, WorkQueue } from '../domain/ports.ts';
import type { Reading } from '../domain/reading.ts';

/** SQS accepts at most ten messages per SendMessageBatch call, 256 KiB in all. */
const SQS_BATCH_LIMIT = 10;
/**
 * Readings carried by one message. A reading is at most ~600 bytes as JSON (ids and metric
 * are bounded), so ten full messages stay well under SQS's 256 KiB per call.
 */
export const READINGS_PER_MESSAGE = 40;

/**
 * Sends readings to the SQS queue, up to 40 per message and ten messages per call, calls in
 * parallel: a batch of 100 readings costs one request to send and, for the worker, one to
 * receive and one to delete. SQS has stored a message durably when it acknowledges it, so a
 * reading reported as enqueued is never lost.
 */
export class SqsEvaluationQueue implements ReadingQueue, WorkQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(message: WorkMessage, delaySeconds?: number): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(message),
        ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
      }),
    );
  }

  async enqueue(readings: readonly Reading[]): Promise<Map<number, string>> {
    const failed = new Map<number, string>();
    // Each message: the indexes (into `readings`) of the readings it carries.
    const messages: number[][] = [];
    for (let start = 0; start < readings.length; start += READINGS_PER_MESSAGE) {
      const end = Math.min(start + READINGS_PER_MESSAGE, readings.length);
      messages.push(Array.from({ length: end - start }, (_, i) => start + i));
    }
    const calls: number[][][] = [];
    for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
      calls.push(messages.slice(start, start + SQS_BATCH_LIMIT));
    }
    await Promise.all(
      calls.map(async (batch) => {
        try {
          const result = await this.#client.send(
            new SendMessageBatchCommand({
              QueueUrl: this.#queueUrl,
              Entries: batch.map((indexes, i) => ({
                Id: String(i),
                MessageBody: JSON.stringify({ readings: indexes.map((index) => readings[index]) }),
              })),
            }),
          );
          for (const entry of result.Failed ?? []) {
            for (const index of batch[Number(entry.Id)] ?? []) {
              failed.set(index, entry.Message ?? entry.Code ?? 'the queue refused it');
            }
          }
        } catch (error) {
          const reason = error instanceof Error ? error.name : 'the queue is unavailable';
          for (const index of batch.flat()) failed.set(index, reason);
        }
      }),
    );
    return failed;
  }
}
