import type { SystemStatus as SystemStatusType } from '../generated/graphql.ts';
import { formatDateTime } from './time.ts';

/**
 * What operators look at to know the system is keeping up: how many messages wait in the
 * evaluation queue and its dead-letter queue, how old the oldest is, how many readings flow
 * and how far behind evaluation is. The queues are read as they are now; the rest comes from
 * the system's metrics (domain/metrics.ts) and the queue's own, as series over the last
 * minutes. In AWS from SQS and CloudWatch; on the local stack from its emulators of the same
 * APIs, fed by the functions' own metric output.
 */
export type SystemStatus = Omit<SystemStatusType, '__typename'>;

/** The evaluation queue and its dead-letter queue, now. */
export interface QueueDepths {
  /** Messages waiting for a worker (SQS ApproximateNumberOfMessages). */
  waiting: number;
  /** Messages a worker has taken and not yet deleted (ApproximateNumberOfMessagesNotVisible). */
  inFlight: number;
  /** Messages in the dead-letter queue, waiting or in flight. */
  deadLetter: number;
}

/** A data point: the statistic over the period starting at `at` (epoch milliseconds). */
export interface MetricPoint {
  at: number;
  value: number;
}

/**
 * The series `systemStatus` shows, each one statistic of one metric per period:
 * - `readingsAccepted`, `readingsEvaluated`: the sum of ReadingsAccepted and ReadingsEvaluated;
 * - `evaluationLagP50`, `evaluationLagP99`: those percentiles of EvaluationLag (milliseconds);
 * - `oldestMessageAge`: the maximum of the evaluation queue's age of its oldest message (s).
 */
export type StatusSeries =
  | 'readingsAccepted'
  | 'readingsEvaluated'
  | 'evaluationLagP50'
  | 'evaluationLagP99'
  | 'oldestMessageAge';

/** Periods of `periodSeconds` from `from` (a period's start) to `to`, epoch milliseconds. */
export interface StatusWindow {
  from: number;
  to: number;
  periodSeconds: number;
}

/** Where the status is read from. */
export interface SystemStatusSource {
  queueDepths(): Promise<QueueDepths>;
  /** Each series' points in the window, in any order; a period without data has none. */
  series(window: StatusWindow): Promise<Record<StatusSeries, MetricPoint[]>>;
}

/**
 * Reads the system's status over the last `minutes`, in periods of `periodSeconds` aligned to
 * multiples of the period (as CloudWatch aligns them). Counts become rates: a period's sum
 * divided by its length, so the latest period, still running, reads low until it ends.
 */
export async function readSystemStatus(
  source: SystemStatusSource,
  request: { minutes: number; periodSeconds: number; now: number },
): Promise<SystemStatus> {
  const { periodSeconds, now } = request;
  const periodMs = periodSeconds * 1000;
  const from = Math.floor((now - request.minutes * 60_000) / periodMs) * periodMs;
  const [queues, series] = await Promise.all([
    source.queueDepths(),
    source.series({ from, to: now, periodSeconds }),
  ]);
  const points = (raw: readonly MetricPoint[], scale = 1) =>
    raw
      .filter((point) => point.at >= from && point.at <= now)
      .sort((a, b) => a.at - b.at)
      .map((point) => ({ at: formatDateTime(point.at), value: point.value * scale }));
  const oldestMessageAge = points(series.oldestMessageAge);
  return {
    readAt: formatDateTime(now),
    queueDepth: queues.waiting + queues.inFlight,
    queueInFlight: queues.inFlight,
    deadLetterDepth: queues.deadLetter,
    oldestMessageAgeSeconds: oldestMessageAge.at(-1)?.value ?? null,
    periodSeconds,
    readingsAccepted: points(series.readingsAccepted, 1 / periodSeconds),
    readingsEvaluated: points(series.readingsEvaluated, 1 / periodSeconds),
    evaluationLagP50: points(series.evaluationLagP50),
    evaluationLagP99: points(series.evaluationLagP99),
    oldestMessageAge,
  };
}
