import { type Alert, firedAlerts } from './alert.ts';
import type { AlertNotifier, AlertPublisher, AlertStore, ReadingStore } from './ports.ts';
import type { Reading } from './reading.ts';
import type { RuleIndex } from './rule-index.ts';
import { formatDateTime } from './time.ts';

export interface EvaluationDeps {
  readings: ReadingStore;
  rules: () => Promise<RuleIndex>;
  alerts: AlertStore;
  notifier: AlertNotifier;
  publisher: AlertPublisher;
  now: () => number;
}

/**
 * What the worker does with one reading: store it, fire the rules it breaches, and deliver
 * each alert by e-mail and to subscribers. Every step is safe to repeat, because queues
 * deliver at least once: the reading and the alert are keyed by id, and a delivery channel
 * that already succeeded is not used again. A failure throws, so the reading is retried.
 */
export async function evaluateReading(reading: Reading, deps: EvaluationDeps): Promise<Alert[]> {
  await deps.readings.save(reading);
  const fired = firedAlerts(reading, await deps.rules(), formatDateTime(deps.now()));
  const delivered: Alert[] = [];
  for (const candidate of fired) {
    const { alert, notified, pushed } = await deps.alerts.record(candidate);
    if (!notified) {
      await deps.notifier.notify(alert);
      await deps.alerts.markNotified(alert.id);
    }
    if (!pushed) {
      await deps.publisher.publish(alert);
      await deps.alerts.markPushed(alert.id);
    }
    delivered.push(alert);
  }
  return delivered;
}
