import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SilenceDraft } from '../../../../console/src/silence-draft.ts';
import {
  createSilenceInput,
  deviceSilenceDraft,
  emptySilenceDraft,
  ruleSilenceDraft,
  silenceProblem,
} from '../../../../console/src/silence-draft.ts';

const zoneBefore = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  process.env.TZ = zoneBefore;
});

const now = Date.parse('2026-12-05T13:30:00Z'); // 14:30 in Berlin
const HOUR = 3_600_000;

/** A draft that passes: device d1, a comment, two hours from now. */
function draft(changes: Partial<SilenceDraft> = {}): SilenceDraft {
  return {
    ...deviceSilenceDraft({ deviceId: 'd1' }),
    comment: 'Replacing the sensor',
    ...changes,
  };
}

describe('the drafts an alert prefills', () => {
  it('given "Silence this device for 2 h", then the silence names the device only and ends two hours from now, starting now', () => {
    // Act
    const input = createSilenceInput(
      { ...deviceSilenceDraft({ deviceId: 'boiler-1' }), comment: ' Boiler serviced ' },
      now,
    );

    // Assess
    expect(input).toEqual({
      matchers: { deviceId: 'boiler-1' },
      endsAt: new Date(now + 2 * HOUR).toISOString(),
      comment: 'Boiler serviced',
      notifyResolved: true,
    });
  });

  it('given "Silence this rule everywhere until …", then the silence names the rule only and ends at 09:00 next morning, local time', () => {
    const prefilled = ruleSilenceDraft({ ruleId: 'r-hot' }, now);

    const input = createSilenceInput({ ...prefilled, comment: 'Known, fixed tomorrow' }, now);

    expect(prefilled.ends).toBe('until');
    expect(prefilled.endsAt).toBe('2026-12-06T09:00');
    expect(input.matchers).toEqual({ ruleId: 'r-hot' });
    expect(input.endsAt).toBe('2026-12-06T08:00:00.000Z');
  });

  it('given a prefilled draft, then the only thing missing is the comment', () => {
    expect(silenceProblem(deviceSilenceDraft({ deviceId: 'd1' }), now)).toEqual({
      field: 'comment',
      message:
        'input.comment is required: say why the alerts are silenced (a change, an incident, a ticket)',
    });
    expect(silenceProblem(ruleSilenceDraft({ ruleId: 'r1' }, now), now)?.field).toBe('comment');
  });
});

describe('createSilenceInput', () => {
  it('given a start and a duration, then the start is sent and the end is the start plus the duration', () => {
    const input = createSilenceInput(
      draft({ startsAt: '2026-12-05T22:00', duration: '8h', notifyResolved: false }),
      now,
    );

    expect(input.startsAt).toBe('2026-12-05T21:00:00.000Z');
    expect(input.endsAt).toBe('2026-12-06T05:00:00.000Z');
    expect(input.notifyResolved).toBe(false);
  });

  it('given an end time typed, then it is sent in UTC whatever the duration chosen before', () => {
    const input = createSilenceInput(
      draft({ ends: 'until', duration: '1w', endsAt: '2026-12-05T18:00' }),
      now,
    );

    expect(input.endsAt).toBe('2026-12-05T17:00:00.000Z');
    expect(input).not.toHaveProperty('startsAt');
  });
});

describe('silenceProblem', () => {
  it('given a complete draft, then there is none', () => {
    expect(silenceProblem(draft(), now)).toBeNull();
  });

  it.each<[string, Partial<SilenceDraft>, string, string]>([
    [
      'no matcher',
      { matchers: emptySilenceDraft().matchers },
      'matchers',
      'input.matchers must set at least one of ruleId, deviceId, metric, severities, labels: a mute of every alert is not allowed',
    ],
    [
      'a start that is no time',
      { startsAt: '2026-02-30T10:00' },
      'startsAt',
      'input.startsAt must be a date and time, or blank for now; got 2026-02-30T10:00',
    ],
    [
      'no end time',
      { ends: 'until', endsAt: '' },
      'endsAt',
      'input.endsAt is required: give the time the silence ends',
    ],
    [
      'an end before the start',
      { startsAt: '2026-12-06T10:00', ends: 'until', endsAt: '2026-12-06T09:00' },
      'endsAt',
      'input.endsAt (2026-12-06T08:00:00.000Z) must be after input.startsAt (2026-12-06T09:00:00.000Z)',
    ],
    [
      'an end equal to the start',
      { startsAt: '2026-12-06T10:00', ends: 'until', endsAt: '2026-12-06T10:00' },
      'endsAt',
      'input.endsAt (2026-12-06T09:00:00.000Z) must be after input.startsAt (2026-12-06T09:00:00.000Z)',
    ],
    [
      'a start long past, its duration over',
      { startsAt: '2026-12-01T10:00', duration: '1h' },
      'endsAt',
      'input.endsAt (2026-12-01T10:00:00.000Z) is in the past: a silence must end in the future',
    ],
    [
      'an end more than a year ahead',
      { ends: 'until', endsAt: '2028-01-01T00:00' },
      'endsAt',
      'input.endsAt may be at most 366 days ahead (2027-12-06T13:30:00.000Z); for a recurring mute, create a maintenance window',
    ],
    [
      'a comment of spaces',
      { comment: '   ' },
      'comment',
      'input.comment is required: say why the alerts are silenced (a change, an incident, a ticket)',
    ],
    [
      'an overlong comment',
      { comment: 'x'.repeat(1001) },
      'comment',
      'input.comment must be at most 1000 characters; got 1001',
    ],
    [
      'a device id the API refuses',
      { matchers: { ...emptySilenceDraft().matchers, deviceId: 'boiler#1' } },
      'deviceId',
      "input.matchers.deviceId may contain only letters, digits and . _ : @ / - ; got 'boiler#1'",
    ],
  ])(
    "given %s, then the form names the field with the API's message",
    (_case, changes, field, message) => {
      expect(silenceProblem(draft(changes), now)).toEqual({ field, message });
    },
  );

  it('given an end already past with the start left blank, then the end is refused', () => {
    const problem = silenceProblem(draft({ ends: 'until', endsAt: '2026-12-05T14:00' }), now);

    expect(problem?.field).toBe('endsAt');
    expect(problem?.message).toMatch(/^input\.endsAt \(2026-12-05T13:00:00\.000Z\) must be after/);
  });

  it('given a label row the domain refuses, then the problem names the labels and the row', () => {
    const problem = silenceProblem(
      draft({
        matchers: {
          ...draft().matchers,
          labels: [{ key: 'site', operator: 'IN', values: ' , ' }],
        },
      }),
      now,
    );

    expect(problem?.field).toBe('labels');
    expect(problem?.row).toBe(0);
    expect(problem?.message).toMatch(/^input\.matchers\.labels\[0\]/);
  });
});
