import { createHash } from 'node:crypto';
import type { Alert as AlertType } from '../generated/graphql.ts';
import type { Reading } from './reading.ts';
import { breaches, operatorSymbols, type Rule } from './rule.ts';
import type { RuleIndex } from './rule-index.ts';

/** A recorded firing of a rule for one reading. */
export type Alert = Omit<AlertType, '__typename'>;

/**
 * The alerts a reading fires: one per matching enabled rule it breaches. The alert id is
 * derived from the rule and the reading, so a redelivered reading yields the same alert and
 * storage can refuse the duplicate.
 */
export function firedAlerts(reading: Reading, rules: RuleIndex, firedAt: string): Alert[] {
  const alerts: Alert[] = [];
  for (const rule of rules.matching(reading.deviceId, reading.metric)) {
    if (breaches(rule.operator, reading.value, rule.threshold)) {
      alerts.push(alertFor(rule, reading, firedAt));
    }
  }
  return alerts;
}

export function alertFor(rule: Rule, reading: Reading, firedAt: string): Alert {
  return {
    id: alertId(rule.id, reading),
    ruleId: rule.id,
    ruleName: rule.name ?? null,
    deviceId: reading.deviceId,
    metric: reading.metric,
    value: reading.value,
    threshold: rule.threshold,
    operator: rule.operator,
    severity: rule.severity,
    eventId: reading.id,
    eventTimestamp: reading.timestamp,
    firedAt,
  };
}

function alertId(ruleId: string, reading: Reading): string {
  return createHash('sha256')
    .update(`${ruleId}\n${reading.deviceId}\n${reading.id}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * The e-mail an on-call person reads: the subject says what and where, the body says
 * everything needed to act without opening another tool.
 */
export function describeAlert(alert: Alert): { subject: string; body: string } {
  const condition = `${alert.metric} ${operatorSymbols[alert.operator]} ${alert.threshold}`;
  const subject = `[${alert.severity}] ${alert.deviceId}: ${condition} (value ${alert.value})`;
  const body = [
    `Alert ${alert.severity}: ${alert.ruleName ?? condition}`,
    '',
    `Device:     ${alert.deviceId}`,
    `Metric:     ${alert.metric}`,
    `Value:      ${alert.value}`,
    `Condition:  ${condition}`,
    `Rule:       ${alert.ruleName ? `${alert.ruleName} (${alert.ruleId})` : alert.ruleId}`,
    `Reading at: ${alert.eventTimestamp ?? 'unknown'}`,
    `Fired at:   ${alert.firedAt}`,
    `Alert id:   ${alert.id}`,
  ].join('\n');
  // SNS subjects are limited to 100 printable ASCII characters.
  return { subject: toSnsSubject(subject), body };
}

function toSnsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 99)}…`.replace('…', '.') : ascii;
}
