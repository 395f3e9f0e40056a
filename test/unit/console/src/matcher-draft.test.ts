import { describe, expect, it } from 'vitest';
import type { MatcherRow } from '../../../../console/src/matcher-draft.ts';
import {
  deviceFilter,
  filterProblem,
  matcherInputs,
  matcherRowsOf,
  takesValues,
} from '../../../../console/src/matcher-draft.ts';
import { parseSelector, selects } from '../../../../domain/labels.ts';

const row = (key: string, operator: MatcherRow['operator'], values = ''): MatcherRow => ({
  key,
  operator,
  values,
});

describe('matcherInputs', () => {
  it('given rows as typed, then keys are trimmed, values split at commas and trimmed, blanks dropped', () => {
    expect(
      matcherInputs([
        row(' site ', 'EQ', ' berlin '),
        row('', 'EQ', '  '),
        row('model', 'NOT_IN', 'b100, ,b101,'),
      ]),
    ).toEqual([
      { key: 'site', operator: 'EQ', values: ['berlin'] },
      { key: 'model', operator: 'NOT_IN', values: ['b100', 'b101'] },
    ]);
  });

  it('given EXISTS or NOT_EXISTS with values left from another operator, then no values are sent', () => {
    expect(matcherInputs([row('site', 'EXISTS', 'berlin'), row('x', 'NOT_EXISTS', 'y')])).toEqual([
      { key: 'site', operator: 'EXISTS', values: [] },
      { key: 'x', operator: 'NOT_EXISTS', values: [] },
    ]);
    expect(takesValues('EXISTS')).toBe(false);
    expect(takesValues('IN')).toBe(true);
  });

  it('given a selector’s rows written back, then the selector is the same', () => {
    const selector = parseSelector(
      [
        { key: 'site', operator: 'EQ', values: ['berlin'] },
        { key: 'model', operator: 'IN', values: ['b200', 'b300'] },
        { key: 'retired', operator: 'NOT_EXISTS' },
      ],
      'selector',
    );

    expect(matcherInputs(matcherRowsOf(selector))).toEqual(selector);
  });
});

describe('deviceFilter', () => {
  it('given a search and matchers, then both are sent, the search trimmed', () => {
    expect(deviceFilter('  boiler ', [row('site', 'EQ', 'berlin')])).toEqual({
      search: 'boiler',
      labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
    });
  });

  it('given a blank search and only blank rows, then the filter is empty: every device', () => {
    expect(deviceFilter('  ', [row('', 'IN', '')])).toEqual({});
  });

  it('given a filter of typed rows, then it selects what the domain’s selects would for the same matchers', () => {
    const filter = deviceFilter('', [
      row('site', 'EQ', 'berlin'),
      row('model', 'IN', 'b200, b300'),
    ]);
    const selector = parseSelector(filter.labels, 'filter.labels');

    expect(selects(selector, { site: 'berlin', model: 'b300' })).toBe(true);
    expect(selects(selector, { site: 'berlin', model: 'b100' })).toBe(false);
  });
});

describe('filterProblem', () => {
  it('given no matcher, or good ones, then no problem', () => {
    expect(filterProblem('', [])).toBeNull();
    expect(filterProblem('', [row('', 'EQ', '')])).toBeNull();
    expect(filterProblem('boiler', [row('site', 'IN', 'berlin, paris')])).toBeNull();
  });

  it('given a bad row after a blank one, then that row is at fault with the domain’s message', () => {
    const problem = filterProblem('', [
      row('', 'EQ', ''),
      row('site', 'EQ', 'berlin'),
      row('Site', 'EQ', 'paris'),
    ]);

    expect(problem?.field).toBe('labels');
    expect(problem?.row).toBe(2);
    expect(problem?.message).toMatch(/^filter\.labels\[1\]\.key may contain only lower-case/);
  });

  it('given IN with no value, then the row is at fault', () => {
    expect(filterProblem('', [row('model', 'IN', ' , ')])).toEqual({
      field: 'labels',
      row: 0,
      message: 'filter.labels[0].values must hold 1 to 64 values for IN; got 0',
    });
  });

  it('given 17 matchers, then the filter as a whole is at fault', () => {
    const problem = filterProblem(
      '',
      Array.from({ length: 17 }, (_, i) => row(`k${i}`, 'EXISTS')),
    );

    expect(problem).toEqual({
      field: 'labels',
      row: null,
      message: 'filter.labels may hold at most 16 matchers; got 17',
    });
  });

  it('given a search longer than the API takes, then the search is at fault with the domain’s message', () => {
    const problem = filterProblem('x'.repeat(129), []);

    expect(problem?.field).toBe('search');
    expect(problem?.row).toBeNull();
    expect(problem?.message).toMatch(/^filter\.search /);
  });
});
