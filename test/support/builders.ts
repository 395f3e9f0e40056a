import type { Reading } from '../../domain/reading.ts';
import { newRule, type Rule } from '../../domain/rule.ts';

/** The tests' reference time: readings are placed in seconds after it. */
export const t0 = Date.parse('2026-05-01T12:00:00.000Z');

/** A temperature reading of device D1 (or another), `second` seconds after t0. */
export const reading = (id: string, value: number, second: number, deviceId = 'D1'): Reading => ({
  id,
  deviceId,
  metric: 'temperature',
  value,
  timestamp: new Date(t0 + second * 1000).toISOString(),
});

/** A rule "temperature > 60" of every device, with `input` laid over it. */
export const rule = (id: string, input: Partial<Parameters<typeof newRule>[0]> = {}): Rule =>
  newRule(
    { metric: 'temperature', operator: 'GT', threshold: 60, ...input },
    id,
    '2026-05-01T00:00:00.000Z',
  );
