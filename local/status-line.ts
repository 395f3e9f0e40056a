/**
 * `npm start -- --status`: one line every few seconds with what the System page shows, read
 * by the same code as `systemStatus` (the queues through SQS, the rest from the CloudWatch
 * emulator): the queue's depth, the dead-letter queue's, the oldest message's age, readings
 * evaluated per second and the evaluation lag, from the latest period that has ended.
 */
import { ageText, lagText, rateText } from '../console/src/status-text.ts';
import type { SystemStatus } from '../domain/system-status.ts';

type Point = { at: string; value: number };

/** The status as one line, e.g. `12:00:05 queue 12 (3 in flight) · dead-letter 0 · …`. */
export function statusLine(status: SystemStatus): string {
  const readAt = Date.parse(status.readAt);
  // The latest period that has ended: the running one reads low until it does.
  const ended = (series: Point[]) =>
    series.filter((point) => Date.parse(point.at) + status.periodSeconds * 1000 <= readAt).at(-1)
      ?.value ?? null;
  const evaluated = ended(status.readingsEvaluated) ?? 0;
  const p50 = ended(status.evaluationLagP50);
  const p99 = ended(status.evaluationLagP99);
  return [
    `${status.readAt.slice(11, 19)} queue ${status.queueDepth} (${status.queueInFlight} in flight)`,
    `dead-letter ${status.deadLetterDepth}`,
    `oldest ${ageText(status.oldestMessageAgeSeconds)}`,
    `${rateText(evaluated)} evaluated`,
    `lag p50 ${p50 === null ? '–' : lagText(p50)}, p99 ${p99 === null ? '–' : lagText(p99)}`,
  ].join(' · ');
}

/**
 * Prints `statusLine` of `read()` every `intervalMs`, one read at a time; a failed read prints
 * why instead. Returns how to stop.
 */
export function printStatusLines(
  read: () => Promise<SystemStatus>,
  print: (line: string) => void,
  intervalMs: number,
): { stop(): Promise<void> } {
  let reading: Promise<void> = Promise.resolve();
  const tick = () => {
    reading = reading.then(() =>
      read().then(
        (status) => print(statusLine(status)),
        (error: unknown) =>
          print(`status unavailable: ${error instanceof Error ? error.message : String(error)}`),
      ),
    );
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await reading;
    },
  };
}
