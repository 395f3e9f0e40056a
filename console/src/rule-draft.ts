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
import type { Rule } from '../../domain/rule.ts';
import { applyRuleUpdate, newRule } from '../../domain/rule.ts';

export interface RuleDraft {
  name: string;
  description: string;
  deviceId: string;
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
  message: string;
}

export function emptyDraft(): RuleDraft {
  return {
    name: '',
    description: '',
    deviceId: '',
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
    deviceId: rule.deviceId ?? '',
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

export function createInput(draft: RuleDraft): CreateRuleInput {
  const set = Object.entries(options(draft)).filter(([, value]) => value !== null);
  return {
    ...(label(draft.deviceId) === null ? {} : { deviceId: draft.deviceId.trim() }),
    metric: draft.metric.trim(),
    operator: draft.operator,
    threshold: number(draft.threshold) ?? Number.NaN,
    severity: draft.severity,
    enabled: draft.enabled,
    ...Object.fromEntries(set),
  };
}

/** Every field is sent: a blank option resets it to its default, as the API defines. */
export function updateInput(draft: RuleDraft): UpdateRuleInput {
  return {
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
    if (existing) applyRuleUpdate(existing as Rule, updateInput(draft), now);
    else newRule(createInput(draft), 'draft', now);
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const field = error.field?.replace(/^input\./, '') ?? '';
    return {
      field: field in draft ? (field as DraftField) : null,
      message: error.message,
    };
  }
}
