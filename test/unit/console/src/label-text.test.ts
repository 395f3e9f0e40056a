import { describe, expect, it } from 'vitest';
import {
  labelLines,
  labelRecord,
  labelsProblem,
  labelsText,
  matcherText,
  selectorText,
} from '../../../../console/src/label-text.ts';
import { ValidationError } from '../../../../domain/errors.ts';
import { parseLabels } from '../../../../domain/labels.ts';
import type { LabelInput } from '../../../../generated/graphql.ts';

/** The message the domain itself gives for these labels. */
function domainRefusal(labels: LabelInput[]): string {
  try {
    parseLabels(labels, 'input.labels');
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error(`the domain accepted ${JSON.stringify(labels)}`);
}

describe('labelsText', () => {
  it('given labels in any order, then one key=value line each, sorted by key', () => {
    expect(
      labelsText([
        { key: 'site', value: 'berlin' },
        { key: 'model', value: 'b200' },
        { key: 'note', value: '' },
      ]),
    ).toBe('model=b200\nnote=\nsite=berlin');
  });

  it('given no labels, then an empty text', () => {
    expect(labelsText([])).toBe('');
  });
});

describe('labelLines', () => {
  it('given lines with spaces, blank lines and a value holding =, then each label is split at its first =', () => {
    expect(labelLines(' site = berlin \n\n  model=b200\r\nurl=a=b\nempty=\n')).toEqual({
      labels: [
        { key: 'site', value: 'berlin' },
        { key: 'model', value: 'b200' },
        { key: 'url', value: 'a=b' },
        { key: 'empty', value: '' },
      ],
      problem: null,
    });
  });

  it('given a line without =, then the line is named and quoted', () => {
    expect(labelLines('site=berlin\n\nboiler')).toEqual({
      labels: null,
      problem: 'Line 3: write each label as key=value; got boiler',
    });
  });

  it('given an empty text, then no labels, which clears them', () => {
    expect(labelLines('  \n')).toEqual({ labels: [], problem: null });
  });
});

describe('labelsProblem', () => {
  it('given good labels, then no problem', () => {
    expect(labelsProblem('site=berlin\nmodel=b200')).toBeNull();
  });

  it.each<[string, string, LabelInput[]]>([
    [
      'an upper-case key',
      'site=berlin\nModel=b200',
      [
        { key: 'site', value: 'berlin' },
        { key: 'Model', value: 'b200' },
      ],
    ],
    [
      'a key given twice',
      'site=berlin\nsite=paris',
      [
        { key: 'site', value: 'berlin' },
        { key: 'site', value: 'paris' },
      ],
    ],
    ['an empty key', '=berlin', [{ key: '', value: 'berlin' }]],
    ['a value too long', `site=${'x'.repeat(129)}`, [{ key: 'site', value: 'x'.repeat(129) }]],
  ])(
    'given %s, then the domain’s own message, naming the label as the API would',
    (_case, text, labels) => {
      expect(labelsProblem(text)).toBe(domainRefusal(labels));
      expect(labelsProblem(text)).toMatch(/^input\.labels/);
    },
  );

  it('given 33 labels, then the domain’s limit message', () => {
    const text = Array.from({ length: 33 }, (_, i) => `k${i}=v`).join('\n');

    expect(labelsProblem(text)).toBe('input.labels may hold at most 32 labels; got 33');
  });

  it('given a line without =, then that line is named before anything else is checked', () => {
    expect(labelsProblem('Site=berlin\nboiler')).toBe(
      'Line 2: write each label as key=value; got boiler',
    );
  });
});

describe('labelRecord', () => {
  it('given the API’s list, then the labels by key', () => {
    expect(labelRecord([{ key: 'site', value: 'berlin' }])).toEqual({ site: 'berlin' });
  });
});

describe('selectorText', () => {
  it('given each operator, then it reads as a Kubernetes selector does', () => {
    expect(matcherText({ key: 'site', operator: 'EQ', values: ['berlin'] })).toBe('site=berlin');
    expect(matcherText({ key: 'site', operator: 'NEQ', values: ['berlin'] })).toBe('site!=berlin');
    expect(matcherText({ key: 'model', operator: 'IN', values: ['b200', 'b300'] })).toBe(
      'model in (b200, b300)',
    );
    expect(matcherText({ key: 'model', operator: 'NOT_IN', values: ['b100'] })).toBe(
      'model notin (b100)',
    );
    expect(matcherText({ key: 'site', operator: 'EXISTS', values: [] })).toBe('site');
    expect(matcherText({ key: 'retired', operator: 'NOT_EXISTS', values: [] })).toBe('!retired');
  });

  it('given several matchers, then they are joined by commas in their order', () => {
    expect(
      selectorText([
        { key: 'site', operator: 'EQ', values: ['berlin'] },
        { key: 'model', operator: 'IN', values: ['b200', 'b300'] },
      ]),
    ).toBe('site=berlin, model in (b200, b300)');
  });
});
