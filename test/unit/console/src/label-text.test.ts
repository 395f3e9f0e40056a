import { describe, expect, it } from 'vitest';
import {
  labelLines,
  labelRecord,
  labelsText,
  matcherText,
  selectorText,
} from '../../../../console/src/label-text.ts';

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
