import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import {
  labelList,
  labelPairs,
  type LabelSelector,
  parseLabels,
  parseSelector,
  selects,
} from '../../../domain/labels.ts';
import { limits } from '../../../domain/limits.ts';

/** The ValidationError `run` throws, so a test can check its field and message. */
function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('parseLabels', () => {
  it('given key/value pairs, then they become an object by key', () => {
    expect(
      parseLabels(
        [
          { key: 'site', value: 'berlin' },
          { key: 'model', value: 'b200' },
          { key: 'k8s.zone_a-1', value: '' },
        ],
        'input.labels',
      ),
    ).toEqual({ site: 'berlin', model: 'b200', 'k8s.zone_a-1': '' });
  });

  it('given no labels (null, undefined or empty), then there are none', () => {
    expect(parseLabels(null, 'input.labels')).toEqual({});
    expect(parseLabels(undefined, 'input.labels')).toEqual({});
    expect(parseLabels([], 'input.labels')).toEqual({});
  });

  it('given the most labels allowed, then they are accepted, and one more is refused', () => {
    const many = Array.from({ length: limits.maxLabels }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(Object.keys(parseLabels(many, 'input.labels'))).toHaveLength(32);
    const error = refusal(() =>
      parseLabels([...many, { key: 'one-more', value: 'v' }], 'input.labels'),
    );
    expect(error.field).toBe('input.labels');
    expect(error.message).toContain('at most 32 labels');
  });

  it.each([
    ['', 'input.labels[1].key', 'non-empty'],
    ['Site', 'input.labels[1].key', 'lower-case'],
    ['-site', 'input.labels[1].key', 'starting and ending'],
    ['site.', 'input.labels[1].key', 'starting and ending'],
    ['si te', 'input.labels[1].key', 'lower-case'],
    ['site=x', 'input.labels[1].key', 'lower-case'],
    ['k'.repeat(64), 'input.labels[1].key', 'at most 63'],
    [42, 'input.labels[1].key', 'non-empty string'],
  ])('given the key %j, then it is refused naming %s', (key, field, message) => {
    const error = refusal(() =>
      parseLabels(
        [
          { key: 'ok', value: 'v' },
          { key, value: 'v' },
        ] as never,
        'input.labels',
      ),
    );
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('given the longest key allowed, then it is accepted', () => {
    expect(parseLabels([{ key: 'k'.repeat(63), value: 'v' }], 'input.labels')).toEqual({
      ['k'.repeat(63)]: 'v',
    });
  });

  it.each([
    ['v'.repeat(129), 'at most 128'],
    ['line\nbreak', 'control characters'],
    ['tab\there', 'control characters'],
    ['\u0085', 'control characters'],
    [null, 'must be a string'],
    [7, 'must be a string'],
  ])('given the value %j, then it is refused naming the value', (value, message) => {
    const error = refusal(() => parseLabels([{ key: 'site', value }] as never, 'input.labels'));
    expect(error.field).toBe('input.labels[0].value');
    expect(error.message).toContain(message);
  });

  it('given values with spaces, punctuation and other scripts, then they are kept as they are', () => {
    expect(
      parseLabels(
        [
          { key: 'site', value: 'Berlin Süd, hall 3 = "B"' },
          { key: 'owner', value: 'v'.repeat(128) },
        ],
        'input.labels',
      ),
    ).toEqual({ site: 'Berlin Süd, hall 3 = "B"', owner: 'v'.repeat(128) });
  });

  it('given a key twice, then the second is refused', () => {
    const error = refusal(() =>
      parseLabels(
        [
          { key: 'site', value: 'a' },
          { key: 'model', value: 'b' },
          { key: 'site', value: 'c' },
        ],
        'input.labels',
      ),
    );
    expect(error.field).toBe('input.labels[2].key');
    expect(error.message).toContain("'site' appears more than once");
  });

  it('given something other than a list or a label that is not an object, then it is refused', () => {
    expect(refusal(() => parseLabels('site=a' as never, 'input.labels')).field).toBe(
      'input.labels',
    );
    expect(refusal(() => parseLabels([null] as never, 'input.labels')).field).toBe(
      'input.labels[0]',
    );
  });
});

describe('labelList and labelPairs', () => {
  it('given labels in any order, then the list and the pairs are sorted by key', () => {
    const labels = { site: 'berlin', model: 'b200', area: '' };
    expect(labelList(labels)).toEqual([
      { key: 'area', value: '' },
      { key: 'model', value: 'b200' },
      { key: 'site', value: 'berlin' },
    ]);
    expect(labelPairs(labels)).toEqual(['area=', 'model=b200', 'site=berlin']);
    expect(labelList({})).toEqual([]);
  });
});

describe('parseSelector', () => {
  it('given one matcher of each operator, then each keeps its values, IN and NOT_IN deduplicated', () => {
    expect(
      parseSelector(
        [
          { key: 'site', operator: 'EQ', values: ['berlin'] },
          { key: 'site', operator: 'NEQ', values: ['paris'] },
          { key: 'model', operator: 'IN', values: ['b200', 'b300', 'b200'] },
          { key: 'model', operator: 'NOT_IN', values: ['x1'] },
          { key: 'owner', operator: 'EXISTS' },
          { key: 'retired', operator: 'NOT_EXISTS', values: [] },
          { key: 'spare', operator: 'NOT_EXISTS', values: null },
        ],
        'input.selector',
      ),
    ).toEqual([
      { key: 'site', operator: 'EQ', values: ['berlin'] },
      { key: 'site', operator: 'NEQ', values: ['paris'] },
      { key: 'model', operator: 'IN', values: ['b200', 'b300'] },
      { key: 'model', operator: 'NOT_IN', values: ['x1'] },
      { key: 'owner', operator: 'EXISTS', values: [] },
      { key: 'retired', operator: 'NOT_EXISTS', values: [] },
      { key: 'spare', operator: 'NOT_EXISTS', values: [] },
    ]);
  });

  it.each([
    [null, 'input.selector', '1 to 16'],
    [[], 'input.selector', '1 to 16'],
    ['site=berlin', 'input.selector', '1 to 16'],
    [
      Array.from({ length: 17 }, () => ({ key: 'a', operator: 'EXISTS' })),
      'input.selector',
      'at most 16',
    ],
    [['site'], 'input.selector[0]', 'must be an object'],
    [[{ key: 'Site', operator: 'EXISTS' }], 'input.selector[0].key', 'lower-case'],
    [[{ operator: 'EXISTS' }], 'input.selector[0].key', 'non-empty'],
    [[{ key: 'site', operator: 'LIKE', values: ['b'] }], 'input.selector[0].operator', 'EQ, NEQ'],
    [[{ key: 'site', operator: 'EQ' }], 'input.selector[0].values', 'exactly one value for EQ'],
    [
      [{ key: 'site', operator: 'NEQ', values: ['a', 'b'] }],
      'input.selector[0].values',
      'exactly one value for NEQ',
    ],
    [[{ key: 'site', operator: 'IN', values: [] }], 'input.selector[0].values', '1 to 64'],
    [[{ key: 'site', operator: 'NOT_IN' }], 'input.selector[0].values', '1 to 64'],
    [
      [{ key: 'site', operator: 'IN', values: Array.from({ length: 65 }, (_, i) => `s${i}`) }],
      'input.selector[0].values',
      '1 to 64',
    ],
    [
      [{ key: 'site', operator: 'EXISTS', values: ['berlin'] }],
      'input.selector[0].values',
      'must be empty for EXISTS',
    ],
    [
      [{ key: 'site', operator: 'NOT_EXISTS', values: [''] }],
      'input.selector[0].values',
      'must be empty for NOT_EXISTS',
    ],
    [[{ key: 'site', operator: 'IN', values: 'berlin' }], 'input.selector[0].values', 'a list'],
    [
      [{ key: 'site', operator: 'IN', values: ['ok', 'bad\u0000'] }],
      'input.selector[0].values[1]',
      'control characters',
    ],
    [
      [{ key: 'site', operator: 'EQ', values: ['v'.repeat(129)] }],
      'input.selector[0].values[0]',
      'at most 128',
    ],
  ])('given %j, then it is refused naming %s', (input, field, message) => {
    const error = refusal(() => parseSelector(input, 'input.selector'));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('given a bad matcher after good ones, then the error names its index', () => {
    const error = refusal(() =>
      parseSelector(
        [
          { key: 'site', operator: 'EQ', values: ['berlin'] },
          { key: 'model', operator: 'EQ', values: ['a', 'b'] },
        ],
        'input.selector',
      ),
    );
    expect(error.field).toBe('input.selector[1].values');
  });

  it('given the most matchers and values allowed, then they are accepted', () => {
    const values = Array.from({ length: 64 }, (_, i) => `v${i}`);
    const selector = parseSelector(
      Array.from({ length: 16 }, (_, i) => ({ key: `k${i}`, operator: 'IN', values })),
      'input.selector',
    );
    expect(selector).toHaveLength(16);
    expect(selector[15]?.values).toHaveLength(64);
  });
});

describe('selects', () => {
  const berlin = { site: 'berlin', model: 'b200', empty: '' };
  const unlabelled = {};
  const matcher = (operator: string, key: string, ...values: string[]): LabelSelector =>
    parseSelector([{ key, operator, values }], 's');

  it.each([
    ['EQ site berlin', matcher('EQ', 'site', 'berlin'), true, false],
    ['EQ site paris', matcher('EQ', 'site', 'paris'), false, false],
    ['EQ empty ""', matcher('EQ', 'empty', ''), true, false],
    ['NEQ site paris', matcher('NEQ', 'site', 'paris'), true, true],
    ['NEQ site berlin', matcher('NEQ', 'site', 'berlin'), false, true],
    ['IN model [b100, b200]', matcher('IN', 'model', 'b100', 'b200'), true, false],
    ['IN model [x]', matcher('IN', 'model', 'x'), false, false],
    ['NOT_IN model [b100, b200]', matcher('NOT_IN', 'model', 'b100', 'b200'), false, true],
    ['NOT_IN model [x]', matcher('NOT_IN', 'model', 'x'), true, true],
    ['EXISTS site', matcher('EXISTS', 'site'), true, false],
    ['EXISTS empty', matcher('EXISTS', 'empty'), true, false],
    ['EXISTS owner', matcher('EXISTS', 'owner'), false, false],
    ['NOT_EXISTS owner', matcher('NOT_EXISTS', 'owner'), true, true],
    ['NOT_EXISTS site', matcher('NOT_EXISTS', 'site'), false, true],
  ])(
    'given %s, then it selects the Berlin device: %s, an unlabelled one: %s',
    (_, selector, forBerlin, forUnlabelled) => {
      expect(selects(selector, berlin)).toBe(forBerlin);
      expect(selects(selector, unlabelled)).toBe(forUnlabelled);
    },
  );

  it('given several matchers, then all must hold', () => {
    const selector = parseSelector(
      [
        { key: 'site', operator: 'EQ', values: ['berlin'] },
        { key: 'model', operator: 'IN', values: ['b200', 'b300'] },
      ],
      's',
    );
    expect(selects(selector, berlin)).toBe(true);
    expect(selects(selector, { ...berlin, model: 'x1' })).toBe(false);
    expect(selects(selector, { model: 'b200' })).toBe(false);
  });

  it("given a key that names a property every object inherits, then only the device's own labels count", () => {
    expect(selects(matcher('EXISTS', 'constructor'), {})).toBe(false);
    expect(selects(matcher('NOT_EXISTS', 'tostring'), {})).toBe(true);
    expect(selects(matcher('EXISTS', 'constructor'), { constructor: 'x' })).toBe(true);
  });
});
