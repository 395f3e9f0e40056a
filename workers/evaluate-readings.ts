import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { closeRule, evaluateReadings } from '../domain/evaluation.ts';
import type { WorkMessage } from '../domain/ports.ts';
import { isReading, type Reading } from '../domain/reading.ts';
import { evaluationDeps } from '../adapters/evaluation-wiring.ts';
import { logger } from '../adapters/logger.ts';

/**
 * SQS-triggered worker. Evaluates the batch's readings together (each affected rule and
 * device once) and runs the work messages (a deleted rule, an acknowledged alert). Records
 * that failed are reported in `batchItemFailures`, so only they are retried — and, after
 * the queue's maxReceiveCount, moved to the dead-letter queue — while the rest complete.
 *
 * Powertools' batch processor handles one record at a time; evaluation needs the batch as a
 * whole, so the partial-failure response is built here.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const readings: { record: SQSRecord; reading: Reading }[] = [];
  const work: { record: SQSRecord; message: WorkMessage }[] = [];
  for (const record of event.Records) {
    const body = parse(record.body);
    const carried = readingsIn(body);
    if (carried) for (const reading of carried) readings.push({ record, reading });
    else if (isWorkMessage(body)) work.push({ record, message: body });
    else {
      // Logged by message id only: the body may be anything, of any size.
      logger.error('Poison record: neither readings nor a work message', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
      });
      failed.add(record.messageId);
    }
  }
  if (readings.length > 0) {
    try {
      const errors = await evaluateReadings(
        readings.map(({ reading }) => reading),
        evaluationDeps,
      );
      for (const { record, reading } of readings) {
        const error = errors.get(reading.id);
        if (error === undefined || failed.has(record.messageId)) continue;
        // The whole message is retried; its other readings are skipped as already applied.
        logger.warn('Reading not evaluated; its message will be retried', {
          messageId: record.messageId,
          deviceId: reading.deviceId,
          error,
        });
        failed.add(record.messageId);
      }
    } catch (error) {
      logger.error('Readings not stored; the batch will be retried', { error });
      for (const { record } of readings) failed.add(record.messageId);
    }
  }
  for (const { record, message } of work) {
    try {
      await runWork(message);
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

async function runWork(message: WorkMessage): Promise<void> {
  switch (message.type) {
    case 'closeRule':
      return closeRule(message.ruleId, evaluationDeps);
    case 'pushAlert': {
      const alert = await evaluationDeps.alerts.get(message.alertId);
      if (alert) await evaluationDeps.publisher.publish(alert);
      return;
    }
  }
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The readings a message carries: `{ readings: [...] }`, or a single reading. */
function readingsIn(body: unknown): Reading[] | null {
  if (isReading(body)) return [body];
  const list = (body as { readings?: unknown } | null)?.readings;
  return Array.isArray(list) && list.length > 0 && list.every(isReading) ? list : null;
}

function isWorkMessage(value: unknown): value is WorkMessage {
  if (value === null || typeof value !== 'object') return false;
  const message = value as Record<string, unknown>;
  return (
    (message.type === 'closeRule' && typeof message.ruleId === 'string') ||
    (message.type === 'pushAlert' && typeof message.alertId === 'string')
  );
}
