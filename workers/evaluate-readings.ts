import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { evaluateReadings, runWork } from '../domain/evaluation.ts';
import type { WorkMessage } from '../domain/ports.ts';
import { decodeQueueMessage, readingKey } from '../domain/queue-message.ts';
import type { Reading } from '../domain/reading.ts';
import { evaluationDeps } from '../adapters/wiring/evaluation.ts';
import { instrumented } from '../adapters/instrumentation.ts';
import { logger } from '../adapters/logger.ts';
import { metrics } from '../adapters/metrics.ts';

/**
 * SQS-triggered worker. Evaluates the batch's readings together (each affected rule and
 * device once) and runs the work messages (a deleted rule, an acknowledged alert). Records
 * that failed are reported in `batchItemFailures`, so only they are retried — and, after
 * the queue's maxReceiveCount, moved to the dead-letter queue — while the rest complete.
 * Evaluation needs the batch as a whole, so the partial-failure response is built here
 * rather than by a per-record batch processor. Each record of readings evaluated adds its
 * EvaluationLag (from SQS's SentTimestamp); a log line about a reading carries its id as
 * `correlation_id`.
 */
export const handler = instrumented('evaluate-readings', evaluate);

async function evaluate(event: SQSEvent): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const readings: { record: SQSRecord; reading: Reading }[] = [];
  const readingRecords: SQSRecord[] = [];
  const work: { record: SQSRecord; message: WorkMessage }[] = [];
  for (const record of event.Records) {
    const decoded = decodeQueueMessage(record.body);
    if (decoded?.kind === 'readings') {
      for (const reading of decoded.readings) readings.push({ record, reading });
      readingRecords.push(record);
      if (logger.level <= LogLevelThreshold.DEBUG) {
        logger.debug('Readings received', {
          messageId: record.messageId,
          correlation_ids: decoded.readings.map((reading) => reading.id),
        });
      }
    } else if (decoded?.kind === 'work') {
      work.push({ record, message: decoded.message });
    } else {
      // Logged by message id only: the body may be anything, of any size.
      logger.error('Poison record: neither readings nor a work message', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
      });
      failed.add(record.messageId);
      metrics.add('PoisonRecords', 1);
    }
  }
  if (readings.length > 0) {
    try {
      const errors = await evaluateReadings(
        readings.map(({ reading }) => reading),
        evaluationDeps,
      );
      for (const { record, reading } of readings) {
        const error = errors.get(readingKey(reading));
        if (error === undefined || failed.has(record.messageId)) continue;
        // The whole message is retried; its other readings are skipped as already applied.
        logger.warn('Reading not evaluated; its message will be retried', {
          correlation_id: reading.id,
          messageId: record.messageId,
          deviceId: reading.deviceId,
          error,
        });
        failed.add(record.messageId);
      }
      const now = Date.now();
      for (const record of readingRecords) {
        if (failed.has(record.messageId)) continue;
        // Never below 0, should the queue's clock be ahead of this one.
        metrics.add('EvaluationLag', Math.max(0, now - Number(record.attributes.SentTimestamp)));
      }
    } catch (error) {
      logger.error('Readings not stored or not evaluated; the batch will be retried', { error });
      for (const { record } of readings) failed.add(record.messageId);
    }
  }
  for (const { record, message } of work) {
    try {
      await runWork(message, evaluationDeps);
    } catch (error) {
      logger.warn('Work message failed; it will be retried', {
        messageId: record.messageId,
        error,
      });
      failed.add(record.messageId);
    }
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}
