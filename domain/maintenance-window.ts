import type {
  MaintenanceWindowInput,
  MaintenanceWindow as MaintenanceWindowType,
  Weekday,
  WeeklyPeriod,
} from '../generated/graphql.ts';
import { type AlertMatchers, parseAlertMatchers } from './alert-matchers.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { truncate } from './time.ts';
import { optionalBoolean, optionalLabel } from './validation.ts';

/**
 * A maintenance window: a recurring mute. During its weekly periods, read on the wall clock
 * of its IANA time zone, the alerts its matchers match are held as a silence holds them;
 * `startsOn` and `endsOn` (dates in that zone) bound the days it applies.
 *
 * Daylight-saving changes follow the wall clock: on the night clocks go forward, a period
 * 01:00–05:00 lasts three hours and one that lies wholly in the skipped hour does not happen;
 * on the night they go back, 01:00–05:00 lasts five hours, the repeated hour counting twice.
 */
export type MaintenanceWindow = Omit<
  MaintenanceWindowType,
  '__typename' | 'active' | 'matchers'
> & {
  matchers: AlertMatchers;
};

/** Monday first, as ISO-8601 numbers the days (1–7). */
export const weekdays: readonly Weekday[] = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
];

const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;
const START = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END = /^(([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates a new maintenance window. `at` is the time of creation (AWSDateTime), `now` the
 * same in epoch ms (an `endsOn` already past is refused), `by` the caller creating it.
 */
export function newMaintenanceWindow(
  input: MaintenanceWindowInput,
  id: string,
  now: number,
  by: string,
): MaintenanceWindow {
  const at = new Date(now).toISOString();
  return {
    id,
    ...parseWindow(input, now),
    createdAt: at,
    createdBy: by,
    updatedAt: at,
    updatedBy: by,
  };
}

/** Replaces a window's definition: everything but its id and creation is the input's. */
export function replaceMaintenanceWindow(
  window: MaintenanceWindow,
  input: MaintenanceWindowInput,
  now: number,
  by: string,
): MaintenanceWindow {
  return {
    ...window,
    ...parseWindow(input, now),
    updatedAt: new Date(now).toISOString(),
    updatedBy: by,
  };
}

function parseWindow(input: MaintenanceWindowInput, now: number) {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  const name = optionalLabel(input.name, 'input.name', limits.maxMaintenanceWindowNameLength);
  if (name === null) {
    throw new ValidationError('input.name is required and must not be blank', 'input.name');
  }
  const timeZone = requireTimeZone(input.timeZone, 'input.timeZone');
  const startsOn = optionalDate(input.startsOn, 'input.startsOn');
  const endsOn = optionalDate(input.endsOn, 'input.endsOn');
  if (startsOn !== null && endsOn !== null && endsOn < startsOn) {
    throw new ValidationError(
      `input.endsOn (${endsOn}) must not be before input.startsOn (${startsOn})`,
      'input.endsOn',
    );
  }
  if (endsOn !== null && endsOn < localTime(timeZone, now).date) {
    throw new ValidationError(
      `input.endsOn (${endsOn}) is in the past in ${timeZone}: the window would never mute; leave it out or give a later date`,
      'input.endsOn',
    );
  }
  return {
    name,
    timeZone,
    periods: parsePeriods(input.periods, 'input.periods'),
    startsOn,
    endsOn,
    matchers: parseAlertMatchers(input.matchers, 'input.matchers'),
    notifyResolved: optionalBoolean(input.notifyResolved, 'input.notifyResolved') ?? true,
  };
}

/** An IANA time zone the runtime knows, in its canonical spelling (`europe/berlin` → `Europe/Berlin`). */
export function requireTimeZone(value: unknown, field: string): string {
  const unknown = () =>
    new ValidationError(
      `${field} must be an IANA time zone such as Europe/Berlin, America/New_York or UTC; got '${truncate(String(value))}'`,
      field,
    );
  if (typeof value !== 'string' || !TIME_ZONE_NAME.test(value)) throw unknown();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw unknown();
  }
}

function parsePeriods(input: unknown, field: string): WeeklyPeriod[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new ValidationError(
      `${field} must hold 1 to ${limits.maxWeeklyPeriods} weekly periods { days, start, end }`,
      field,
    );
  }
  if (input.length > limits.maxWeeklyPeriods) {
    throw new ValidationError(
      `${field} may hold at most ${limits.maxWeeklyPeriods} periods; got ${input.length}`,
      field,
    );
  }
  return input.map((period: unknown, index) => parsePeriod(period, `${field}[${index}]`));
}

function parsePeriod(input: unknown, field: string): WeeklyPeriod {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError(`${field} must be an object { days, start, end }`, field);
  }
  const { days, start, end } = input as Record<string, unknown>;
  if (!Array.isArray(days) || days.length === 0) {
    throw new ValidationError(
      `${field}.days must list one or more of ${weekdays.join(', ')}`,
      `${field}.days`,
    );
  }
  const given = days.map((day: unknown, index) => {
    if (typeof day === 'string' && (weekdays as readonly string[]).includes(day)) {
      return day as Weekday;
    }
    throw new ValidationError(
      `${field}.days[${index}] must be one of ${weekdays.join(', ')}; got '${truncate(String(day))}'`,
      `${field}.days[${index}]`,
    );
  });
  return {
    days: weekdays.filter((day) => given.includes(day)),
    start: requireClock(start, START, `${field}.start`, '00:00 to 23:59'),
    end: requireClock(end, END, `${field}.end`, '00:00 to 24:00'),
  };
}

