import type { MetricsStore } from './metrics-store.ts';

/** A queue as fauxqs shows it without consuming anything (`inspectQueue`). */
export interface InspectedQueue {
  messages: {
    ready: readonly { sentTimestamp: number }[];
    delayed: readonly { sentTimestamp: number }[];
    inflight: readonly { message: { sentTimestamp: number } }[];
  };
}

/**
 * Records what SQS publishes to CloudWatch for each queue (namespace AWS/SQS, dimension
 * QueueName), from the emulator's queues as they are at `now`: the age of the oldest
 * message not yet deleted (waiting, delayed or in flight; 0 when there is none), and the
 * messages visible, in flight and delayed. In AWS, SQS publishes these every minute; the
 * local stack samples every few seconds, and once more before each read.
 */
export function recordQueueMetrics(
  store: MetricsStore,
  queues: ReadonlyMap<string, InspectedQueue | undefined>,
  now: number,
): void {
  for (const [queueName, queue] of queues) {
    if (!queue) continue;
    const { ready, delayed, inflight } = queue.messages;
    let oldest = now;
    for (const message of ready) oldest = Math.min(oldest, message.sentTimestamp);
    for (const message of delayed) oldest = Math.min(oldest, message.sentTimestamp);
    for (const entry of inflight) oldest = Math.min(oldest, entry.message.sentTimestamp);
    const record = (name: string, unit: string, value: number) =>
      store.record({
        namespace: 'AWS/SQS',
        name,
        unit,
        dimensions: { QueueName: queueName },
        timestamp: now,
        values: [value],
      });
    record('ApproximateAgeOfOldestMessage', 'Seconds', Math.max(0, (now - oldest) / 1000));
    record('ApproximateNumberOfMessagesVisible', 'Count', ready.length);
    record('ApproximateNumberOfMessagesNotVisible', 'Count', inflight.length);
    record('ApproximateNumberOfMessagesDelayed', 'Count', delayed.length);
  }
}
