import { type LabelSelector, parseSelector } from './labels.ts';
import type { WorkMessage } from './ports.ts';
import { isReading, type Reading } from './reading.ts';

/** What a message on the evaluation queue carries, once recognised. */
export type QueueMessage =
  { kind: 'readings'; readings: Reading[] } | { kind: 'work'; message: WorkMessage };

/**
 * Reads a queue message body: `{ readings: [...] }` (what ingest sends), a single reading,
 * or a work message. Anything else is a poison record — null — which no retry can fix.
 */
export function decodeQueueMessage(body: string): QueueMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (isReading(value)) return { kind: 'readings', readings: [value] };
  if (value === null || typeof value !== 'object') return null;
  const message = value as Record<string, unknown>;
  const list = message.readings;
  if (Array.isArray(list)) {
    return list.length > 0 && list.every(isReading) ? { kind: 'readings', readings: list } : null;
  }
  if (message.type === 'closeRule' && typeof message.ruleId === 'string') {
    return { kind: 'work', message: { type: 'closeRule', ruleId: message.ruleId } };
  }
  // `pushAlert` is what acknowledgements sent before they changed an alert's state.
  if (
    (message.type === 'acknowledgeAlert' || message.type === 'pushAlert') &&
    typeof message.alertId === 'string'
  ) {
    return { kind: 'work', message: { type: 'acknowledgeAlert', alertId: message.alertId } };
  }
  if (
    message.type === 'resetAlert' &&
    typeof message.alertId === 'string' &&
    typeof message.by === 'string' &&
    typeof message.at === 'string'
  ) {
    const { alertId, by, at } = message;
    return { kind: 'work', message: { type: 'resetAlert', alertId, by, at } };
  }
  if (message.type === 'deviceLabelsChanged' && typeof message.deviceId === 'string') {
    return {
      kind: 'work',
      message: { type: 'deviceLabelsChanged', deviceId: message.deviceId },
    };
  }
  if (message.type === 'releaseMute' && typeof message.muteId === 'string') {
    return { kind: 'work', message: { type: 'releaseMute', muteId: message.muteId } };
  }
  if (message.type === 'flushGroup' && typeof message.groupKey === 'string') {
    return { kind: 'work', message: { type: 'flushGroup', groupKey: message.groupKey } };
  }
  if (message.type === 'ruleTargetChanged' && typeof message.ruleId === 'string') {
    const selector = selectorOf(message.selector);
    if (selector === null) return null;
    return {
      kind: 'work',
      message: { type: 'ruleTargetChanged', ruleId: message.ruleId, selector },
    };
  }
  return null;
}

/** A selector as the rules resolver sent it (validated there); null when it is not one. */
function selectorOf(value: unknown): LabelSelector | null {
  try {
    return parseSelector(value, 'selector');
  } catch {
    return null;
  }
}

/** A reading's identity: its id is chosen per device, so the device is part of it. */
export function readingKey(reading: Reading): string {
  return `${reading.deviceId}#${reading.id}`;
}
