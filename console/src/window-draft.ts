/**
 * A maintenance window as typed into the form (a name, an IANA time zone, weekly periods of
 * days and local times, optional dates, the matchers) and the API input built from it, with
 * the periods in words for the list. The draft is checked before it is sent, with messages
 * naming the input's field as the API's do; the API checks again and has the last word.
 */
import type {
  MaintenanceWindowFieldsFragment,
  MaintenanceWindowInput,
  Weekday,
} from '../../generated/console-operations.ts';
import type { MatchersDraft, MatchersField } from './alert-matchers-draft.ts';
import {
  emptyMatchers,
  matchersDraftOf,
  matchersInput,
  matchersProblem,
} from './alert-matchers-draft.ts';

/** The week as the form lists it, Monday first, with the short names the list uses. */
export const weekdays: readonly { day: Weekday; short: string; name: string }[] = [
  { day: 'MONDAY', short: 'Mon', name: 'Monday' },
  { day: 'TUESDAY', short: 'Tue', name: 'Tuesday' },
  { day: 'WEDNESDAY', short: 'Wed', name: 'Wednesday' },
  { day: 'THURSDAY', short: 'Thu', name: 'Thursday' },
  { day: 'FRIDAY', short: 'Fri', name: 'Friday' },
  { day: 'SATURDAY', short: 'Sat', name: 'Saturday' },
  { day: 'SUNDAY', short: 'Sun', name: 'Sunday' },
];

export interface PeriodDraft {
  days: Weekday[];
  /** `HH:MM`, local to the window's time zone. */
  start: string;
  /** `HH:MM`; `24:00` is the end of the day; at or before the start, it runs past midnight. */
  end: string;
}

export interface WindowDraft {
  name: string;
  timeZone: string;
  periods: PeriodDraft[];
  /** `YYYY-MM-DD` (a date input's value), or blank for no first day. */
  startsOn: string;
  /** `YYYY-MM-DD`, or blank for no last day. */
  endsOn: string;
  matchers: MatchersDraft;
  notifyResolved: boolean;
}

export type WindowField =
  'name' | 'timeZone' | 'periods' | 'startsOn' | 'endsOn' | 'matchers' | MatchersField;

export interface WindowProblem {
  field: WindowField;
  /** For a period, the period at fault and which of its parts; for the labels, the row. */
  row?: number | null;
  part?: 'days' | 'start' | 'end';
  message: string;
}

export function emptyPeriod(): PeriodDraft {
  return { days: [], start: '', end: '' };
}

/** A new window in the browser's time zone, with one period to fill in. */
export function emptyWindowDraft(timeZone: string): WindowDraft {
  return {
    name: '',
    timeZone,
    periods: [emptyPeriod()],
    startsOn: '',
    endsOn: '',
    matchers: emptyMatchers(),
    notifyResolved: true,
  };
}

export function windowDraftOf(window: MaintenanceWindowFieldsFragment): WindowDraft {
  return {
    name: window.name,
    timeZone: window.timeZone,
    periods: window.periods.map(({ days, start, end }) => ({ days: [...days], start, end })),
    startsOn: window.startsOn ?? '',
    endsOn: window.endsOn ?? '',
    matchers: matchersDraftOf(window.matchers),
    notifyResolved: window.notifyResolved,
  };
}

/**
 * The API input: every field sent (an update replaces the window), blank dates as null,
 * days in the week's order.
 */
export function windowInput(draft: WindowDraft): MaintenanceWindowInput {
  return {
    name: draft.name.trim(),
    timeZone: draft.timeZone.trim(),
    periods: draft.periods.map(({ days, start, end }) => ({
      days: weekdays.map(({ day }) => day).filter((day) => days.includes(day)),
      start: start.trim(),
      end: end.trim(),
    })),
    startsOn: draft.startsOn.trim() || null,
    endsOn: draft.endsOn.trim() || null,
    matchers: matchersInput(draft.matchers),
    notifyResolved: draft.notifyResolved,
  };
}

/** Whether the runtime knows this IANA time zone. */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name.trim() });
    return true;
  } catch {
    return false;
  }
}

const startPattern = /^([01]\d|2[0-3]):[0-5]\d$/;
const endPattern = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function isDate(text: string): boolean {
  if (!datePattern.test(text)) return false;
  const at = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(text);
}

/** What the API would refuse in this draft, and where; null when it is fine. */
export function windowProblem(draft: WindowDraft): WindowProblem | null {
  const input = windowInput(draft);
  if (input.name === '') {
    return { field: 'name', message: 'input.name is required: name the window' };
  }
  if (!isTimeZone(input.timeZone)) {
    return {
      field: 'timeZone',
      message: `input.timeZone must be an IANA time zone such as Europe/Berlin; got ${input.timeZone}`,
    };
  }
  if (input.periods.length === 0) {
    return { field: 'periods', message: 'input.periods must hold at least one weekly period' };
  }
  for (const [row, period] of input.periods.entries()) {
    const at = `input.periods[${row}]`;
    if (period.days.length === 0) {
      return {
        field: 'periods',
        row,
        part: 'days',
        message: `${at}.days must name at least one day`,
      };
    }
    if (!startPattern.test(period.start)) {
      return {
        field: 'periods',
        row,
        part: 'start',
        message: `${at}.start must be a time as HH:MM, from 00:00 to 23:59; got ${period.start}`,
      };
    }
    if (!endPattern.test(period.end)) {
      return {
        field: 'periods',
        row,
        part: 'end',
        message: `${at}.end must be a time as HH:MM, from 00:00 to 24:00; got ${period.end}`,
      };
    }
  }
  for (const field of ['startsOn', 'endsOn'] as const) {
    const value = input[field];
    if (value && !isDate(value)) {
      return { field, message: `input.${field} must be a date as YYYY-MM-DD; got ${value}` };
    }
  }
  if (input.startsOn && input.endsOn && input.endsOn < input.startsOn) {
    return { field: 'endsOn', message: 'input.endsOn must not be before input.startsOn' };
  }
  const matchers = matchersProblem(draft.matchers, 'input.matchers');
  if (matchers) return { ...matchers, field: matchers.field ?? 'matchers' };
  return null;
}

/**
 * Days in words, consecutive ones as a range: `Mon–Fri`, `Sat, Sun`, `Mon, Wed–Fri`,
 * `every day`.
 */
export function daysText(days: readonly Weekday[]): string {
  const indexes = weekdays.flatMap(({ day }, index) => (days.includes(day) ? [index] : []));
  if (indexes.length === 7) return 'every day';
  const runs: number[][] = [];
  for (const index of indexes) {
    const run = runs.at(-1);
    if (run && run.at(-1) === index - 1) run.push(index);
    else runs.push([index]);
  }
  const short = (index: number) => weekdays[index]?.short ?? '';
  return runs
    .map((run) =>
      run.length > 2
        ? `${short(run[0] ?? 0)}–${short(run.at(-1) ?? 0)}`
        : run.map(short).join(', '),
    )
    .join(', ');
}

/** A period in words: `Mon–Fri 22:00–06:00 (into the next day)`. */
export function periodText({ days, start, end }: PeriodDraft): string {
  const overnight = end !== '24:00' && end <= start;
  return `${daysText(days)} ${start}–${end}${overnight ? ' (into the next day)' : ''}`;
}
