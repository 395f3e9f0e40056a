import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import { applyRuleUpdate, breaches, newRule } from '../../../domain/rule.ts';
import type { Operator } from '../../../generated/graphql.ts';

const now = '2026-05-01T12:00:00.000Z';

describe('newRule', () => {
  it('given only the required fields, then it applies to every device, enabled, at WARNING', () => {
    const rule = newRule({ metric: 'cpu', operator: 'GTE', threshold: 80 }, 'r1', now);
    expect(rule).toMatchObject({
      id: 'r1',
      deviceId: null,
      enabled: true,
      severity: 'WARNING',
      name: null,
    });
    expect(rule.createdAt).toBe(now);
  });

  it.each([
    [{ metric: 'cpu', operator: 'ABOVE', threshold: 1 }, 'input.operator'],
    [{ metric: 'cpu', operator: 'GT', threshold: Number.NaN }, 'input.threshold'],
    [{ metric: '', operator: 'GT', threshold: 1 }, 'input.metric'],
    [{ metric: 'cpu', operator: 'GT', threshold: 1, severity: 'PANIC' }, 'input.severity'],
    [{ metric: 'cpu', operator: 'GT', threshold: 1, deviceId: 'a b' }, 'input.deviceId'],
    [{ metric: 'cpu', operator: 'GT', threshold: 1, name: 'x'.repeat(257) }, 'input.name'],
  ])('given %o, then it is refused naming %s', (input, field) => {
    expect(() => newRule(input as never, 'r1', now)).toThrow(ValidationError);
    try {
      newRule(input as never, 'r1', now);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

describe('who created and changed a rule', () => {
  it('given a rule created by a caller, then it was created and last changed by them', () => {
    const rule = newRule(
      { metric: 'cpu', operator: 'GT', threshold: 80 },
      'r1',
      now,
      'ada@example.com',
    );
    expect(rule).toMatchObject({ createdBy: 'ada@example.com', updatedBy: 'ada@example.com' });
  });

  it('given another caller changes it, then updatedBy is theirs and createdBy stays', () => {
    const rule = newRule(
      { metric: 'cpu', operator: 'GT', threshold: 80 },
      'r1',
      now,
      'ada@example.com',
    );
    const later = '2026-05-02T00:00:00.000Z';
    expect(applyRuleUpdate(rule, { enabled: false }, later, 'bob@example.com')).toMatchObject({
      createdBy: 'ada@example.com',
      updatedBy: 'bob@example.com',
      updatedAt: later,
    });
  });
});

describe('applyRuleUpdate', () => {
  const rule = newRule({ metric: 'cpu', operator: 'GT', threshold: 80, name: 'hot' }, 'r1', now);

  it('given a new threshold, then only the threshold and updatedAt change', () => {
    const later = '2026-05-02T00:00:00.000Z';
    expect(applyRuleUpdate(rule, { threshold: 90 }, later)).toEqual({
      ...rule,
      threshold: 90,
      updatedAt: later,
    });
  });

  it('given an empty update, then it is refused', () => {
    expect(() => applyRuleUpdate(rule, {}, now)).toThrow(/at least one field/);
  });
});

describe('breaches', () => {
  it.each<[Operator, number, boolean]>([
    ['GT', 61, true],
    ['GT', 60, false],
    ['GTE', 60, true],
    ['GTE', 59.9, false],
    ['LT', 59, true],
    ['LT', 60, false],
    ['LTE', 60, true],
    ['LTE', 60.1, false],
    ['EQ', 60, true],
    ['EQ', 60.5, false],
    ['NEQ', 61, true],
    ['NEQ', 60, false],
  ])('given threshold 60, %s with value %d breaches: %s', (operator, value, expected) => {
    expect(breaches(operator, value, 60)).toBe(expected);
  });
});

describe('rule options', () => {
  const base = { metric: 'cpu', operator: 'GT' as const, threshold: 80 };

  it('given no options, then the rule fires on the first breach, with no window, hysteresis, no-data or repeat', () => {
    expect(newRule(base, 'r1', now)).toMatchObject({
      forReadings: 1,
      windowSeconds: null,
      aggregation: null,
      clearThreshold: null,
      noDataSeconds: null,
      repeatIntervalSeconds: null,
      groupBy: null,
      groupWaitSeconds: null,
      groupIntervalSeconds: null,
    });
  });

  it('given e-mail grouping options, then they are kept; an empty groupBy groups by nothing, and null returns to the default', () => {
    const rule = newRule(
      { ...base, groupBy: ['site', 'room'], groupWaitSeconds: 0, groupIntervalSeconds: 86_400 },
      'r1',
      now,
    );
    expect(rule).toMatchObject({
      groupBy: ['site', 'room'],
      groupWaitSeconds: 0,
      groupIntervalSeconds: 86_400,
    });
    expect(newRule({ ...base, groupBy: [] }, 'r1', now).groupBy).toBeNull();
    expect(applyRuleUpdate(rule, { groupBy: null, groupWaitSeconds: null }, now)).toMatchObject({
      groupBy: null,
      groupWaitSeconds: null,
      groupIntervalSeconds: 86_400,
    });
  });

  it('given a window without aggregation, then it averages', () => {
    expect(newRule({ ...base, windowSeconds: 300 }, 'r1', now).aggregation).toBe('AVG');
  });

  it.each([
    [{ forReadings: 0 }, 'input.forReadings must be a whole number from 1 to 1000'],
    [{ forReadings: 2.5 }, 'input.forReadings must be a whole number'],
    [{ windowSeconds: 0 }, 'input.windowSeconds must be a whole number from 1 to 86400'],
    [{ aggregation: 'MEDIAN' }, 'input.aggregation must be one of AVG, MIN, MAX, COUNT, SUM'],
    [{ aggregation: 'MAX' }, 'input.aggregation needs input.windowSeconds'],
    [{ clearThreshold: 90 }, 'input.clearThreshold 90 is on the alerting side of GT 80'],
    [{ operator: 'EQ', clearThreshold: 70 }, 'input.clearThreshold does not apply to EQ rules'],
    [{ noDataSeconds: -5 }, 'input.noDataSeconds must be a whole number'],
    [
      { repeatIntervalSeconds: 10_000_000 },
      'input.repeatIntervalSeconds must be a whole number from 1 to 604800',
    ],
    [{ description: 'x'.repeat(2049) }, 'input.description must be at most 2048 characters'],
    [{ groupBy: 'site' }, 'input.groupBy must be a list of label keys, e.g. ["site"]'],
    [{ groupBy: ['Site'] }, 'input.groupBy[0] may contain only lower-case letters'],
    [{ groupBy: ['site', 'site'] }, "input.groupBy names 'site' more than once"],
    [
      { groupBy: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] },
      'input.groupBy may hold at most 8 label keys; got 9',
    ],
    [{ groupWaitSeconds: -1 }, 'input.groupWaitSeconds must be a whole number from 0 to 3600'],
    [{ groupWaitSeconds: 3601 }, 'input.groupWaitSeconds must be a whole number from 0 to 3600'],
    [
      { groupIntervalSeconds: 86_401 },
      'input.groupIntervalSeconds must be a whole number from 0 to 86400',
    ],
    [{ groupIntervalSeconds: 1.5 }, 'input.groupIntervalSeconds must be a whole number'],
  ])('given %o, then the rule is refused: %s', (options, message) => {
    expect(() => newRule({ ...base, ...options } as never, 'r1', now)).toThrow(message);
  });

  it('given an update with explicit nulls, then those options return to their defaults and others stay', () => {
    const rule = newRule(
      { ...base, forReadings: 3, clearThreshold: 70, repeatIntervalSeconds: 600 },
      'r1',
      now,
    );
    const updated = applyRuleUpdate(rule, { clearThreshold: null, forReadings: 5 }, now);
    expect(updated).toMatchObject({
      clearThreshold: null,
      forReadings: 5,
      repeatIntervalSeconds: 600,
    });
  });

  it('given an update that makes hysteresis incoherent, then it is refused', () => {
    const rule = newRule({ ...base, clearThreshold: 70 }, 'r1', now);
    expect(() => applyRuleUpdate(rule, { threshold: 60 }, now)).toThrow(/alerting side/);
  });
});

describe('latch', () => {
  const base = { metric: 'cpu', operator: 'GT' as const, threshold: 80 };

  it('given none, then the rule does not latch; given true, it does, and an update can turn it off', () => {
    expect(newRule(base, 'r1', now).latch).toBe(false);
    const latched = newRule({ ...base, latch: true }, 'r1', now);
    expect(latched.latch).toBe(true);
    expect(applyRuleUpdate(latched, { latch: false }, now).latch).toBe(false);
    expect(applyRuleUpdate(latched, { latch: null }, now).latch).toBe(false);
  });

  it('given a latch that is not a boolean, then it is refused, naming the field', () => {
    expect(() => newRule({ ...base, latch: 'yes' as unknown as boolean }, 'r1', now)).toThrow(
      /input\.latch/,
    );
  });
});

describe('flapping options', () => {
  const base = { metric: 'cpu', operator: 'GT' as const, threshold: 80 };

  it('given none, then the rule detects flapping from 50 % down to below 25 %', () => {
    expect(newRule(base, 'r1', now)).toMatchObject({
      flapDetection: true,
      flapHighPercent: 50,
      flapLowPercent: 25,
    });
  });

  it('given them, then the rule keeps them; fractions are fine', () => {
    expect(
      newRule(
        { ...base, flapDetection: false, flapHighPercent: 62.5, flapLowPercent: 12.5 },
        'r1',
        now,
      ),
    ).toMatchObject({ flapDetection: false, flapHighPercent: 62.5, flapLowPercent: 12.5 });
  });

  it.each([
    [
      { flapHighPercent: 0 },
      'input.flapHighPercent',
      'must be a percent above 0 and at most 100; got 0',
    ],
    [{ flapHighPercent: 100.5 }, 'input.flapHighPercent', 'at most 100; got 100.5'],
    [
      { flapLowPercent: -1 },
      'input.flapLowPercent',
      'must be a percent above 0 and at most 100; got -1',
    ],
    [{ flapLowPercent: Number.NaN }, 'input.flapLowPercent', 'got NaN'],
    [{ flapHighPercent: '60' }, 'input.flapHighPercent', 'must be a percent'],
    [{ flapDetection: 'yes' }, 'input.flapDetection', 'must be true or false'],
    [
      { flapLowPercent: 50 },
      'input.flapLowPercent',
      'input.flapLowPercent 50 must be below input.flapHighPercent 50',
    ],
    [
      { flapHighPercent: 20 },
      'input.flapHighPercent',
      'input.flapHighPercent 20 must be above input.flapLowPercent 25',
    ],
    [
      { flapHighPercent: 30, flapLowPercent: 40 },
      'input.flapLowPercent',
      'input.flapLowPercent 40 must be below input.flapHighPercent 30',
    ],
  ])('given %o, then the rule is refused naming %s: %s', (options, field, message) => {
    // Act
    const create = () => newRule({ ...base, ...options } as never, 'r1', now);
    // Assess
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(message);
    try {
      create();
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('given an update that lowers flapHighPercent to the low one, then it is refused naming flapHighPercent; lowering both together is fine', () => {
    const rule = newRule(base, 'r1', now);
    expect(() => applyRuleUpdate(rule, { flapHighPercent: 25 }, now)).toThrow(
      /input\.flapHighPercent 25 must be above input\.flapLowPercent 25/,
    );
    expect(applyRuleUpdate(rule, { flapHighPercent: 20, flapLowPercent: 10 }, now)).toMatchObject({
      flapHighPercent: 20,
      flapLowPercent: 10,
    });
  });

  it('given an update with explicit nulls, then the flapping options return to their defaults', () => {
    const rule = newRule(
      { ...base, flapDetection: false, flapHighPercent: 70, flapLowPercent: 60 },
      'r1',
      now,
    );
    expect(
      applyRuleUpdate(
        rule,
        { flapDetection: null, flapHighPercent: null, flapLowPercent: null },
        now,
      ),
    ).toMatchObject({ flapDetection: true, flapHighPercent: 50, flapLowPercent: 25 });
  });
});

describe('a rule with a label selector', () => {
  const berlin = [{ key: 'site', operator: 'EQ' as const, values: ['berlin'] }];
  const base = { metric: 'temperature', operator: 'GT' as const, threshold: 80 };

  it('given a selector, then the rule keeps the parsed selector and has no device', () => {
    const rule = newRule(
      {
        ...base,
        selector: [...berlin, { key: 'model', operator: 'IN', values: ['b200', 'b200', 'b300'] }],
      },
      'r1',
      now,
    );
    expect(rule.deviceId).toBeNull();
    expect(rule.selector).toEqual([
      { key: 'site', operator: 'EQ', values: ['berlin'] },
      { key: 'model', operator: 'IN', values: ['b200', 'b300'] },
    ]);
  });

  it('given neither a device nor a selector, then the rule has no selector (every device)', () => {
    expect(newRule(base, 'r1', now).selector).toBeNull();
    expect(newRule({ ...base, selector: null }, 'r1', now).selector).toBeNull();
  });

  it('given both a deviceId and a selector, then it is refused naming input.selector', () => {
    try {
      newRule({ ...base, deviceId: 'boiler-1', selector: berlin }, 'r1', now);
      expect.unreachable('the rule should be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('input.selector');
      expect((error as ValidationError).message).toContain('exclusive');
    }
  });

  it('given a bad matcher, then the error names it in input.selector', () => {
    try {
      newRule(
        { ...base, selector: [...berlin, { key: 'model', operator: 'EQ', values: ['a', 'b'] }] },
        'r1',
        now,
      );
      expect.unreachable('the rule should be refused');
    } catch (error) {
      expect((error as ValidationError).field).toBe('input.selector[1].values');
    }
  });

  it('given an empty selector, then it is refused: none is null, not []', () => {
    expect(() => newRule({ ...base, selector: [] }, 'r1', now)).toThrow(/input.selector/);
  });

  it('given an update with a new selector, then a selector rule takes it and an every-device rule becomes a selector rule', () => {
    const selected = newRule({ ...base, selector: berlin }, 'r1', now);
    const paris = [{ key: 'site', operator: 'EQ' as const, values: ['paris'] }];
    expect(applyRuleUpdate(selected, { selector: paris }, now).selector).toEqual(paris);
    expect(applyRuleUpdate(newRule(base, 'r2', now), { selector: paris }, now).selector).toEqual(
      paris,
    );
  });

  it('given an update with selector null, then the rule watches every device; absent keeps it', () => {
    const selected = newRule({ ...base, selector: berlin }, 'r1', now);
    expect(applyRuleUpdate(selected, { selector: null }, now).selector).toBeNull();
    expect(applyRuleUpdate(selected, { threshold: 90 }, now).selector).toEqual(berlin);
  });

  it('given a selector for a rule of one device, then it is refused and says why', () => {
    const rule = newRule({ ...base, deviceId: 'boiler-1' }, 'r1', now);
    try {
      applyRuleUpdate(rule, { selector: berlin }, now);
      expect.unreachable('the update should be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('input.selector');
      expect((error as ValidationError).message).toContain('rule of one device (boiler-1)');
    }
    expect(applyRuleUpdate(rule, { selector: null }, now).deviceId).toBe('boiler-1');
  });

  it('given a bad selector on update, then the error names the field', () => {
    const rule = newRule({ ...base, selector: berlin }, 'r1', now);
    expect(() =>
      applyRuleUpdate(rule, { selector: [{ key: 'Site', operator: 'EXISTS' }] }, now),
    ).toThrow(expect.objectContaining({ field: 'input.selector[0].key' }));
  });
});
