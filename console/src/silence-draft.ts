/**
 * A silence as typed into the form (the matchers, a start, an end given as a duration or a
 * time, a comment) and the `createSilence` input built from it. The draft is checked with the
 * domain's own validation before it is sent, so the form shows the very message the API
 * would return, next to the field at fault.
 */
import type {
  AlertFieldsFragment,
  CreateSilenceInput,
} from '../../generated/console-operations.ts';
import { ValidationError } from '../../domain/errors.ts';
import { newSilence } from '../../domain/silences.ts';
import type { MatchersDraft, MatchersField } from './alert-matchers-draft.ts';
import { emptyMatchers, matchersInput, matchersProblemOf } from './alert-matchers-draft.ts';
import { epochOfLocal, localDateTimeOf, nextLocalHour } from './local-time.ts';

const HOUR_MS = 3_600_000;

/** The durations the form offers, shortest first. */
export const durationPresets = [
  { key: '1h', text: '1 hour', ms: HOUR_MS },
  { key: '2h', text: '2 hours', ms: 2 * HOUR_MS },
  { key: '4h', text: '4 hours', ms: 4 * HOUR_MS },
  { key: '8h', text: '8 hours', ms: 8 * HOUR_MS },
  { key: '1d', text: '1 day', ms: 24 * HOUR_MS },
  { key: '1w', text: '1 week', ms: 7 * 24 * HOUR_MS },
] as const;

export type DurationKey = (typeof durationPresets)[number]['key'];

/** The local hour "until …" is first set to: the morning after a night of noise. */
export const MORNING_HOUR = 9;

export interface SilenceDraft {
  matchers: MatchersDraft;
  /** A `datetime-local` text; blank starts the silence now. */
  startsAt: string;
  /** Whether the end is a duration from the start or a time of its own. */
  ends: 'duration' | 'until';
  duration: DurationKey;
  /** A `datetime-local` text, when the end is a time. */
  endsAt: string;
  comment: string;
  notifyResolved: boolean;
}

export type SilenceField = 'matchers' | MatchersField | 'startsAt' | 'endsAt' | 'comment';

export interface SilenceProblem {
  /**
   * The field at fault; `matchers` when it is the matchers as a whole; null when it is the
   * silence as a whole (the API's refusal).
   */
  field: SilenceField | null;
  /** For the labels, the matcher row at fault. */
  row?: number | null;
  message: string;
}

export function emptySilenceDraft(): SilenceDraft {
  return {
    matchers: emptyMatchers(),
    startsAt: '',
    ends: 'duration',
    duration: '2h',
    endsAt: '',
    comment: '',
    notifyResolved: true,
  };
}

/** "Silence this device for 2 h": the alert's device, every rule, two hours from now. */
export function deviceSilenceDraft(alert: Pick<AlertFieldsFragment, 'deviceId'>): SilenceDraft {
  return {
    ...emptySilenceDraft(),
    matchers: { ...emptyMatchers(), deviceId: alert.deviceId },
  };
}

/**
 * "Silence this rule everywhere until …": the alert's rule on every device, until a time the
 * operator picks, first set to the next 09:00 local time.
 */
export function ruleSilenceDraft(
  alert: Pick<AlertFieldsFragment, 'ruleId'>,
  now: number,
): SilenceDraft {
  return {
    ...emptySilenceDraft(),
    matchers: { ...emptyMatchers(), ruleId: alert.ruleId },
    ends: 'until',
    endsAt: localDateTimeOf(nextLocalHour(now, MORNING_HOUR)),
  };
}

/** When the silence starts (now for a blank start) and ends, or null where the text names no time. */
export function silenceTimes(
  draft: SilenceDraft,
  now: number,
): { startsAt: number | null; endsAt: number | null } {
  const startsAt = draft.startsAt.trim() === '' ? now : epochOfLocal(draft.startsAt);
  if (draft.ends === 'until') return { startsAt, endsAt: epochOfLocal(draft.endsAt) };
  const preset = durationPresets.find(({ key }) => key === draft.duration);
  return { startsAt, endsAt: startsAt === null || !preset ? null : startsAt + preset.ms };
}

/**
 * The `createSilence` input. A blank start is left out (the API starts it now); the end is
 * the start plus the duration, or the time typed. Call it on a draft `silenceProblem` passed.
 */
export function createSilenceInput(draft: SilenceDraft, now: number): CreateSilenceInput {
  const { startsAt, endsAt } = silenceTimes(draft, now);
  return {
    matchers: matchersInput(draft.matchers),
    ...(draft.startsAt.trim() === '' || startsAt === null
      ? {}
      : { startsAt: new Date(startsAt).toISOString() }),
    endsAt: new Date(endsAt ?? Number.NaN).toISOString(),
    comment: draft.comment.trim(),
    notifyResolved: draft.notifyResolved,
  };
}

/**
 * What the API would refuse in this draft, and where; null when it is fine. A time the inputs
 * cannot name is the form's own problem; the rest is checked by the domain's `newSilence`,
 * so the message is the very one the API would return.
 */
export function silenceProblem(draft: SilenceDraft, now: number): SilenceProblem | null {
  const { startsAt, endsAt } = silenceTimes(draft, now);
  if (startsAt === null) {
    return {
      field: 'startsAt',
      message: `input.startsAt must be a date and time, or blank for now; got ${draft.startsAt}`,
    };
  }
  if (endsAt === null) {
    return {
      field: 'endsAt',
      message: draft.endsAt.trim()
        ? `input.endsAt must be a date and time; got ${draft.endsAt}`
        : 'input.endsAt is required: give the time the silence ends',
    };
  }
  try {
    newSilence(createSilenceInput(draft, now), 'draft', now, 'draft');
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const matchers = matchersProblemOf(draft.matchers, error, 'input.matchers');
    if (matchers) return { ...matchers, field: matchers.field ?? 'matchers' };
    const field = /^input\.(\w+)/.exec(error.field ?? '')?.[1] ?? '';
    const own: readonly string[] = ['startsAt', 'endsAt', 'comment'];
    return {
      field: own.includes(field) ? (field as SilenceField) : null,
      message: error.message,
    };
  }
}
