/**
 * Which alerts a silence or a maintenance window mutes, as typed into a form (a rule id, a
 * device id, a metric, severities ticked, label matcher rows), the API input built from it,
 * and the matchers in words for a list. Every matcher given must hold; a form with none would
 * mute every alert, so it is refused before anything is sent: the matchers are checked with
 * the domain's own validation, so the form shows the very message the API would return.
 */
import type { AlertMatchersInput, Severity } from '../../generated/console-operations.ts';
import { parseAlertMatchers } from '../../domain/alert-matchers.ts';
import { ValidationError } from '../../domain/errors.ts';
import { severities } from '../../domain/rule.ts';
import type { MatcherRow } from './matcher-draft.ts';
import { matcherInputs, matcherProblemOf, matcherRowsOf } from './matcher-draft.ts';
import type { MatcherText } from './label-text.ts';
import { selectorText } from './label-text.ts';

export interface MatchersDraft {
  ruleId: string;
  deviceId: string;
  metric: string;
  /** Ticked severities; none ticked is no severity matcher (any severity). */
  severities: Severity[];
  labels: MatcherRow[];
}

/** The matchers as the API lists them. */
export interface AlertMatchersShown {
  ruleId: string | null;
  deviceId: string | null;
  metric: string | null;
  severities: readonly Severity[] | null;
  labels: readonly MatcherText[] | null;
}

export type MatchersField = 'ruleId' | 'deviceId' | 'metric' | 'severities' | 'labels';

export interface MatchersProblem {
  /** The matcher at fault, or null when it is the matchers as a whole (none given). */
  field: MatchersField | null;
  /** For the labels, the row at fault when it is one row's. */
  row?: number | null;
  message: string;
}

export function emptyMatchers(): MatchersDraft {
  return { ruleId: '', deviceId: '', metric: '', severities: [], labels: [] };
}

/** A draft of matchers already saved, for editing. */
export function matchersDraftOf(matchers: AlertMatchersShown): MatchersDraft {
  return {
    ruleId: matchers.ruleId ?? '',
    deviceId: matchers.deviceId ?? '',
    metric: matchers.metric ?? '',
    severities: [...(matchers.severities ?? [])],
    labels: matcherRowsOf(matchers.labels),
  };
}

/** The matchers typed, each left out when blank; severities in the schema's order. */
export function matchersInput(draft: MatchersDraft): AlertMatchersInput {
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  const labels = matcherInputs(draft.labels);
  const ticked = severities.filter((severity) => draft.severities.includes(severity));
  const input: AlertMatchersInput = {};
  const ruleId = text(draft.ruleId);
  const deviceId = text(draft.deviceId);
  const metric = text(draft.metric);
  if (ruleId !== null) input.ruleId = ruleId;
  if (deviceId !== null) input.deviceId = deviceId;
  if (metric !== null) input.metric = metric;
  if (ticked.length > 0) input.severities = ticked;
  if (labels.length > 0) input.labels = labels;
  return input;
}

/**
 * Where a domain ValidationError about the matchers points (`input.matchers.deviceId`, or
 * `input.matchers.labels[2].key` → the labels' third row sent); null when it is not about
 * them. `field` is the input's path to the matchers, e.g. `input.matchers`.
 */
export function matchersProblemOf(
  draft: MatchersDraft,
  error: ValidationError,
  field: string,
): MatchersProblem | null {
  const path = error.field ?? '';
  if (path === field) return { field: null, message: error.message };
  if (!path.startsWith(`${field}.`)) return null;
  const matcher = /^(\w+)/.exec(path.slice(field.length + 1))?.[1] ?? '';
  if (matcher === 'labels') {
    return { field: 'labels', ...matcherProblemOf(draft.labels, error, `${field}.labels`) };
  }
  const known: readonly string[] = ['ruleId', 'deviceId', 'metric', 'severities'];
  return {
    field: known.includes(matcher) ? (matcher as MatchersField) : null,
    message: error.message,
  };
}

/** What the API would refuse in the matchers, checked by the same code; null when they are fine. */
export function matchersProblem(draft: MatchersDraft, field: string): MatchersProblem | null {
  try {
    parseAlertMatchers(matchersInput(draft), field);
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return matchersProblemOf(draft, error, field) ?? { field: null, message: error.message };
  }
}

/**
 * The matchers in words, each one a phrase: `rule Boiler too hot`, `device boiler-1`,
 * `metric temperature`, `CRITICAL or WARNING`, `labels site=berlin`. `ruleName` names a
 * rule the page knows; otherwise its id is shown.
 */
export function matchersText(
  matchers: AlertMatchersShown,
  ruleName: (id: string) => string | null = () => null,
): string[] {
  const phrases: string[] = [];
  if (matchers.ruleId) phrases.push(`rule ${ruleName(matchers.ruleId) ?? matchers.ruleId}`);
  if (matchers.deviceId) phrases.push(`device ${matchers.deviceId}`);
  if (matchers.metric) phrases.push(`metric ${matchers.metric}`);
  if (matchers.severities && matchers.severities.length > 0) {
    phrases.push(matchers.severities.join(' or '));
  }
  if (matchers.labels && matchers.labels.length > 0) {
    phrases.push(`labels ${selectorText(matchers.labels)}`);
  }
  return phrases;
}
