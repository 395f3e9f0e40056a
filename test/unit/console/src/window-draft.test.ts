import { describe, expect, it } from 'vitest';
import type { MaintenanceWindowFieldsFragment } from '../../../../generated/console-operations.ts';
import type { WindowDraft } from '../../../../console/src/window-draft.ts';
import {
  daysText,
  emptyWindowDraft,
  periodText,
  windowDraftOf,
  windowInput,
  windowProblem,
} from '../../../../console/src/window-draft.ts';

const now = Date.parse('2026-12-05T13:30:00Z');

/** A draft that passes: weeknights in Berlin for the site's devices. */
function draft(changes: Partial<WindowDraft> = {}): WindowDraft {
  return {
    ...emptyWindowDraft('Europe/Berlin'),
    name: 'Nightly backup',
    periods: [{ days: ['FRIDAY', 'MONDAY'], start: '22:00', end: '06:00' }],
    matchers: {
      ruleId: '',
      deviceId: '',
      metric: '',
      severities: [],
      labels: [{ key: 'site', operator: 'EQ', values: 'berlin' }],
    },
    ...changes,
  };
}

describe('windowInput', () => {
  it('given a draft, then everything is sent, trimmed, days in the week order, blank dates as null', () => {
    expect(windowInput(draft({ name: ' Nightly backup ' }))).toEqual({
      name: 'Nightly backup',
      timeZone: 'Europe/Berlin',
      periods: [{ days: ['MONDAY', 'FRIDAY'], start: '22:00', end: '06:00' }],
      startsOn: null,
      endsOn: null,
      matchers: { labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }] },
      notifyResolved: true,
    });
  });

  it('given a window as the API lists it, when drafted for editing and saved unchanged, then the same window is sent', () => {
    const listed: MaintenanceWindowFieldsFragment = {
      id: 'w1',
      name: 'Weekend works',
      timeZone: 'America/New_York',
      periods: [{ days: ['SATURDAY', 'SUNDAY'], start: '00:00', end: '24:00' }],
      startsOn: '2026-12-01',
      endsOn: '2026-12-31',
      matchers: { ruleId: null, deviceId: 'pump-3', metric: null, severities: null, labels: null },
      notifyResolved: false,
      active: false,
      createdAt: '2026-11-30T10:00:00.000Z',
      createdBy: 'ops@example.com',
      updatedAt: '2026-11-30T10:00:00.000Z',
      updatedBy: null,
    };

    expect(windowInput(windowDraftOf(listed))).toEqual({
      name: 'Weekend works',
      timeZone: 'America/New_York',
      periods: [{ days: ['SATURDAY', 'SUNDAY'], start: '00:00', end: '24:00' }],
      startsOn: '2026-12-01',
      endsOn: '2026-12-31',
      matchers: { deviceId: 'pump-3' },
      notifyResolved: false,
    });
  });
});

