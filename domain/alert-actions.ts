import type { Alert } from './alert.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { newSilence, type Silence } from './silences.ts';
import { formatDateTime } from './time.ts';

/*
 * What people do to one open alert besides acknowledging it (domain/episode.ts): snooze its
 * e-mails for a while, or reset its episode. docs/alert-states.md sets them beside AWS IoT
 * Events' actions.
 */

/**
 * The seconds of a snooze, as a client sends them: a whole number from a minute to 7 days.
 * Shorter is not worth a silence; longer is a maintenance window or a rule change.
 */
export function requireSnoozeSeconds(value: unknown, field = 'seconds'): number {
  const { minSnoozeSeconds: min, maxSnoozeSeconds: max } = limits;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      `${field} must be a whole number of seconds from ${min} (a minute) to ${max} (7 days); got ${String(value)}. For a longer mute, create a silence or a maintenance window`,
      field,
    );
  }
  return value;
}

/** Refuses an action on an alert that is over: there is nothing left to snooze or reset. */
export function requireOpen(alert: Alert, action: 'snoozed' | 'reset'): Alert {
  if (alert.status === 'RESOLVED') {
    throw new ValidationError(
      `Alert '${alert.id}' is resolved (at ${alert.resolvedAt ?? 'an unknown time'}); only an open alert can be ${action}`,
      'id',
    );
  }
  return alert;
}

/**
 * The silence that snoozes an alert: it matches the alert's rule and device, from `now`
 * (epoch ms) for `seconds`, created by `by`, its comment naming the alert. It mutes that
 * rule's later alerts of the device too until it ends, as IoT Events' snooze of an alarm
 * instance does; `expireSilence` ends it early.
 */
export function snoozeSilence(
  alert: Alert,
  seconds: number,
  id: string,
  now: number,
  by: string,
): Silence {
  const rule = alert.ruleName ? `${alert.ruleName} (${alert.ruleId})` : alert.ruleId;
  return newSilence(
    {
      matchers: { ruleId: alert.ruleId, deviceId: alert.deviceId },
      startsAt: formatDateTime(now),
      endsAt: formatDateTime(now + seconds * 1000),
      comment: `Snooze of alert ${alert.id} (${rule} on ${alert.deviceId}) for ${duration(seconds)}`,
    },
    id,
    now,
    by,
  );
}

/** A snooze's length as people say it: `1 h`, `90 min`, `2 d 3 h`. */
function duration(seconds: number): string {
  const parts: string[] = [];
  let left = seconds;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)} ${unit}`);
      left %= size;
    }
  }
  return parts.join(' ');
}
