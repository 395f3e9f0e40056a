import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import { limits } from '../../../domain/limits.ts';
import {
  type MaintenanceWindow,
  maintenanceWindowView,
  newMaintenanceWindow,
  replaceMaintenanceWindow,
  windowSchedule,
} from '../../../domain/maintenance-window.ts';
import type { MaintenanceWindowInput } from '../../../generated/graphql.ts';

const now = Date.parse('2026-05-01T12:00:00.000Z');
const minute = 60_000;

const input = (overrides: Record<string, unknown> = {}): MaintenanceWindowInput =>
  ({
    name: 'Sunday patching',
    timeZone: 'Europe/Berlin',
    periods: [{ days: ['SUNDAY'], start: '01:00', end: '05:00' }],
    matchers: { metric: 'cpu' },
    ...overrides,
  }) as MaintenanceWindowInput;

const window = (overrides: Record<string, unknown> = {}): MaintenanceWindow =>
  newMaintenanceWindow(input(overrides), 'w1', now, 'ops@example.com');

/** The minutes from `from` to `to` (UTC ISO) during which the window is active. */
function activeMinutes(
  schedule: (at: number) => boolean,
  from: string,
  to: string,
): { total: number; first: string | null; last: string | null } {
  let total = 0;
  let first: string | null = null;
  let last: string | null = null;
  for (let at = Date.parse(from); at < Date.parse(to); at += minute) {
    if (!schedule(at)) continue;
    total += 1;
    first ??= new Date(at).toISOString();
    last = new Date(at).toISOString();
  }
  return { total, first, last };
}