describe('windowProblem', () => {
  it('given a complete draft, then there is none; nor with 24:00 as an end, or one day as the whole range', () => {
    expect(windowProblem(draft(), now)).toBeNull();
    expect(
      windowProblem(
        draft({
          periods: [{ days: ['SUNDAY'], start: '00:00', end: '24:00' }],
          startsOn: '2026-12-24',
          endsOn: '2026-12-24',
        }),
        now,
      ),
    ).toBeNull();
  });

  it.each<[string, Partial<WindowDraft>, Record<string, unknown>]>([
    [
      'no name',
      { name: '  ' },
      { field: 'name', message: 'input.name is required and must be a non-empty string' },
    ],
    [
      'an unknown time zone',
      { timeZone: 'Mars/Olympus_Mons' },
      {
        field: 'timeZone',
        message:
          "input.timeZone must be an IANA time zone such as Europe/Berlin, America/New_York or UTC; got 'Mars/Olympus_Mons'",
      },
    ],
    [
      'no period',
      { periods: [] },
      {
        field: 'periods',
        row: null,
        message: 'input.periods must hold 1 to 28 weekly periods { days, start, end }',
      },
    ],
    [
      'a second period without days',
      {
        periods: [
          { days: ['MONDAY'], start: '01:00', end: '02:00' },
          { days: [], start: '01:00', end: '02:00' },
        ],
      },
      {
        field: 'periods',
        row: 1,
        part: 'days',
        message:
          'input.periods[1].days must list one or more of MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY',
      },
    ],
    [
      'a start without its leading zero',
      { periods: [{ days: ['MONDAY'], start: '9:00', end: '10:00' }] },
      {
        field: 'periods',
        row: 0,
        part: 'start',
        message:
          'input.periods[0].start must be a time of day "HH:MM", 24-hour, from 00:00 to 23:59; got \'9:00\'',
      },
    ],
    [
      'an end past 24:00',
      { periods: [{ days: ['MONDAY'], start: '22:00', end: '24:30' }] },
      {
        field: 'periods',
        row: 0,
        part: 'end',
        message:
          'input.periods[0].end must be a time of day "HH:MM", 24-hour, from 00:00 to 24:00; got \'24:30\'',
      },
    ],
    [
      'a first day that does not exist',
      { startsOn: '2026-02-30' },
      {
        field: 'startsOn',
        message:
          'input.startsOn must be a date "YYYY-MM-DD", such as 2026-05-01; got \'2026-02-30\'',
      },
    ],
    [
      'a last day before the first',
      { startsOn: '2026-12-24', endsOn: '2026-12-23' },
      {
        field: 'endsOn',
        message: 'input.endsOn (2026-12-23) must not be before input.startsOn (2026-12-24)',
      },
    ],
    [
      'a last day already past',
      { endsOn: '2026-12-01' },
      {
        field: 'endsOn',
        message:
          'input.endsOn (2026-12-01) is in the past in Europe/Berlin: the window would never mute; leave it out or give a later date',
      },
    ],
    [
      'no matcher',
      { matchers: emptyWindowDraft('UTC').matchers },
      {
        field: 'matchers',
        message:
          'input.matchers must set at least one of ruleId, deviceId, metric, severities, labels: a mute of every alert is not allowed',
      },
    ],
    [
      'a label row the API refuses',
      {
        matchers: {
          ...emptyWindowDraft('UTC').matchers,
          labels: [{ key: 'Site', operator: 'EQ', values: 'berlin' }],
        },
      },
      {
        field: 'labels',
        row: 0,
        message: expect.stringMatching(/^input\.matchers\.labels\[0\]\.key /),
      },
    ],
  ])(
    "given %s, then the form names the field with the API's message",
    (_case, changes, expected) => {
      expect(windowProblem(draft(changes), now)).toEqual(expected);
    },
  );
});

describe('daysText and periodText', () => {
  it.each<[string[], string]>([
    [['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], 'Mon–Fri'],
    [['SUNDAY', 'SATURDAY'], 'Sat, Sun'],
    [['MONDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], 'Mon, Wed–Fri'],
    [['MONDAY', 'TUESDAY'], 'Mon, Tue'],
    [['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'], 'every day'],
  ])('given %j, then it reads %s', (days, text) => {
    expect(daysText(days as WindowDraft['periods'][number]['days'])).toBe(text);
  });

  it('given a period ending at or before its start, then it says it runs into the next day; 24:00 does not', () => {
    expect(periodText({ days: ['FRIDAY'], start: '22:00', end: '06:00' })).toBe(
      'Fri 22:00–06:00 (into the next day)',
    );
    expect(periodText({ days: ['FRIDAY'], start: '22:00', end: '22:00' })).toBe(
      'Fri 22:00–22:00 (into the next day)',
    );
    expect(periodText({ days: ['SATURDAY'], start: '08:00', end: '24:00' })).toBe(
      'Sat 08:00–24:00',
    );
  });
});
