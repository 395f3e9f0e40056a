/**
 * A maintenance window as typed into the form (a name, an IANA time zone, weekly periods of
 * days and local times, optional dates, the matchers) and the API input built from it, with
 * the periods in words for the list. The draft is checked with the domain's own validation
 * before it is sent, so the form shows the very message the API would return.
 */
import type {
  MaintenanceWindowFieldsFragment,
  MaintenanceWindowInput,
  Weekday,
} from '../../generated/console-operations.ts';
import { ValidationError } from '../../domain/errors.ts';
import { newMaintenanceWindow } from '../../domain/maintenance-window.ts';
import type { MatchersDraft, MatchersField } from './alert-matchers-draft.ts';
import {
  emptyMatchers,
  matchersDraftOf,
  matchersInput,
  matchersProblemOf,
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
  /** The field at fault, or null when it is the window as a whole (the API's refusal). */
  field: WindowField | null;
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

/**
 * What the API would refuse in this draft, and where, checked by the domain's own
 * validation (so the message is the API's); null when it is fine. `now` matters for a last
 * day already past.
 */
export function windowProblem(draft: WindowDraft, now: number): WindowProblem | null {
  try {
    newMaintenanceWindow(windowInput(draft), 'draft', now, 'draft');
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const matchers = matchersProblemOf(draft.matchers, error, 'input.matchers');
    if (matchers) return { ...matchers, field: matchers.field ?? 'matchers' };
    // `input.periods[1].days[0]`: the second period, its days.
    const path = /^input\.(\w+)(?:\[(\d+)\]\.(\w+))?/.exec(error.field ?? '');
    const field = path?.[1] ?? '';
    if (field === 'periods') {
      const part = path?.[3];
      return {
        field: 'periods',
        row: path?.[2] === undefined ? null : Number(path[2]),
        ...(part === 'days' || part === 'start' || part === 'end' ? { part } : {}),
        message: error.message,
      };
    }
    const own: readonly string[] = ['name', 'timeZone', 'startsOn', 'endsOn'];
    return {
      field: own.includes(field) ? (field as WindowField) : null,
      message: error.message,
    };
  }
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
