import { describe, expect, it } from 'vitest';
import type { RuleDraft } from '../../../../console/src/rule-draft.ts';
import {
  createInput,
  draftOf,
  draftProblem,
  emptyDraft,
  updateInput,
} from '../../../../console/src/rule-draft.ts';
import { ValidationError } from '../../../../domain/errors.ts';
import type { Rule } from '../../../../domain/rule.ts';
import { applyRuleUpdate, newRule } from '../../../../domain/rule.ts';
import type { CreateRuleInput } from '../../../../generated/graphql.ts';

const now = '2026-05-01T12:00:00.000Z';

/** A draft the API would accept: temperature of any device above 60. */
const draft = (changes: Partial<RuleDraft> = {}): RuleDraft => ({
  ...emptyDraft(),
  metric: 'temperature',
  threshold: '60',
  ...changes,
});

const stored = (input: Partial<CreateRuleInput> = {}): Rule =>
  newRule({ metric: 'temperature', operator: 'GT', threshold: 60, ...input }, 'hot', now);

/** The message and field the domain itself gives for this create input. */
function domainRefusal(input: CreateRuleInput): { field: string | undefined; message: string } {
  try {
    newRule(input, 'expected', now);
  } catch (error) {
    if (error instanceof ValidationError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error(`the domain accepted ${JSON.stringify(input)}`);
}

const base = { metric: 'temperature', operator: 'GT', threshold: 60 } as const;

describe('createInput', () => {
  it('given only the required fields, then blank options are left out and the rule is for every device', () => {
    // Act
    const input = createInput(draft({ deviceId: '   ', name: ' ', forReadings: '' }));

    // Assess
    expect(input).toEqual({
      metric: 'temperature',
      operator: 'GT',
      threshold: 60,
      severity: 'WARNING',
      enabled: true,
    });
    expect(newRule(input, 'r1', now).deviceId).toBeNull();
  });

  it('given every field filled, then each is sent, trimmed and as a number where it is one', () => {
    const input = createInput(
      draft({
        name: ' Too hot ',
        description: ' Server room ',
        target: 'device',
        deviceId: ' D1 ',
        metric: ' temperature ',
        operator: 'GTE',
        threshold: ' 60.5 ',
        severity: 'CRITICAL',
        enabled: false,
        forReadings: '3',
        windowSeconds: '300',
        aggregation: 'MAX',
        clearThreshold: '55',
        noDataSeconds: '600',
        repeatIntervalSeconds: '3600',
      }),
    );

    expect(input).toEqual({
      name: 'Too hot',
      description: 'Server room',
      deviceId: 'D1',
      metric: 'temperature',
      operator: 'GTE',
      threshold: 60.5,
      severity: 'CRITICAL',
      enabled: false,
      forReadings: 3,
      windowSeconds: 300,
      aggregation: 'MAX',
      clearThreshold: 55,
      noDataSeconds: 600,
      repeatIntervalSeconds: 3600,
    });
  });
});

describe('updateInput', () => {
  it('given blank options, then each is sent as null, which resets it to its default', () => {
    // Prepare: a rule with every option set.
    const rule = stored({
      name: 'Too hot',
      description: 'Server room',
      forReadings: 3,
      windowSeconds: 300,
      aggregation: 'MAX',
      clearThreshold: 55,
      noDataSeconds: 600,
      repeatIntervalSeconds: 3600,
    });

    // Act
    const input = updateInput(draft());
    const updated = applyRuleUpdate(rule, input, now);

    // Assess
    expect(input).toEqual({
      metric: 'temperature',
      operator: 'GT',
      threshold: 60,
      severity: 'WARNING',
      enabled: true,
      name: null,
      description: null,
      forReadings: null,
      windowSeconds: null,
      aggregation: null,
      clearThreshold: null,
      noDataSeconds: null,
      repeatIntervalSeconds: null,
    });
    expect(updated).toMatchObject({
      name: null,
      description: null,
      forReadings: 1,
      windowSeconds: null,
      aggregation: null,
      clearThreshold: null,
      noDataSeconds: null,
      repeatIntervalSeconds: null,
      groupBy: null,
      groupWaitSeconds: null,
      groupIntervalSeconds: null,
      flapDetection: true,
      flapHighPercent: 50,
      flapLowPercent: 25,
    });
  });

  it('given a device typed into the draft, then the update leaves the rule’s device scope alone', () => {
    expect(updateInput(draft({ deviceId: 'D2' }))).not.toHaveProperty('deviceId');
  });
});

describe('draftOf', () => {
  it.each<[string, Partial<CreateRuleInput>]>([
    ['only the required fields', {}],
    [
      'every option set',
      {
        deviceId: 'D1',
        name: 'Too hot',
        description: 'Server room',
        severity: 'CRITICAL',
        enabled: false,
        forReadings: 3,
        windowSeconds: 300,
        aggregation: 'MIN',
        clearThreshold: 55.5,
        noDataSeconds: 600,
        repeatIntervalSeconds: 3600,
      },
    ],
    ['a negative, fractional threshold', { operator: 'LT', threshold: -12.75 }],
  ])(
    'given a rule with %s, when its draft is sent back unchanged, then the rule keeps every value',
    (_case, input) => {
      // Prepare
      const rule = stored(input);

      // Act
      const roundTrip = applyRuleUpdate(rule, updateInput(draftOf(rule)), rule.updatedAt);

      // Assess
      expect(roundTrip).toEqual(rule);
      expect(draftProblem(draftOf(rule), rule)).toBeNull();
    },
  );

  it('given a rule firing on the first reading, then its draft leaves “for readings” blank', () => {
    expect(draftOf(stored()).forReadings).toBe('');
    expect(draftOf(stored({ forReadings: 4 })).forReadings).toBe('4');
  });

  it('given a rule for every device, then its draft has a blank device', () => {
    expect(draftOf(stored()).deviceId).toBe('');
    expect(draftOf(stored({ deviceId: 'D1' })).deviceId).toBe('D1');
  });
});

describe('draftProblem', () => {
  it('given a valid draft, then there is no problem, for a new rule and for an update', () => {
    expect(draftProblem(draft())).toBeNull();
    expect(draftProblem(draft({ threshold: '75', clearThreshold: '70' }), stored())).toBeNull();
  });

  it('given a blank threshold, then the threshold field is at fault', () => {
    const problem = draftProblem(draft({ threshold: '  ' }));

    expect(problem?.field).toBe('threshold');
    expect(problem?.message).toMatch(/threshold/);
  });

  it('given a threshold that is not a number, then the message is the domain’s and quotes what was typed', () => {
    const expected = domainRefusal({ ...base, threshold: 'hot' as unknown as number });

    const problem = draftProblem(draft({ threshold: 'hot' }));

    expect(problem).toEqual({ field: 'threshold', message: expected.message });
    expect(problem?.message).toBe('input.threshold must be a finite number; got hot');
  });

  it.each<[keyof RuleDraft, string]>([
    ['clearThreshold', 'cool'],
    ['windowSeconds', 'five'],
    ['noDataSeconds', '10m'],
    ['repeatIntervalSeconds', 'hourly'],
    ['forReadings', 'three'],
  ])(
    'given %s typed as %j, then that field is at fault and the message quotes it',
    (field, typed) => {
      const problem = draftProblem(draft({ [field]: typed }));

      expect(problem?.field).toBe(field);
      expect(problem?.message).toContain(`input.${field} must be`);
      expect(problem?.message).toContain(typed);
    },
  );

  it.each<[keyof RuleDraft & keyof CreateRuleInput, string, number]>([
    ['forReadings', '1.5', 1.5],
    ['forReadings', '0', 0],
    ['forReadings', '1001', 1001],
    ['windowSeconds', '-5', -5],
    ['noDataSeconds', '2.5', 2.5],
    ['repeatIntervalSeconds', '0', 0],
  ])(
    'given %s of %s, then the domain’s whole-number message is shown on that field',
    (field, typed, value) => {
      const expected = domainRefusal({ ...base, [field]: value });

      const problem = draftProblem(draft({ [field]: typed }));

      expect(problem).toEqual({ field, message: expected.message });
      expect(problem?.message).toMatch(/must be a whole number from 1 to \d+; got /);
    },
  );

  it('given an aggregation without a window, then the domain’s coherence message is shown on aggregation', () => {
    const expected = domainRefusal({ ...base, aggregation: 'MAX' });

    const problem = draftProblem(draft({ aggregation: 'MAX' }));

    expect(problem).toEqual({ field: 'aggregation', message: expected.message });
    expect(problem?.message).toBe('input.aggregation needs input.windowSeconds');
  });

  it('given a clear threshold on the alerting side, then the domain’s hysteresis message is shown on clearThreshold', () => {
    const expected = domainRefusal({ ...base, clearThreshold: 65 });

    const problem = draftProblem(draft({ clearThreshold: '65' }));

    expect(problem).toEqual({ field: 'clearThreshold', message: expected.message });
    expect(problem?.message).toMatch(/alerting side/);
  });

  it('given a clear threshold on an EQ rule, then the domain’s message is shown on clearThreshold', () => {
    const expected = domainRefusal({ ...base, operator: 'EQ', clearThreshold: 50 });

    const problem = draftProblem(draft({ operator: 'EQ', clearThreshold: '50' }));

    expect(problem).toEqual({ field: 'clearThreshold', message: expected.message });
  });

  it('given a bad device id or metric, then the field at fault is named', () => {
    expect(draftProblem(draft({ target: 'device', deviceId: 'D 1' }))?.field).toBe('deviceId');
    expect(draftProblem(draft({ metric: '' }))?.field).toBe('metric');
  });

  it('given an update that breaks coherence with the rule’s other options, then it is reported as the API would', () => {
    // Prepare: the stored rule has a clear threshold below 60; the draft raises it above.
    const rule = stored({ clearThreshold: 55 });
    const edited = { ...draftOf(rule), clearThreshold: '70' };
    let expected = '';
    try {
      applyRuleUpdate(rule, updateInput(edited), now);
    } catch (error) {
      expected = (error as Error).message;
    }

    // Act
    const problem = draftProblem(edited, rule);

    // Assess
    expect(expected).not.toBe('');
    expect(problem).toEqual({ field: 'clearThreshold', message: expected });
  });
});

describe('a rule’s target', () => {
  const berlinB200 = [
    { key: ' site ', operator: 'EQ', values: 'berlin' },
    { key: '', operator: 'EQ', values: '' },
    { key: 'model', operator: 'IN', values: 'b200, b300,, b200' },
  ] as const;

  it('given the target "every device" with a device id left typed, then neither deviceId nor selector is sent', () => {
    const input = createInput(draft({ target: 'every', deviceId: 'D1' }));

    expect(input).not.toHaveProperty('deviceId');
    expect(input).not.toHaveProperty('selector');
  });

  it('given the target "devices with labels", then the rows are sent as matchers, blank rows dropped and values split at commas', () => {
    const input = createInput(
      draft({
        target: 'selector',
        deviceId: 'D1',
        selector: berlinB200.map((row) => ({ ...row })),
      }),
    );

    expect(input).not.toHaveProperty('deviceId');
    expect(input.selector).toEqual([
      { key: 'site', operator: 'EQ', values: ['berlin'] },
      { key: 'model', operator: 'IN', values: ['b200', 'b300', 'b200'] },
    ]);
  });

  it('given a selector draft, then the domain’s newRule accepts its input and the rule keeps the selector', () => {
    const input = createInput(
      draft({ target: 'selector', selector: [{ key: 'site', operator: 'EQ', values: 'berlin' }] }),
    );

    expect(
      draftProblem(
        draft({
          target: 'selector',
          selector: [{ key: 'site', operator: 'EQ', values: 'berlin' }],
        }),
      ),
    ).toBeNull();
    expect(newRule(input, 'r1', now).selector).toEqual([
      { key: 'site', operator: 'EQ', values: ['berlin'] },
    ]);
  });

  it('given the target "one device" with no device typed, then the device field is at fault', () => {
    expect(draftProblem(draft({ target: 'device', deviceId: ' ' }))?.field).toBe('deviceId');
  });

  it('given a selector with no matcher, then the selector is at fault with the domain’s message', () => {
    const problem = draftProblem(draft({ target: 'selector', selector: [] }));

    expect(problem).toEqual({
      field: 'selector',
      row: null,
      message: 'input.selector must be a list of 1 to 16 label matchers',
    });
  });

  it('given a bad key in the third row after a blank one, then that row is at fault, named as the API would name the second matcher', () => {
    const problem = draftProblem(
      draft({
        target: 'selector',
        selector: [
          { key: 'site', operator: 'EQ', values: 'berlin' },
          { key: '', operator: 'EQ', values: '' },
          { key: 'Model', operator: 'EXISTS', values: '' },
        ],
      }),
    );

    expect(problem?.field).toBe('selector');
    expect(problem?.row).toBe(2);
    expect(problem?.message).toMatch(/^input\.selector\[1\]\.key may contain only lower-case/);
  });

  it('given EQ with two values, then the row is at fault with the domain’s message', () => {
    const problem = draftProblem(
      draft({ target: 'selector', selector: [{ key: 'site', operator: 'EQ', values: 'a, b' }] }),
    );

    expect(problem).toEqual({
      field: 'selector',
      row: 0,
      message: 'input.selector[0].values must hold exactly one value for EQ; got 2',
    });
  });

  it('given a selector rule, then its draft targets the selector with one row per matcher', () => {
    const rule = {
      ...draftRule(),
      selector: [
        { key: 'site', operator: 'EQ' as const, values: ['berlin'] },
        { key: 'model', operator: 'NOT_IN' as const, values: ['b100', 'b101'] },
        { key: 'retired', operator: 'NOT_EXISTS' as const, values: [] },
      ],
    };

    const edited = draftOf(rule);

    expect(edited.target).toBe('selector');
    expect(edited.selector).toEqual([
      { key: 'site', operator: 'EQ', values: 'berlin' },
      { key: 'model', operator: 'NOT_IN', values: 'b100, b101' },
      { key: 'retired', operator: 'NOT_EXISTS', values: '' },
    ]);
    expect(updateInput(edited, rule).selector).toEqual(rule.selector);
  });

  it('given a selector rule switched to every device, then the update clears its selector; a rule that had none is sent no selector', () => {
    const selectorRule = {
      ...draftRule(),
      selector: [{ key: 'site', operator: 'EXISTS' as const, values: [] }],
    };

    expect(updateInput({ ...draftOf(selectorRule), target: 'every' }, selectorRule)).toHaveProperty(
      'selector',
      null,
    );
    expect(updateInput(draftOf(draftRule()), draftRule())).not.toHaveProperty('selector');
  });
});

/** A stored rule for every device, as the API lists it. */
function draftRule() {
  return { ...stored(), selector: null };
}
