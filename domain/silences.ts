import type {
  CreateSilenceInput,
  Silence as SilenceType,
  SilenceState,
} from '../generated/graphql.ts';
import { type AlertMatchers, parseAlertMatchers } from './alert-matchers.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { formatDateTime, parseDateTime } from './time.ts';
import { optionalBoolean } from './validation.ts';

/**
 * A silence: from `startsAt` to `endsAt` the alerts its matchers match are recorded and
 * pushed as always, but their e-mails are held (domain/delivery.ts); when it ends, what is
 * still firing is told once. Its state is a matter of time, never of a write: a pending
 * silence becomes active at its start, an active one expires at its end. Expiring one by
 * hand moves its end to that moment.
 */
export type Silence = Omit<SilenceType, '__typename' | 'state' | 'matchers'> & {
  matchers: AlertMatchers;
};

export const silenceStates: readonly SilenceState[] = ['PENDING', 'ACTIVE', 'EXPIRED'];

/** How long an expired silence is kept, listed as EXPIRED, before DynamoDB's TTL removes it. */
export const expiredSilenceRetentionMs = 7 * 24 * 3600_000;

// A comment may run over lines; other control characters are refused.
// eslint-disable-next-line no-control-regex -- the point is to refuse them
const COMMENT_CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Validates a new silence and fills its defaults (starting now, notifying resolutions).
 * `now` is the time of creation (epoch ms); `by` the caller creating it (domain/caller.ts).
 * Refused: an end at or before the start, an end in the past or more than
 * `limits.maxSilenceDays` ahead, matchers that match nothing in particular, an empty or
 * overlong comment.
 */
export function newSilence(
  input: CreateSilenceInput,
  id: string,
  now: number,
  by: string,
): Silence {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  const matchers = parseAlertMatchers(input.matchers, 'input.matchers');
  const startsAt =
    input.startsAt === null || input.startsAt === undefined
      ? now
      : parseDateTime(requireString(input.startsAt, 'input.startsAt'), 'input.startsAt');
  const endsAt = parseDateTime(requireString(input.endsAt, 'input.endsAt'), 'input.endsAt');
  if (endsAt <= startsAt) {
    throw new ValidationError(
      `input.endsAt (${formatDateTime(endsAt)}) must be after input.startsAt (${formatDateTime(startsAt)})`,
      'input.endsAt',
    );
  }
  if (endsAt <= now) {
    throw new ValidationError(
      `input.endsAt (${formatDateTime(endsAt)}) is in the past: a silence must end in the future`,
      'input.endsAt',
    );
  }
  const maxEnd = now + limits.maxSilenceDays * 24 * 3600_000;
  if (endsAt > maxEnd) {
    throw new ValidationError(
      `input.endsAt may be at most ${limits.maxSilenceDays} days ahead (${formatDateTime(maxEnd)}); for a recurring mute, create a maintenance window`,
      'input.endsAt',
    );
  }
  return {
    id,
    matchers,
    startsAt: formatDateTime(startsAt),
    endsAt: formatDateTime(endsAt),
    comment: requireComment(input.comment, 'input.comment'),
    notifyResolved: optionalBoolean(input.notifyResolved, 'input.notifyResolved') ?? true,
    createdAt: formatDateTime(now),
    createdBy: by,
    expiredAt: null,
    expiredBy: null,
  };
}

/** Where a silence stands at `at` (epoch ms): by its times alone. */
export function silenceState(
  silence: Pick<Silence, 'startsAt' | 'endsAt'>,
  at: number,
): SilenceState {
  if (at >= Date.parse(silence.endsAt)) return 'EXPIRED';
  return at < Date.parse(silence.startsAt) ? 'PENDING' : 'ACTIVE';
}

/**
 * Ends a silence at `at`, recording who did; a silence expired already stays as it was (its
 * end, and who expired it if someone did). A pending one is expired before it started.
 */
export function expireSilence(silence: Silence, at: number, by: string): Silence {
  if (silenceState(silence, at) === 'EXPIRED') return silence;
  const now = formatDateTime(at);
  return { ...silence, endsAt: now, expiredAt: now, expiredBy: by };
}

/** The silence as the API shows it at `at`. */
export function silenceView(silence: Silence, at: number): Silence & { state: SilenceState } {
  return { ...silence, state: silenceState(silence, at) };
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new ValidationError(
      `${field} must be an ISO-8601 date-time with a zone, such as 2026-05-01T12:00:00.000Z`,
      field,
    );
  }
  return value;
}

/** Why a silence was made: required, what colleagues read in the list. */
function requireComment(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) {
    throw new ValidationError(
      `${field} is required: say why the alerts are silenced (a change, an incident, a ticket)`,
      field,
    );
  }
  if (text.length > limits.maxSilenceCommentLength) {
    throw new ValidationError(
      `${field} must be at most ${limits.maxSilenceCommentLength} characters; got ${text.length}`,
      field,
    );
  }
  if (COMMENT_CONTROL_CHARACTERS.test(text)) {
    throw new ValidationError(`${field} must not contain control characters`, field);
  }
  return text;
}
