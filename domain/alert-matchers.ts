import type { AlertMatchers as AlertMatchersType, Severity } from '../generated/graphql.ts';
import type { Alert } from './alert.ts';
import { ValidationError } from './errors.ts';
import { type Labels, parseSelector, selects } from './labels.ts';
import { severities } from './rule.ts';
import { requireId, requireMetric, requireOneOf } from './validation.ts';

/**
 * Which alerts a silence or a maintenance window mutes: every matcher that is set must hold.
 * At least one is set, so nothing mutes every alert by accident. `labels` test the alert's
 * labels (its device's when it fired) with a rule selector's semantics (domain/labels.ts).
 */
export type AlertMatchers = Omit<AlertMatchersType, '__typename'>;

/** Validates matchers as a client sends them (`AlertMatchersInput`); `field` names the input. */
export function parseAlertMatchers(input: unknown, field: string): AlertMatchers {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(
      `${field} must be an object with at least one of ruleId, deviceId, metric, severities, labels`,
      field,
    );
  }
  const given = input as Record<string, unknown>;
  const absent = (value: unknown) => value === null || value === undefined;
  const matchers: AlertMatchers = {
    ruleId: absent(given.ruleId) ? null : requireId(given.ruleId, `${field}.ruleId`),
    deviceId: absent(given.deviceId) ? null : requireId(given.deviceId, `${field}.deviceId`),
    metric: absent(given.metric) ? null : requireMetric(given.metric, `${field}.metric`),
    severities: absent(given.severities)
      ? null
      : parseSeverities(given.severities, `${field}.severities`),
    labels: absent(given.labels) ? null : [...parseSelector(given.labels, `${field}.labels`)],
  };
  if (Object.values(matchers).every((value) => value === null)) {
    throw new ValidationError(
      `${field} must set at least one of ruleId, deviceId, metric, severities, labels: a mute of every alert is not allowed`,
      field,
    );
  }
  return matchers;
}

function parseSeverities(input: unknown, field: string): Severity[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new ValidationError(
      `${field} must list one or more of ${severities.join(', ')}, or be left out for any severity`,
      field,
    );
  }
  const parsed = input.map((value: unknown, index) =>
    requireOneOf(value, severities, `${field}[${index}]`),
  );
  // In the order of `severities`, each once: the stored form does not depend on the input's.
  return severities.filter((severity) => parsed.includes(severity));
}

/** True when every matcher that is set holds for the alert. */
export function matchesAlert(matchers: AlertMatchers, alert: Alert): boolean {
  return (
    (matchers.ruleId === null || matchers.ruleId === alert.ruleId) &&
    (matchers.deviceId === null || matchers.deviceId === alert.deviceId) &&
    (matchers.metric === null || matchers.metric === alert.metric) &&
    (matchers.severities === null || matchers.severities.includes(alert.severity)) &&
    (matchers.labels === null || selects(matchers.labels, labelsOf(alert)))
  );
}

/** An alert's labels by key; an alert stored before labels has none. */
export function labelsOf(alert: Alert): Labels {
  const labels: Record<string, string> = {};
  for (const { key, value } of alert.labels ?? []) labels[key] = value;
  return labels;
}
