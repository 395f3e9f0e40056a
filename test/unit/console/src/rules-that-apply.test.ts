import { describe, expect, it } from 'vitest';
import { rulesThatApply } from '../../../../console/src/rules-that-apply.ts';
import type { RuleFieldsFragment } from '../../../../generated/console-operations.ts';

const rule = (
  id: string,
  target: Pick<RuleFieldsFragment, 'deviceId' | 'selector'>,
): RuleFieldsFragment => ({
  id,
  metric: 'temperature',
  operator: 'GT',
  threshold: 80,
  enabled: true,
  severity: 'WARNING',
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
  latch: false,
  source: null,
  createdAt: '2026-05-01T12:00:00.000Z',
  createdBy: null,
  updatedAt: '2026-05-01T12:00:00.000Z',
  updatedBy: null,
  ...target,
});

const rules = [
  rule('own', { deviceId: 'boiler-1', selector: null }),
  rule('other', { deviceId: 'boiler-2', selector: null }),
  rule('every', { deviceId: null, selector: null }),
  rule('berlin', {
    deviceId: null,
    selector: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
  }),
  rule('b200-not-retired', {
    deviceId: null,
    selector: [
      { key: 'model', operator: 'IN', values: ['b200', 'b300'] },
      { key: 'retired', operator: 'NOT_EXISTS', values: [] },
    ],
  }),
  rule('not-berlin', {
    deviceId: null,
    selector: [{ key: 'site', operator: 'NEQ', values: ['berlin'] }],
  }),
];

describe('rulesThatApply', () => {
  it('given a labelled device, then its own rules, every-device rules and the selector rules its labels match apply, each with why', () => {
    const applying = rulesThatApply(
      {
        id: 'boiler-1',
        labels: [
          { key: 'model', value: 'b200' },
          { key: 'site', value: 'berlin' },
        ],
      },
      rules,
    );

    expect(applying.map(({ rule: { id }, scope }) => [id, scope])).toEqual([
      ['own', 'device'],
      ['every', 'every'],
      ['berlin', 'selector'],
      ['b200-not-retired', 'selector'],
    ]);
  });

  it('given a device without labels, then only selectors that hold for absent labels apply', () => {
    const applying = rulesThatApply({ id: 'pump-1', labels: [] }, rules);

    expect(applying.map(({ rule: { id } }) => id)).toEqual(['every', 'not-berlin']);
  });

  it('given a label that fails one matcher of a selector, then that selector rule does not apply', () => {
    const applying = rulesThatApply(
      {
        id: 'boiler-3',
        labels: [
          { key: 'model', value: 'b200' },
          { key: 'retired', value: 'yes' },
        ],
      },
      rules,
    );

    expect(applying.map(({ rule: { id } }) => id)).toEqual(['every', 'not-berlin']);
  });
});