function requireClock(value: unknown, pattern: RegExp, field: string, range: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ValidationError(
      `${field} must be a time of day "HH:MM", 24-hour, from ${range}; got '${truncate(String(value))}'`,
      field,
    );
  }
  return value;
}

function optionalDate(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  const [year, month, day] = (match?.slice(1) ?? []).map(Number);
  const valid =
    year !== undefined &&
    month !== undefined &&
    day !== undefined &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!valid) {
    throw new ValidationError(
      `${field} must be a date "YYYY-MM-DD", such as 2026-05-01; got '${truncate(String(value))}'`,
      field,
    );
  }
  return value as string;
}

/** A wall-clock moment in a time zone: its date, its weekday (0 is Monday) and minute of day. */
export interface LocalTime {
  date: string;
  weekday: number;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The last minute read per time zone: a check at 10,000 mutes formats each zone once a minute. */
const lastRead = new Map<string, { minute: number; local: LocalTime }>();
const SHORT_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The wall clock of `timeZone` at `at` (epoch ms), read with Intl. */
export function localTime(timeZone: string, at: number): LocalTime {
  const minute = Math.floor(at / 60_000);
  const last = lastRead.get(timeZone);
  if (last?.minute === minute) return last.local;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const { type, value } of formatter.formatToParts(at)) parts[type] = value;
  const local = {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: SHORT_DAYS.indexOf(parts.weekday ?? ''),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
  lastRead.set(timeZone, { minute, local });
  return local;
}

/** The calendar day before `date` ("YYYY-MM-DD"). */
function dayBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/**
 * Whether a window mutes at a time, compiled once per window: a period is on from its start
 * on each of its days until its end that day, or, when its end is at or before its start,
 * until its end the next day. A period belongs to the day it starts on, so `startsOn` and
 * `endsOn` bound the days periods start.
 */
export function windowSchedule(
  window: Pick<MaintenanceWindow, 'timeZone' | 'periods' | 'startsOn' | 'endsOn'>,
): (at: number) => boolean {
  const periods = window.periods.map((period) => {
    const start = minutesOf(period.start);
    const end = minutesOf(period.end);
    return {
      days: new Set(period.days.map((day) => weekdays.indexOf(day))),
      start,
      end,
      overnight: end <= start,
    };
  });
  const { timeZone, startsOn, endsOn } = window;
  const applies = (date: string) =>
    (startsOn === null || startsOn === undefined || date >= startsOn) &&
    (endsOn === null || endsOn === undefined || date <= endsOn);
  return (at) => {
    const local = localTime(timeZone, at);
    const yesterday = (local.weekday + 6) % 7;
    for (const period of periods) {
      if (
        period.days.has(local.weekday) &&
        local.minutes >= period.start &&
        (period.overnight || local.minutes < period.end) &&
        applies(local.date)
      ) {
        return true;
      }
      if (
        period.overnight &&
        period.days.has(yesterday) &&
        local.minutes < period.end &&
        applies(dayBefore(local.date))
      ) {
        return true;
      }
    }
    return false;
  };
}

/** The window as the API shows it at `at`: with whether it mutes now. */
export function maintenanceWindowView(
  window: MaintenanceWindow,
  at: number,
): MaintenanceWindow & { active: boolean } {
  return { ...window, active: windowSchedule(window)(at) };
}
