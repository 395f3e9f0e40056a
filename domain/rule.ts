import type {
  CreateRuleInput,
  Operator,
  Rule as RuleType,
  Severity,
  UpdateRuleInput,
} from '../generated/graphql.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import {
  optionalBoolean,
  optionalLabel,
  requireFiniteNumber,
  requireId,
  requireMetric,
  requireOneOf,
} from './validation.ts';

/** An alert rule: "metric of device (or of any device) operator threshold". */
export type Rule = Omit<RuleType, '__typename'>;

export const operators: readonly Operator[] = ['GT', 'GTE', 'LT', 'LTE', 'EQ', 'NEQ'];
export const severities: readonly Severity[] = ['INFO', 'WARNING', 'CRITICAL'];

/** The symbol people read in alert e-mails: `temperature > 60`. */
export const operatorSymbols: Record<Operator, string> = {
  GT: '>',
  GTE: '>=',
  LT: '<',
  LTE: '<=',
  EQ: '==',
  NEQ: '!=',
};

/** Validates a new rule and fills its defaults (enabled, severity WARNING, every device). */
export function newRule(input: CreateRuleInput, id: string, now: string): Rule {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  const deviceId =
    input.deviceId === null || input.deviceId === undefined
      ? null
      : requireId(input.deviceId, 'input.deviceId');
  return {
    id,
    deviceId,
    metric: requireMetric(input.metric, 'input.metric'),
    operator: requireOneOf(input.operator, operators, 'input.operator'),
    threshold: requireFiniteNumber(input.threshold, 'input.threshold'),
    enabled: optionalBoolean(input.enabled, 'input.enabled') ?? true,
    severity:
      input.severity === null || input.severity === undefined
        ? 'WARNING'
        : requireOneOf(input.severity, severities, 'input.severity'),
    name: optionalLabel(input.name, 'input.name', limits.maxRuleNameLength),
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Applies a partial update. Absent fields keep their value; a rule's device scope is fixed
 * at creation (delete and recreate to move it), so stored keys never change.
 */
export function applyRuleUpdate(rule: Rule, input: UpdateRuleInput, now: string): Rule {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  const present = (value: unknown) => value !== null && value !== undefined;
  if (!Object.values(input).some(present)) {
    throw new ValidationError('input must change at least one field', 'input');
  }
  return {
    ...rule,
    metric: present(input.metric) ? requireMetric(input.metric, 'input.metric') : rule.metric,
    operator: present(input.operator)
      ? requireOneOf(input.operator, operators, 'input.operator')
      : rule.operator,
    threshold: present(input.threshold)
      ? requireFiniteNumber(input.threshold, 'input.threshold')
      : rule.threshold,
    enabled: optionalBoolean(input.enabled, 'input.enabled') ?? rule.enabled,
    severity: present(input.severity)
      ? requireOneOf(input.severity, severities, 'input.severity')
      : rule.severity,
    name:
      input.name === undefined
        ? rule.name
        : optionalLabel(input.name, 'input.name', limits.maxRuleNameLength),
    updatedAt: now,
  };
}

/** True when the value is on the alerting side of the threshold. */
export function breaches(operator: Operator, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GT':
      return value > threshold;
    case 'GTE':
      return value >= threshold;
    case 'LT':
      return value < threshold;
    case 'LTE':
      return value <= threshold;
    case 'EQ':
      return value === threshold;
    case 'NEQ':
      return value !== threshold;
  }
}
