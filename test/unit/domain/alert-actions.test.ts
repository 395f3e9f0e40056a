import { describe, expect, it } from 'vitest';
import { type Alert, thresholdAlert } from '../../../domain/alert.ts';
import { requireOpen, requireSnoozeSeconds, snoozeSilence } from '../../../domain/alert-actions.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { newRule } from '../../../domain/rule.ts';
import { silenceState } from '../../../domain/silences.ts';

const now = Date.parse('2026-05-01T12:00:00.000Z');
const rule = newRule(
  { metric: 'temperature', operator: 'GT', threshold: 60, name: 'Boiler too hot' },
  'hot',
  '2026-05-01T00:00:00.000Z',
);
const alert: Alert = thresholdAlert(
  rule,
  {
    id: 'r1',
    deviceId: 'D1',
    metric: 'temperature',
    value: 70,
    timestamp: '2026-05-01T11:59:00.000Z',
  },
  70,
  '2026-05-01T11:59:00.000Z',
);

describe('snooze duration', () => {
  it.each([60, 3600, 604_800])('given %i seconds, then it is accepted', (seconds) => {
    expect(requireSnoozeSeconds(seconds)).toBe(seconds);
  });

  it.each([
    ['59 seconds', 59],
    ['0', 0],
    ['a negative number', -3600],
    ['7 days and a second', 604_801],
    ['a fraction', 90.5],
    ['a string', '3600'],
    ['null', null],
    ['NaN', Number.NaN],
  ])('given %s, then a ValidationError on seconds says the range', (_case, seconds) => {
    expect(() => requireSnoozeSeconds(seconds)).toThrow(ValidationError);
    expect(() => requireSnoozeSeconds(seconds)).toThrow(
      /seconds must be a whole number of seconds from 60 \(a minute\) to 604800 \(7 days\)/,
    );
    try {
      requireSnoozeSeconds(seconds);
    } catch (error) {
      expect((error as ValidationError).field).toBe('seconds');
    }
  });
});

describe('the snooze silence', () => {
  it('given an alert snoozed for an hour, then the silence matches its rule and device, from now for an hour, made by the caller, its comment naming the alert', () => {
    // Act
    const silence = snoozeSilence(alert, 3600, 's1', now, 'op@example.com');

    // Assess
    expect(silence).toMatchObject({
      id: 's1',
      matchers: { ruleId: 'hot', deviceId: 'D1', metric: null, severities: null, labels: null },
      startsAt: '2026-05-01T12:00:00.000Z',
      endsAt: '2026-05-01T13:00:00.000Z',
      createdBy: 'op@example.com',
      notifyResolved: true,
      comment: `Snooze of alert ${alert.id} (Boiler too hot (hot) on D1) for 1 h`,
    });
    expect(silenceState(silence, now)).toBe('ACTIVE');
    expect(silenceState(silence, now + 3600_000)).toBe('EXPIRED');
  });

  it('given odd lengths, then the comment says them as people do', () => {
    const comment = (seconds: number) => snoozeSilence(alert, seconds, 's', now, 'op').comment;
    expect(comment(60)).toMatch(/for 1 min$/);
    expect(comment(5400)).toMatch(/for 1 h 30 min$/);
    expect(comment(604_800)).toMatch(/for 7 d$/);
    expect(comment(90_061)).toMatch(/for 1 d 1 h 1 min 1 s$/);
  });
});

describe('open alerts only', () => {
  it.each(['FIRING', 'ACKNOWLEDGED', 'LATCHED'] as const)(
    'given a %s alert, then it may be acted on',
    (status) => {
      expect(requireOpen({ ...alert, status }, 'reset').status).toBe(status);
    },
  );

  it('given a resolved alert, then a ValidationError on id says it is resolved and since when', () => {
    const resolved: Alert = {
      ...alert,
      status: 'RESOLVED',
      resolvedAt: '2026-05-01T12:01:00.000Z',
    };
    expect(() => requireOpen(resolved, 'snoozed')).toThrow(
      `Alert '${alert.id}' is resolved (at 2026-05-01T12:01:00.000Z); only an open alert can be snoozed`,
    );
  });
});
