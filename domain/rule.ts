import type {
  Aggregation,
  CreateRuleInput,
  Operator,
  Rule as RuleType,
  Severity,
  UpdateRuleInput,
} from '../generated/graphql.ts';
import { ValidationError } from './errors.ts';
import { flapDefaults } from './flapping.ts';
import { type LabelMatcher, parseSelector, requireLabelKey } from './labels.ts';
import { limits } from './limits.ts';
import {
  optionalBoolean,
  optionalLabel,
  requireFiniteNumber,
  requireInteger,
  requireId,
  requireMetric,
  requireOneOf,
} from './validation.ts';

/**
 * An alert rule: "metric of device (or of any device, or of the devices a label selector
 * picks) operator threshold". A rule has a deviceId or a selector or neither, never both.
 */
export type Rule = Omit<RuleType, '__typename'>;

export const operators: readonly Operator[] = ['GT', 'GTE', 'LT', 'LTE', 'EQ', 'NEQ'];
export const severities: readonly Severity[] = ['INFO', 'WARNING', 'CRITICAL'];
export const aggregations: readonly Aggregation[] = ['AVG', 'MIN', 'MAX', 'COUNT', 'SUM'];

/** The rule options that shape evaluation and its e-mails, all optional on input. */
type RuleOptions = Pick<
  Rule,
  | 'forReadings'
  | 'windowSeconds'
  | 'aggregation'
  | 'clearThreshold'
  | 'noDataSeconds'
  | 'repeatIntervalSeconds'
  | 'groupBy'
  | 'groupWaitSeconds'
  | 'groupIntervalSeconds'
  | 'flapDetection'
  | 'flapHighPercent'
  | 'flapLowPercent'
  | 'latch'
>;

/** The symbol people read in alert e-mails: `temperature > 60`. */
export const operatorSymbols: Record<Operator, string> = {
  GT: '>',
  GTE: '>=',
  LT: '<',
  LTE: '<=',
  EQ: '==',
  NEQ: '!=',
};

/**
 * Validates a new rule and fills its defaults (enabled, severity WARNING, every device). A
 * rule watches one device (`deviceId`), the devices whose labels a `selector` selects, or,
 * with neither, every device.
 * `at` is the time of creation as an AWSDateTime; episode steps take `now` in epoch ms.
 * `by` is the name of the caller creating it (domain/caller.ts); null where no one does (a
 * draft checked in the console, a test).
 */
export function newRule(
  input: CreateRuleInput,
  id: string,
  at: string,
  by: string | null = null,
): Rule {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  const deviceId =
    input.deviceId === null || input.deviceId === undefined
      ? null
      : requireId(input.deviceId, 'input.deviceId');
  const selector = optionalSelector(input.selector);
  if (deviceId !== null && selector !== null) {
    throw new ValidationError(
      'input.deviceId and input.selector are exclusive: a rule watches one device or the devices its selector picks; leave out one of them',
      'input.selector',
    );
  }
  const rule: Rule = {
    id,
    deviceId,
    selector,
    metric: requireMetric(input.metric, 'input.metric'),
    operator: requireOneOf(input.operator, operators, 'input.operator'),
    threshold: requireFiniteNumber(input.threshold, 'input.threshold'),
    enabled: optionalBoolean(input.enabled, 'input.enabled') ?? true,
    severity:
      input.severity === null || input.severity === undefined
        ? 'WARNING'
        : requireOneOf(input.severity, severities, 'input.severity'),
    name: optionalLabel(input.name, 'input.name', limits.maxRuleNameLength),
    description: optionalLabel(
      input.description,
      'input.description',
      limits.maxRuleDescriptionLength,
    ),
    ...ruleOptions(input, DEFAULT_OPTIONS),
    // Only an import (domain/iot-events.ts) gives a rule a source.
    source: null,
    createdAt: at,
    createdBy: by,
    updatedAt: at,
    updatedBy: by,
  };
  return checkCoherence(rule, input);
}

/**
 * Applies a partial update. Absent fields keep their value; a rule's device is fixed at
 * creation (delete and recreate to move it), so stored keys never change. A rule without a
 * device may take a new selector, or lose it (null) and watch every device; a rule of one
 * device takes none. `by` is the name of the caller changing it.
 */
export function applyRuleUpdate(
  rule: Rule,
  input: UpdateRuleInput,
  at: string,
  by: string | null = null,
): Rule {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  const present = (value: unknown) => value !== null && value !== undefined;
  if (!Object.values(input).some((value) => value !== undefined)) {
    throw new ValidationError('input must change at least one field', 'input');
  }
  let selector = rule.selector;
  if (input.selector !== undefined) {
    selector = optionalSelector(input.selector);
    if (rule.deviceId !== null && selector !== null) {
      throw new ValidationError(
        `input.selector cannot be set on a rule of one device (${rule.deviceId}); create a rule with a selector and no deviceId instead`,
        'input.selector',
      );
    }
  }
  const updated: Rule = {
    ...rule,
    selector,
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
    description:
      input.description === undefined
        ? rule.description
        : optionalLabel(input.description, 'input.description', limits.maxRuleDescriptionLength),
    ...ruleOptions(input, rule),
    updatedAt: at,
    updatedBy: by,
  };
  return checkCoherence(updated, input);
}

/** A selector as a rule input has it: absent or null is none. */
function optionalSelector(input: unknown): LabelMatcher[] | null {
  if (input === null || input === undefined) return null;
  return [...parseSelector(input, 'input.selector')];
}

