import { describe, expect, it } from 'vitest';
import type { MatchersDraft } from '../../../../console/src/alert-matchers-draft.ts';
import {
  emptyMatchers,
  matchersDraftOf,
  matchersInput,
  matchersProblem,
  matchersText,
} from '../../../../console/src/alert-matchers-draft.ts';

const draft = (changes: Partial<MatchersDraft>): MatchersDraft => ({
  ...emptyMatchers(),
  ...changes,
});

describe('matchersInput', () => {
  it('given matchers typed with blanks and spaces, then only those given are sent, trimmed, severities in the schema order', () => {
    expect(
      matchersInput(
        draft({
          ruleId: '  ',
          deviceId: ' boiler-1 ',
          metric: '',
          severities: ['CRITICAL', 'INFO'],
          labels: [
            { key: ' site ', operator: 'EQ', values: ' berlin ' },
            { key: '', operator: 'EQ', values: '' },
          ],
        }),
      ),
    ).toEqual({
      deviceId: 'boiler-1',
      severities: ['INFO', 'CRITICAL'],
      labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
    });
  });

  it('given matchers as the API lists them, when drafted and sent again, then the same matchers are sent', () => {
    const listed = {
      ruleId: 'r1',
      deviceId: null,
      metric: 'temperature',
      severities: ['WARNING' as const],
      labels: [{ key: 'model', operator: 'IN' as const, values: ['b200', 'b300'] }],
    };

    expect(matchersInput(matchersDraftOf(listed))).toEqual({
      ruleId: 'r1',
      metric: 'temperature',
      severities: ['WARNING'],
      labels: [{ key: 'model', operator: 'IN', values: ['b200', 'b300'] }],
    });
  });
});

describe('matchersProblem', () => {
  it('given no matcher at all, then it is refused as a whole: it would mute every alert', () => {
    const problem = matchersProblem(
      draft({ labels: [{ key: ' ', operator: 'EQ', values: '' }] }),
      'input.matchers',
    );

    expect(problem).toEqual({
      field: null,
      message:
        'input.matchers must set at least one of ruleId, deviceId, metric, severities, labels: a mute of every alert is not allowed',
    });
  });

  it.each([
    ['a rule', { ruleId: 'r1' }],
    ['a device', { deviceId: 'd1' }],
    ['a metric', { metric: 'temperature' }],
    ['a severity', { severities: ['CRITICAL' as const] }],
    ['a label', { labels: [{ key: 'site', operator: 'EXISTS' as const, values: '' }] }],
  ])('given only %s, then the matchers are fine', (_case, changes) => {
    expect(matchersProblem(draft(changes), 'input.matchers')).toBeNull();
  });

  it.each([
    ['ruleId', { ruleId: 'rule#1' }],
    ['deviceId', { deviceId: 'a b' }],
    ['metric', { metric: 'temp erature' }],
  ] as const)(
    'given a %s the API refuses, then the problem names that matcher',
    (field, changes) => {
      const problem = matchersProblem(draft(changes), 'input.matchers');

      expect(problem?.field).toBe(field);
      expect(problem?.message).toMatch(new RegExp(`^input\\.matchers\\.${field} `));
    },
  );

  it('given a label row the domain refuses after a blank one, then the problem names that row, with the path sent', () => {
    const problem = matchersProblem(
      draft({
        deviceId: 'd1',
        labels: [
          { key: '', operator: 'EQ', values: '' },
          { key: 'Site', operator: 'EQ', values: 'berlin' },
        ],
      }),
      'input.matchers',
    );

    expect(problem?.field).toBe('labels');
    expect(problem?.row).toBe(1);
    expect(problem?.message).toMatch(/^input\.matchers\.labels\[0\]\.key /);
  });
});

describe('matchersText', () => {
  it('given every matcher, then each reads as a phrase, the rule by its name when known', () => {
    const text = matchersText(
      {
        ruleId: 'r1',
        deviceId: 'boiler-1',
        metric: 'temperature',
        severities: ['WARNING', 'CRITICAL'],
        labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
      },
      (id) => (id === 'r1' ? 'Boiler too hot' : null),
    );

    expect(text).toEqual([
      'rule Boiler too hot',
      'device boiler-1',
      'metric temperature',
      'WARNING or CRITICAL',
      'labels site=berlin',
    ]);
  });

  it('given a rule the page does not know, then it reads by id, and absent matchers say nothing', () => {
    expect(
      matchersText({ ruleId: 'gone', deviceId: null, metric: null, severities: [], labels: null }),
    ).toEqual(['rule gone']);
  });
});
