import { createHash } from 'node:crypto';
import type { Alert as AlertType } from '../generated/graphql.ts';
import { type Labels, labelList, noLabels } from './labels.ts';
import type { Reading } from './reading.ts';
import { operatorSymbols, type Rule } from './rule.ts';

/**
 * One alert episode of a rule for a device: it fires, may repeat, and resolves. An alert
 * resolved by something other than its readings says why (`resolution`, e.g. the device no
 * longer matches the rule's selector): it is stored with the alert, shown in the e-mail and
 * given by the API and onAlert. Absent (or null) otherwise, and on alerts stored before it;
 * so are the silence and flapping marks below.
 */
export type Alert = Omit<
  AlertType,
  '__typename' | 'resolution' | 'silenced' | 'silenceId' | 'flapping'
> & {
  resolution?: string | null;
  /**
   * Set while a silence or maintenance window holds the alert's notifications
   * (domain/silences.ts); absent (or null) otherwise.
   */
  silenced?: boolean | null;
  silenceId?: string | null;
  /** Set while the episode is flapping (domain/flapping.ts); absent (or null) otherwise. */
  flapping?: boolean | null;
};

/** Every status an alert may be in, in the order of its lifecycle (docs/alert-states.md). */
export const alertStatuses: readonly Alert['status'][] = [
  'FIRING',
  'ACKNOWLEDGED',
  'LATCHED',
  'RESOLVED',
];

/** Why an alert resolved when its device's labels no longer match its rule's selector. */
export const LEFT_SELECTOR = "the device no longer matches the rule's selector";
/** Why an alert resolved when its rule's selector changed and no longer selects the device. */
export const LEFT_RULE_TARGET = "the rule's selector no longer selects the device";
/** Why an alert resolved when its rule was disabled or deleted. */
export const RULE_CLOSED = 'the rule was disabled or deleted';

/** What of a rule an alert copies. */
export type AlertingRule = Pick<
  Rule,
  'id' | 'name' | 'metric' | 'threshold' | 'operator' | 'severity'
>;

/**
 * A THRESHOLD alert fired by `reading` (with `value`, the aggregate for window rules);
 * `labels` are the device's when it fired, kept with the alert whatever they become.
 */
export function thresholdAlert(
  rule: AlertingRule,
  reading: Reading,
  value: number,
  firedAt: string,
  labels: Labels = noLabels,
): Alert {
  return {
    ...fromRule(rule),
    labels: labelList(labels),
    // A reading is its id and its time: a device that reuses ids fires new alerts.
    id: alertId(rule.id, reading.deviceId, `reading:${reading.id}@${reading.timestamp}`),
    deviceId: reading.deviceId,
    value,
    reason: 'THRESHOLD',
    eventId: reading.id,
    eventTimestamp: reading.timestamp,
    firedAt,
    notifiedAt: firedAt,
  };
}

/** A NO_DATA alert: the device's last reading of the metric was at `lastAt`. */
export function noDataAlert(
  rule: AlertingRule,
  deviceId: string,
  lastAt: string,
  firedAt: string,
  labels: Labels = noLabels,
): Alert {
  return {
    ...fromRule(rule),
    labels: labelList(labels),
    // The same silence may fire again after the rule was disabled and enabled: a new alert.
    id: alertId(rule.id, deviceId, `no-data-after:${lastAt}@${firedAt}`),
    deviceId,
    value: 0,
    reason: 'NO_DATA',
    eventId: null,
    eventTimestamp: lastAt,
    firedAt,
    notifiedAt: firedAt,
  };
}

function fromRule(rule: AlertingRule) {
  return {
    ruleId: rule.id,
    ruleName: rule.name ?? null,
    metric: rule.metric,
    threshold: rule.threshold,
    operator: rule.operator,
    severity: rule.severity,
    status: 'FIRING' as const,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
}

/**
 * The id of an episode, derived from what started it. The episode stores the alert it fired
 * (with its id) in the same write that decides it, so a redelivered reading or a retried
 * check delivers that stored alert again rather than deriving a new one.
 */
function alertId(ruleId: string, deviceId: string, cause: string): string {
  return createHash('sha256').update(`${ruleId}\n${deviceId}\n${cause}`).digest('hex').slice(0, 32);
}

/**
 * The e-mail an on-call person reads: the subject says what, where and whether it is over;
 * the body says everything needed to act without opening another tool.
 */
export function describeAlert(alert: Alert): { subject: string; body: string } {
  const condition = `${alert.metric} ${operatorSymbols[alert.operator]} ${alert.threshold}`;
  const what =
    alert.reason === 'NO_DATA'
      ? `no ${alert.metric} data since ${alert.eventTimestamp}`
      : condition;
  const state =
    alert.status === 'RESOLVED' || alert.status === 'LATCHED' ? alert.status : alert.severity;
  const reading = alert.reason === 'NO_DATA' ? '' : ` (value ${alert.value})`;
  const subject = `[${state}] ${alert.deviceId}: ${what}${reading}`;
  const title =
    alert.status === 'RESOLVED'
      ? 'Resolved'
      : alert.status === 'LATCHED'
        ? `Latched ${alert.severity}`
        : `Alert ${alert.severity}`;
  const lines = [
    `${title}: ${alert.ruleName ?? what}`,
    ...(alert.status === 'LATCHED'
      ? ['', 'The condition cleared; the alert stays latched until someone acknowledges it.']
      : []),
    '',
    `Device:     ${alert.deviceId}`,
    ...(alert.labels && alert.labels.length > 0
      ? [`Labels:     ${alert.labels.map(({ key, value }) => `${key}=${value}`).join(', ')}`]
      : []),
    `Metric:     ${alert.metric}`,
    alert.reason === 'NO_DATA'
      ? `Last data:  ${alert.eventTimestamp ?? 'unknown'}`
      : `Value:      ${alert.value}`,
    `Condition:  ${alert.reason === 'NO_DATA' ? 'no data' : condition}`,
    `Rule:       ${alert.ruleName ? `${alert.ruleName} (${alert.ruleId})` : alert.ruleId}`,
    ...(alert.reason === 'THRESHOLD' ? [`Reading at: ${alert.eventTimestamp ?? 'unknown'}`] : []),
    `Fired at:   ${alert.firedAt}`,
    ...(alert.resolvedAt ? [`Resolved:   ${alert.resolvedAt}`] : []),
    ...(alert.resolution ? [`Why:        ${alert.resolution}`] : []),
    ...(alert.acknowledgedAt
      ? [`Acknowledged: ${alert.acknowledgedAt} by ${alert.acknowledgedBy ?? 'someone'}`]
      : []),
    `Alert id:   ${alert.id}`,
  ];
  // SNS subjects are limited to 100 printable ASCII characters.
  return { subject: toSnsSubject(subject), body: lines.join('\n') };
}

/** An SNS subject: printable ASCII only, at most 100 characters. */
export function toSnsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}
