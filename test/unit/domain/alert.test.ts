import { describe, expect, it } from 'vitest';
import { describeAlert, thresholdAlert } from '../../../domain/alert.ts';
import { reading, rule } from '../../support/builders.ts';

describe('describeAlert', () => {
  const alert = thresholdAlert(
    rule('hot', { name: 'Boiler too hot', severity: 'CRITICAL' }),
    reading('r', 75, 0),
    75,
    '2026-05-01T12:00:01.000Z',
  );

  it('given a firing alert, then the e-mail says device, metric, value, condition, rule and time', () => {
    const { subject, body } = describeAlert(alert);
    expect(subject).toBe('[CRITICAL] D1: temperature > 60 (value 75)');
    for (const text of [
      'Device:     D1',
      'Metric:     temperature',
      'Value:      75',
      'temperature > 60',
      'Boiler too hot (hot)',
      '2026-05-01T12:00:01.000Z',
    ]) {
      expect(body).toContain(text);
    }
  });

  it('given a resolved alert, then the subject says RESOLVED and the body when', () => {
    const { subject, body } = describeAlert({
      ...alert,
      status: 'RESOLVED',
      resolvedAt: '2026-05-01T12:05:00.000Z',
    });
    expect(subject).toBe('[RESOLVED] D1: temperature > 60 (value 75)');
    expect(body).toContain('Resolved:   2026-05-01T12:05:00.000Z');
  });

  it('given a long device id, then the subject stays within SNS limits', () => {
    expect(
      describeAlert({ ...alert, deviceId: 'd'.repeat(128) }).subject.length,
    ).toBeLessThanOrEqual(100);
  });
});
