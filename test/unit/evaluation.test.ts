import { describe, expect, it } from 'vitest';
import { describeAlert, firedAlerts } from '../../domain/alert.ts';
import { evaluateReading } from '../../domain/evaluation.ts';
import type { Reading } from '../../domain/reading.ts';
import { newRule, type Rule } from '../../domain/rule.ts';
import { RuleCache } from '../../domain/rule-cache.ts';
import { RuleIndex } from '../../domain/rule-index.ts';
import { FakeAlertStore, FakeChannel, FakeReadingStore } from '../support/fakes.ts';

const now = '2026-05-01T12:00:00.000Z';
const reading = (value: number, overrides: Partial<Reading> = {}): Reading => ({
  id: `r-${value}`,
  deviceId: 'D1',
  metric: 'temperature',
  value,
  timestamp: now,
  ...overrides,
});
const rule = (id: string, input: Partial<Parameters<typeof newRule>[0]> = {}): Rule =>
  newRule({ metric: 'temperature', operator: 'GT', threshold: 60, ...input }, id, now);

describe('RuleIndex', () => {
  it('given device, every-device and disabled rules, then a reading matches its device and every-device rules only', () => {
    const index = new RuleIndex([
      rule('for-d1', { deviceId: 'D1' }),
      rule('for-d2', { deviceId: 'D2' }),
      rule('for-all'),
      rule('other-metric', { metric: 'humidity' }),
      rule('disabled', { deviceId: 'D1', enabled: false }),
    ]);
    expect(
      index
        .matching('D1', 'temperature')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['for-all', 'for-d1']);
    expect(index.matching('D3', 'temperature').map((r) => r.id)).toEqual(['for-all']);
    expect(index.matching('D1', 'pressure')).toEqual([]);
    expect(index.size).toBe(4);
  });
});

describe('firedAlerts', () => {
  const index = new RuleIndex([rule('hot'), rule('cold', { operator: 'LT', threshold: 0 })]);

  it('given a breaching reading, then one alert fires per breached rule, carrying the reading', () => {
    const [alert, ...rest] = firedAlerts(reading(75), index, now);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      ruleId: 'hot',
      deviceId: 'D1',
      value: 75,
      threshold: 60,
      operator: 'GT',
      eventId: 'r-75',
    });
  });

  it('given a non-breaching reading, then nothing fires', () => {
    expect(firedAlerts(reading(20), index, now)).toEqual([]);
  });

  it('given the same reading twice, then the alert ids are equal; other readings get other ids', () => {
    const first = firedAlerts(reading(75), index, now)[0];
    const again = firedAlerts(reading(75), index, '2026-05-01T12:05:00.000Z')[0];
    const other = firedAlerts(reading(75, { id: 'another' }), index, now)[0];
    expect(again?.id).toBe(first?.id);
    expect(other?.id).not.toBe(first?.id);
  });
});

describe('describeAlert', () => {
  it('given an alert, then the e-mail says device, metric, value, condition, rule and time', () => {
    const [alert] = firedAlerts(
      reading(75),
      new RuleIndex([rule('hot', { name: 'Boiler too hot', severity: 'CRITICAL' })]),
      now,
    );
    const { subject, body } = describeAlert(alert as never);
    expect(subject).toBe('[CRITICAL] D1: temperature > 60 (value 75)');
    for (const text of [
      'Device:     D1',
      'Metric:     temperature',
      'Value:      75',
      'temperature > 60',
      'Boiler too hot (hot)',
      now,
    ]) {
      expect(body).toContain(text);
    }
  });

  it('given a long device id, then the subject stays within SNS limits', () => {
    const [alert] = firedAlerts(
      reading(75, { deviceId: 'd'.repeat(128) }),
      new RuleIndex([rule('hot')]),
      now,
    );
    expect(describeAlert(alert as never).subject.length).toBeLessThanOrEqual(100);
  });
});

describe('evaluateReading', () => {
  function setup() {
    const deps = {
      readings: new FakeReadingStore(),
      rules: async () => new RuleIndex([rule('hot')]),
      alerts: new FakeAlertStore(),
      notifier: new FakeChannel(),
      publisher: new FakeChannel(),
      now: () => Date.parse(now),
    };
    return deps;
  }

  it('given a breaching reading, then it is stored, one alert recorded, e-mailed and pushed', async () => {
    const deps = setup();
    await evaluateReading(reading(75), deps);
    expect(deps.readings.items.size).toBe(1);
    expect(deps.alerts.items.size).toBe(1);
    expect(deps.notifier.sent).toHaveLength(1);
    expect(deps.publisher.sent).toHaveLength(1);
  });

  it('given the same reading delivered twice, then it is stored once and alerts once', async () => {
    const deps = setup();
    await evaluateReading(reading(75), deps);
    await evaluateReading(reading(75), deps);
    expect(deps.readings.items.size).toBe(1);
    expect(deps.alerts.items.size).toBe(1);
    expect(deps.notifier.sent).toHaveLength(1);
    expect(deps.publisher.sent).toHaveLength(1);
  });

  it('given the push fails once, when the reading is redelivered, then the push is retried and the e-mail is not repeated', async () => {
    const deps = setup();
    deps.publisher.failuresLeft = 1;
    await expect(evaluateReading(reading(75), deps)).rejects.toThrow('channel unavailable');
    await evaluateReading(reading(75), deps);
    expect(deps.notifier.sent).toHaveLength(1);
    expect(deps.publisher.sent).toHaveLength(1);
  });
});

describe('RuleCache', () => {
  it('given a fresh index, then rules are not reloaded until it is older than the max age', async () => {
    let loads = 0;
    let clock = 0;
    const cache = new RuleCache(
      async () => {
        loads++;
        return [rule(`r${loads}`)];
      },
      2000,
      () => clock,
    );
    await Promise.all([cache.current(), cache.current()]);
    clock = 1999;
    await cache.current();
    expect(loads).toBe(1);
    clock = 2000;
    const index = await cache.current();
    expect(loads).toBe(2);
    expect(index.matching('D1', 'temperature')[0]?.id).toBe('r2');
  });
});
