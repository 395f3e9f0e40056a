import { describe, expect, it } from 'vitest';
import { deviceChange } from '../../../../console/src/device-draft.ts';
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

describe('deviceChange', () => {
  it('given a name and label lines, then the input names the device and replaces its labels', () => {
    expect(deviceChange(' Press one ', 'site=berlin\n\nline = 3\n')).toEqual({
      input: {
        name: 'Press one',
        labels: [
          { key: 'site', value: 'berlin' },
          { key: 'line', value: '3' },
        ],
      },
      problem: null,
    });
  });

  it('given a blank name and no lines, then the name is cleared and the labels emptied', () => {
    expect(deviceChange('  ', '\n')).toEqual({ input: { name: null, labels: [] }, problem: null });
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
    'given %s, then the labels are at fault with the domain’s own message, naming the label as the API would',
    (_case, text, labels) => {
      const { problem } = deviceChange('', text);

      expect(problem).toEqual({ field: 'labels', message: domainRefusal(labels) });
      expect(problem?.message).toMatch(/^input\.labels/);
    },
  );

  it('given 33 labels, then the domain’s limit message', () => {
    const text = Array.from({ length: 33 }, (_, i) => `k${i}=v`).join('\n');

    expect(deviceChange('', text).problem).toEqual({
      field: 'labels',
      message: 'input.labels may hold at most 32 labels; got 33',
    });
  });

  it('given a line without =, then that line is named before anything else is checked', () => {
    expect(deviceChange('x'.repeat(200), 'Site=berlin\nboiler').problem).toEqual({
      field: 'labels',
      message: 'Line 2: write each label as key=value; got boiler',
    });
  });

  it('given a name longer than the API takes, then the name is at fault', () => {
    const { problem } = deviceChange('x'.repeat(101), 'site=berlin');

    expect(problem?.field).toBe('name');
    expect(problem?.message).toMatch(/^input\.name /);
  });
});
