import { describe, expect, it } from 'vitest';
import {
  describeAlert,
  LEFT_SELECTOR,
  noDataAlert,
  thresholdAlert,
} from '../../../domain/alert.ts';
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

describe('alerts and device labels', () => {
  const fired = (labels?: Record<string, string>) =>
    thresholdAlert(rule('hot'), reading('r', 75, 0), 75, '2026-05-01T12:00:01.000Z', labels);

  it("given a device's labels, then the alert keeps them sorted by key and the e-mail shows them on one line", () => {
    const alert = fired({ site: 'berlin', model: 'b200' });
    expect(alert.labels).toEqual([
      { key: 'model', value: 'b200' },
      { key: 'site', value: 'berlin' },
    ]);
    expect(describeAlert(alert).body).toContain('Labels:     model=b200, site=berlin');
  });

  it('given a device without labels, then the alert has none and the e-mail no Labels line', () => {
    const alert = fired();
    expect(alert.labels).toEqual([]);
    expect(describeAlert(alert).body).not.toContain('Labels:');
    expect(describeAlert({ ...alert, labels: null }).body).not.toContain('Labels:');
  });

  it('given a NO_DATA alert, then it carries the labels too', () => {
    const alert = noDataAlert(
      rule('quiet', { noDataSeconds: 60 }),
      'D1',
      '2026-05-01T12:00:00.000Z',
      '2026-05-01T12:01:00.000Z',
      { site: 'berlin' },
    );
    expect(alert.labels).toEqual([{ key: 'site', value: 'berlin' }]);
  });

  it('given an alert resolved because the device left the selector, then the e-mail says why', () => {
    const { body } = describeAlert({
      ...fired({ site: 'berlin' }),
      status: 'RESOLVED',
      resolvedAt: '2026-05-01T12:05:00.000Z',
      resolution: LEFT_SELECTOR,
    });
    expect(body).toContain("Why:        the device no longer matches the rule's selector");
    expect(body).toContain('Labels:     site=berlin');
  });
});