function refusal(overrides: Record<string, unknown>) {
  try {
    window(overrides);
  } catch (error) {
    if (error instanceof ValidationError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('the window was accepted');
}

describe('newMaintenanceWindow', () => {
  it('given a valid window, then it is stored with its defaults, its zone spelled canonically and who made it', () => {
    expect(window({ timeZone: 'europe/berlin' })).toEqual({
      id: 'w1',
      name: 'Sunday patching',
      timeZone: 'Europe/Berlin',
      periods: [{ days: ['SUNDAY'], start: '01:00', end: '05:00' }],
      startsOn: null,
      endsOn: null,
      matchers: { ruleId: null, deviceId: null, metric: 'cpu', severities: null, labels: null },
      notifyResolved: true,
      createdAt: '2026-05-01T12:00:00.000Z',
      createdBy: 'ops@example.com',
      updatedAt: '2026-05-01T12:00:00.000Z',
      updatedBy: 'ops@example.com',
    });
  });

  it('given days in any order and repeated, then they are kept once each, Monday first', () => {
    const { periods } = window({
      periods: [{ days: ['SUNDAY', 'MONDAY', 'SUNDAY'], start: '22:00', end: '24:00' }],
    });
    expect(periods).toEqual([{ days: ['MONDAY', 'SUNDAY'], start: '22:00', end: '24:00' }]);
  });

  it.each([
    ['an unknown time zone', { timeZone: 'Europe/Atlantis' }, 'input.timeZone', /IANA time zone/],
    ['an offset for a time zone', { timeZone: '+01:00' }, 'input.timeZone', /IANA time zone/],
    ['no periods', { periods: [] }, 'input.periods', /1 to 28 weekly periods/],
    [
      'too many periods',
      {
        periods: Array.from({ length: limits.maxWeeklyPeriods + 1 }, () => ({
          days: ['MONDAY'],
          start: '01:00',
          end: '02:00',
        })),
      },
      'input.periods',
      /at most 28/,
    ],
    [
      'empty days',
      { periods: [{ days: [], start: '01:00', end: '02:00' }] },
      'input.periods[0].days',
      /one or more of MONDAY/,
    ],
    [
      'an unknown day',
      { periods: [{ days: ['MONDAY', 'FUNDAY'], start: '01:00', end: '02:00' }] },
      'input.periods[0].days[1]',
      /one of MONDAY/,
    ],
    [
      'an hour past 23',
      { periods: [{ days: ['MONDAY'], start: '25:00', end: '02:00' }] },
      'input.periods[0].start',
      /"HH:MM"/,
    ],
    [
      'an hour of one digit',
      { periods: [{ days: ['MONDAY'], start: '9:00', end: '10:00' }] },
      'input.periods[0].start',
      /"HH:MM"/,
    ],
    [
      'a start of 24:00',
      { periods: [{ days: ['MONDAY'], start: '24:00', end: '02:00' }] },
      'input.periods[0].start',
      /00:00 to 23:59/,
    ],
    [
      'minutes past 59',
      { periods: [{ days: ['MONDAY'], start: '01:00', end: '02:60' }] },
      'input.periods[0].end',
      /"HH:MM"/,
    ],
    [
      'a date range that ends before it starts',
      { startsOn: '2026-06-10', endsOn: '2026-06-01' },
      'input.endsOn',
      /must not be before input\.startsOn/,
    ],
    ['a range that ended', { endsOn: '2026-04-30' }, 'input.endsOn', /in the past/],
    ['an impossible date', { startsOn: '2026-02-30' }, 'input.startsOn', /YYYY-MM-DD/],
    ['a date with a time', { startsOn: '2026-06-01T00:00:00Z' }, 'input.startsOn', /YYYY-MM-DD/],
    ['a blank name', { name: '  ' }, 'input.name', /required/],
    [
      'an overlong name',
      { name: 'n'.repeat(limits.maxMaintenanceWindowNameLength + 1) },
      'input.name',
      /at most 100 characters/,
    ],
    ['matchers on nothing', { matchers: {} }, 'input.matchers', /at least one of/],
  ])('given %s, then it is refused naming the field', (_case, overrides, field, message) => {
    const refused = refusal(overrides);
    expect(refused.field).toBe(field);
    expect(refused.message).toMatch(message);
  });

  it('given an end date of today in the zone, then it is accepted', () => {
    // 2026-05-01T12:00Z is already 2026-05-02 in Pacific/Kiritimati (UTC+14).
    expect(window({ timeZone: 'Pacific/Kiritimati', endsOn: '2026-05-02' }).endsOn).toBe(
      '2026-05-02',
    );
    expect(refusal({ timeZone: 'Pacific/Kiritimati', endsOn: '2026-05-01' }).field).toBe(
      'input.endsOn',
    );
  });

  it('given a change, then everything but the id and creation is replaced, and who changed it recorded', () => {
    const changed = replaceMaintenanceWindow(
      window(),
      input({ name: 'Saturday', notifyResolved: false }),
      now + minute,
      'lead@example.com',
    );
    expect(changed).toMatchObject({
      id: 'w1',
      name: 'Saturday',
      notifyResolved: false,
      createdAt: '2026-05-01T12:00:00.000Z',
      createdBy: 'ops@example.com',
      updatedAt: '2026-05-01T12:01:00.000Z',
      updatedBy: 'lead@example.com',
    });
  });
});

describe('window activity', () => {
  it('given a period in Berlin, then it is active on its local hours, not on UTC ones', () => {
    // Sunday 2026-05-03, CEST (UTC+2): 01:00–05:00 local is 23:00Z (Saturday) to 03:00Z.
    const active = windowSchedule(window());
    expect(activeMinutes(active, '2026-05-02T12:00:00.000Z', '2026-05-04T12:00:00.000Z')).toEqual({
      total: 240,
      first: '2026-05-02T23:00:00.000Z',
      last: '2026-05-03T02:59:00.000Z',
    });
    expect(maintenanceWindowView(window(), Date.parse('2026-05-03T00:30:00Z')).active).toBe(true);
    expect(maintenanceWindowView(window(), Date.parse('2026-05-03T03:00:00Z')).active).toBe(false);
  });

  it.each([
    // Clocks go forward: the period loses the skipped hour.
    [
      'Europe/Berlin',
      'forward',
      '2026-03-28T18:00:00Z',
      180,
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T02:59:00.000Z',
    ],
    [
      'America/New_York',
      'forward',
      '2026-03-07T18:00:00Z',
      180,
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T08:59:00.000Z',
    ],
    // Clocks go back: the repeated hour counts twice.
    [
      'Europe/Berlin',
      'back',
      '2026-10-24T18:00:00Z',
      300,
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T03:59:00.000Z',
    ],
    [
      'America/New_York',
      'back',
      '2026-10-31T18:00:00Z',
      300,
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T09:59:00.000Z',
    ],
  ])(
    'given Sunday 01:00–05:00 in %s on the night clocks go %s, then it runs from 01:00 to 05:00 on the wall clock',
    (timeZone, _direction, from, total, first, last) => {
      const active = windowSchedule(window({ timeZone }));
      const to = new Date(Date.parse(from) + 24 * 3600_000).toISOString();
      expect(activeMinutes(active, from, to)).toEqual({ total, first, last });
    },
  );

  it('given a period wholly in the hour clocks skip, then it does not happen that night', () => {
    const active = windowSchedule(
      window({ periods: [{ days: ['SUNDAY'], start: '02:00', end: '02:30' }] }),
    );
    expect(activeMinutes(active, '2026-03-28T18:00:00Z', '2026-03-29T18:00:00Z').total).toBe(0);
  });

  it('given a period in the hour clocks repeat, then it is active both times', () => {
    const active = windowSchedule(
      window({ periods: [{ days: ['SUNDAY'], start: '02:00', end: '03:00' }] }),
    );
    expect(activeMinutes(active, '2026-10-24T18:00:00Z', '2026-10-25T18:00:00Z')).toEqual({
      total: 120,
      first: '2026-10-25T00:00:00.000Z',
      last: '2026-10-25T01:59:00.000Z',
    });
  });

  it('given a Monday morning period, then it keeps its local hour across the change', () => {
    const active = windowSchedule(
      window({ periods: [{ days: ['MONDAY'], start: '09:00', end: '10:00' }] }),
    );
    expect(activeMinutes(active, '2026-03-23T00:00:00Z', '2026-03-24T00:00:00Z').first).toBe(
      '2026-03-23T08:00:00.000Z',
    );
    expect(activeMinutes(active, '2026-03-30T00:00:00Z', '2026-03-31T00:00:00Z').first).toBe(
      '2026-03-30T07:00:00.000Z',
    );
  });

  it('given a period that ends before it starts, then it runs past midnight into the next day', () => {
    const active = windowSchedule(
      window({ timeZone: 'UTC', periods: [{ days: ['FRIDAY'], start: '22:00', end: '06:00' }] }),
    );
    // Friday 2026-05-01 to Sunday 2026-05-03.
    expect(activeMinutes(active, '2026-05-01T00:00:00Z', '2026-05-03T00:00:00Z')).toEqual({
      total: 8 * 60,
      first: '2026-05-01T22:00:00.000Z',
      last: '2026-05-02T05:59:00.000Z',
    });
  });

  it('given an end of 24:00, then the period runs to midnight', () => {
    const active = windowSchedule(
      window({ timeZone: 'UTC', periods: [{ days: ['SUNDAY'], start: '20:00', end: '24:00' }] }),
    );
    expect(activeMinutes(active, '2026-05-03T00:00:00Z', '2026-05-05T00:00:00Z')).toEqual({
      total: 240,
      first: '2026-05-03T20:00:00.000Z',
      last: '2026-05-03T23:59:00.000Z',
    });
  });

  it('given an end equal to the start, then the period lasts a whole day', () => {
    const active = windowSchedule(
      window({ timeZone: 'UTC', periods: [{ days: ['MONDAY'], start: '06:00', end: '06:00' }] }),
    );
    expect(activeMinutes(active, '2026-05-03T00:00:00Z', '2026-05-06T00:00:00Z')).toEqual({
      total: 24 * 60,
      first: '2026-05-04T06:00:00.000Z',
      last: '2026-05-05T05:59:00.000Z',
    });
  });

  it('given a date range, then only periods starting on its days apply, a night period ending the morning after its last day', () => {
    const active = windowSchedule(
      window({
        timeZone: 'UTC',
        periods: [
          {
            days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'],
            start: '22:00',
            end: '02:00',
          },
        ],
        startsOn: '2026-05-05',
        endsOn: '2026-05-06',
      }),
    );
    // The night of the 4th (before the range) is out, even its part on the 5th.
    expect(activeMinutes(active, '2026-05-04T00:00:00Z', '2026-05-09T00:00:00Z')).toEqual({
      total: 2 * 4 * 60,
      first: '2026-05-05T22:00:00.000Z',
      last: '2026-05-07T01:59:00.000Z',
    });
  });
});