const DEFAULT_OPTIONS: RuleOptions = {
  forReadings: 1,
  windowSeconds: null,
  aggregation: null,
  clearThreshold: null,
  noDataSeconds: null,
  repeatIntervalSeconds: null,
  // Notification grouping: null is the deployment's default (domain/notification-groups.ts).
  groupBy: null,
  groupWaitSeconds: null,
  groupIntervalSeconds: null,
  ...flapDefaults,
  latch: false,
};

/**
 * Reads the evaluation options: absent keeps `current`, an explicit null resets to the
 * default, anything else is validated.
 */
function ruleOptions(input: CreateRuleInput | UpdateRuleInput, current: RuleOptions): RuleOptions {
  const pick = <K extends keyof RuleOptions>(
    key: K,
    parse: (value: unknown, field: string) => NonNullable<RuleOptions[K]>,
  ): RuleOptions[K] => {
    const value = (input as Record<string, unknown>)[key];
    if (value === undefined) return current[key];
    if (value === null) return DEFAULT_OPTIONS[key];
    return parse(value, `input.${key}`);
  };
  return {
    forReadings: pick('forReadings', (v, f) => requireInteger(v, f, 1, limits.maxForReadings)),
    windowSeconds: pick('windowSeconds', (v, f) =>
      requireInteger(v, f, 1, limits.maxWindowSeconds),
    ),
    aggregation: pick('aggregation', (v, f) => requireOneOf(v, aggregations, f)),
    clearThreshold: pick('clearThreshold', requireFiniteNumber),
    noDataSeconds: pick('noDataSeconds', (v, f) =>
      requireInteger(v, f, 1, limits.maxNoDataSeconds),
    ),
    repeatIntervalSeconds: pick('repeatIntervalSeconds', (v, f) =>
      requireInteger(v, f, 1, limits.maxRepeatIntervalSeconds),
    ),
    groupBy: noneAsNull(pick('groupBy', requireGroupBy)),
    groupWaitSeconds: pick('groupWaitSeconds', (v, f) =>
      requireInteger(v, f, 0, limits.maxGroupWaitSeconds),
    ),
    groupIntervalSeconds: pick('groupIntervalSeconds', (v, f) =>
      requireInteger(v, f, 0, limits.maxGroupIntervalSeconds),
    ),
    flapDetection: pick('flapDetection', (v, f) => optionalBoolean(v, f) as boolean),
    flapHighPercent: pick('flapHighPercent', requirePercent),
    flapLowPercent: pick('flapLowPercent', requirePercent),
    latch: pick('latch', (v, f) => optionalBoolean(v, f) as boolean),
  };
}

/** Grouping by no label key is no grouping: stored as null, as the default is. */
function noneAsNull(keys: string[] | null | undefined): string[] | null {
  return keys && keys.length > 0 ? keys : null;
}

/**
 * The label keys a rule's e-mails are grouped by: distinct label keys, at most
 * `limits.maxGroupByKeys`; an empty list groups by none.
 */
function requireGroupBy(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) {
    throw new ValidationError(`${field} must be a list of label keys, e.g. ["site"]`, field);
  }
  if (value.length > limits.maxGroupByKeys) {
    throw new ValidationError(
      `${field} may hold at most ${limits.maxGroupByKeys} label keys; got ${value.length}`,
      field,
    );
  }
  const keys = value.map((key: unknown, index) => requireLabelKey(key, `${field}[${index}]`));
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated !== undefined) {
    throw new ValidationError(`${field} names '${repeated}' more than once`, field);
  }
  return keys;
}

/** A flapping threshold: a percent state change above 0 and at most 100. */
function requirePercent(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 100) {
    throw new ValidationError(
      `${field} must be a percent above 0 and at most 100; got ${String(value)}`,
      field,
    );
  }
  return value;
}

/**
 * Options that only make sense together, checked on the rule as a whole. `input` names the
 * field at fault where either of two could be.
 */
function checkCoherence(rule: Rule, input?: CreateRuleInput | UpdateRuleInput): Rule {
  if (rule.flapLowPercent >= rule.flapHighPercent) {
    const why =
      'flapping starts when the percent state change reaches the high one and stops when it falls below the low one';
    const low = `input.flapLowPercent ${rule.flapLowPercent}`;
    const high = `input.flapHighPercent ${rule.flapHighPercent}`;
    throw input?.flapLowPercent === undefined && input?.flapHighPercent !== undefined
      ? new ValidationError(`${high} must be above ${low}: ${why}`, 'input.flapHighPercent')
      : new ValidationError(`${low} must be below ${high}: ${why}`, 'input.flapLowPercent');
  }
  if (rule.aggregation !== null && rule.windowSeconds === null) {
    throw new ValidationError('input.aggregation needs input.windowSeconds', 'input.aggregation');
  }
  if (rule.windowSeconds !== null && rule.aggregation === null) {
    return checkCoherence({ ...rule, aggregation: 'AVG' });
  }
  if (rule.clearThreshold !== null) {
    if (rule.operator === 'EQ' || rule.operator === 'NEQ') {
      throw new ValidationError(
        `input.clearThreshold does not apply to ${rule.operator} rules`,
        'input.clearThreshold',
      );
    }
    if (breaches(rule.operator, rule.clearThreshold, rule.threshold)) {
      throw new ValidationError(
        `input.clearThreshold ${rule.clearThreshold} is on the alerting side of ${rule.operator} ${rule.threshold}; for hysteresis it must be on the normal side`,
        'input.clearThreshold',
      );
    }
  }
  return rule;
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
