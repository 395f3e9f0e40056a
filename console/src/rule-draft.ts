/**
 * A rule as typed into the form (text, as the inputs hold it) and the API input built from it.
 * Drafts are checked with the domain's own rule validation before they are sent, so the page
 * shows the very message the API would return, next to the field at fault.
 */
import type {
  Aggregation,
  CreateRuleInput,
  Operator,
  RuleFieldsFragment,
  Severity,
  UpdateRuleInput,
} from '../../generated/console-operations.ts';
import { ValidationError } from '../../domain/errors.ts';
import { parseSelector } from '../../domain/labels.ts';
import type { Rule } from '../../domain/rule.ts';
import { applyRuleUpdate, newRule } from '../../domain/rule.ts';
import type { MatcherRow } from './matcher-draft.ts';
import { matcherInputs, matcherProblemOf, matcherRowsOf } from './matcher-draft.ts';

/** What a rule watches: one device, every device, or the devices a label selector matches. */
export type RuleTarget = 'device' | 'every' | 'selector';

export interface RuleDraft {
  name: string;
  description: string;
  target: RuleTarget;
  /** The device, when the target is one device. */
  deviceId: string;
  /** The matchers, when the target is a label selector. */
  selector: MatcherRow[];
  metric: string;
  operator: Operator;
  threshold: string;
  severity: Severity;
  enabled: boolean;
  forReadings: string;
  windowSeconds: string;
  aggregation: Aggregation | '';
  clearThreshold: string;
  noDataSeconds: string;
  repeatIntervalSeconds: string;
}

export type DraftField = keyof RuleDraft;

export interface DraftProblem {
  /** The form field at fault, or null when the problem is the rule as a whole. */
  field: DraftField | null;
  /** For a selector's problem, the matcher row at fault, when it is one row's. */
  row?: number | null;
  message: string;
}

export function emptyDraft(): RuleDraft {
  return {
    name: '',
    description: '',
    target: 'every',
    deviceId: '',
    selector: [],
    metric: '',
    operator: 'GT',
    threshold: '',
    severity: 'WARNING',
    enabled: true,
    forReadings: '',
    windowSeconds: '',
    aggregation: '',
    clearThreshold: '',
    noDataSeconds: '',
    repeatIntervalSeconds: '',
  };
}

export function draftOf(rule: RuleFieldsFragment): RuleDraft {
  const text = (value: number | string | null) => (value === null ? '' : String(value));
  return {
    name: rule.name ?? '',
    description: rule.description ?? '',
    target: rule.deviceId !== null ? 'device' : rule.selector ? 'selector' : 'every',
    deviceId: rule.deviceId ?? '',
    selector: matcherRowsOf(rule.selector),
    metric: rule.metric,
    operator: rule.operator,
    threshold: String(rule.threshold),
    severity: rule.severity,
    enabled: rule.enabled,
    forReadings: rule.forReadings === 1 ? '' : String(rule.forReadings),
    windowSeconds: text(rule.windowSeconds),
    aggregation: rule.aggregation ?? '',
    clearThreshold: text(rule.clearThreshold),
    noDataSeconds: text(rule.noDataSeconds),
    repeatIntervalSeconds: text(rule.repeatIntervalSeconds),
  };
}

/**
 * Blank is "not set"; a number is a number; anything else is passed on as typed, so the
 * validation's message quotes what the operator wrote.
 */
function number(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : (trimmed as unknown as number);
}

function label(text: string): string | null {
  return text.trim() === '' ? null : text.trim();
}

/** Options a blank field resets (null) on update and leaves out on create. */
function options(draft: RuleDraft) {
  return {
    name: label(draft.name),
    description: label(draft.description),
    forReadings: number(draft.forReadings),
    windowSeconds: number(draft.windowSeconds),
    aggregation: draft.aggregation === '' ? null : draft.aggregation,
    clearThreshold: number(draft.clearThreshold),
    noDataSeconds: number(draft.noDataSeconds),
    repeatIntervalSeconds: number(draft.repeatIntervalSeconds),
  };
}

/** The target as the API takes it: a deviceId, a selector, or neither for every device. */
function target(draft: RuleDraft): Pick<CreateRuleInput, 'deviceId' | 'selector'> {
  switch (draft.target) {
    case 'device':
      return { deviceId: draft.deviceId.trim() };
    case 'selector':
      return { selector: matcherInputs(draft.selector) };
    case 'every':
      return {};
  }
}

export function createInput(draft: RuleDraft): CreateRuleInput {
  const set = Object.entries(options(draft)).filter(([, value]) => value !== null);
  return {
    ...target(draft),
    metric: draft.metric.trim(),
    operator: draft.operator,
    threshold: number(draft.threshold) ?? Number.NaN,
    severity: draft.severity,
    enabled: draft.enabled,
    ...Object.fromEntries(set),
  };
}

/**
 * Every field is sent: a blank option resets it to its default, as the API defines. A rule
 * keeps its device; one without a device takes a new selector, or none (`null`: every device)
 * when it had one.
 */
export function updateInput(draft: RuleDraft, existing?: RuleFieldsFragment): UpdateRuleInput {
  const selector =
    draft.target === 'selector'
      ? { selector: matcherInputs(draft.selector) }
      : draft.target === 'every' && existing?.selector
        ? { selector: null }
        : {};
  return {
    ...selector,
    metric: draft.metric.trim(),
    operator: draft.operator,
    threshold: number(draft.threshold) ?? Number.NaN,
    severity: draft.severity,
    enabled: draft.enabled,
    ...options(draft),
  };
}

/** What the API would refuse in this draft, checked by the same code; null when it is fine. */
export function draftProblem(draft: RuleDraft, existing?: RuleFieldsFragment): DraftProblem | null {
  if (draft.threshold.trim() === '') {
    return { field: 'threshold', message: 'input.threshold is required' };
  }
  const now = new Date().toISOString();
  try {
    if (draft.target === 'selector') parseSelector(matcherInputs(draft.selector), 'input.selector');
    if (existing) applyRuleUpdate(existing as Rule, updateInput(draft, existing), now);
    else newRule(createInput(draft), 'draft', now);
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // `input.selector[2].values[0]` is the selector's, in its third matcher.
    const field = /^input\.(\w+)/.exec(error.field ?? '')?.[1] ?? '';
    if (field === 'selector') {
      const { row, message } = matcherProblemOf(draft.selector, error, 'input.selector');
      return { field: 'selector', row, message };
    }
    return {
      field: field in draft ? (field as DraftField) : null,
      message: error.message,
    };
  }
}
