import type {
  LabelInput,
  LabelMatcher as LabelMatcherType,
  LabelOperator,
} from '../generated/graphql.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { requireOneOf } from './validation.ts';
import { truncate } from './time.ts';

/*
 * A device's labels and the selectors rules use to pick devices by them.
 *
 * A label is `key=value`, e.g. `site=berlin` or `model=b200`. Keys are 1 to 63 lower-case
 * letters, digits and `. _ -`, starting and ending with a letter or digit (so they read the
 * same in a selector, an SNS filter policy and a URL). Values are 0 to 128 characters, any
 * but control characters; an empty value is a label that is present with the value ''. A
 * device has at most 32 labels, each key once.
 *
 * A selector is 1 to 16 matchers that must all hold. NEQ, NOT_IN and NOT_EXISTS hold for a
 * device without the label, as in Kubernetes: `site NEQ berlin` selects unlabelled devices.
 */

/** A device's labels by key. Stored and passed around as a plain object, never mutated. */
export type Labels = Readonly<Record<string, string>>;

/** One condition on a device's labels (the GraphQL shape). */
export type LabelMatcher = Omit<LabelMatcherType, '__typename'>;

/** Matchers that must all hold: a rule's selector. */
export type LabelSelector = readonly LabelMatcher[];

export const labelOperators: readonly LabelOperator[] = [
  'EQ',
  'NEQ',
  'IN',
  'NOT_IN',
  'EXISTS',
  'NOT_EXISTS',
];

const KEY_PATTERN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
// eslint-disable-next-line no-control-regex -- the point is to refuse them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** No labels: what an unknown device has. */
export const noLabels: Labels = Object.freeze({});

/**
 * Validates labels as a client sends them (`[{ key, value }]`) into an object by key.
 * Absent means none. `field` names the input, e.g. `input.labels`, so an error names
 * `input.labels[2].key`.
 */
export function parseLabels(
  input: readonly LabelInput[] | null | undefined,
  field: string,
): Record<string, string> {
  const labels: Record<string, string> = {};
  if (input === null || input === undefined) return labels;
  if (!Array.isArray(input)) {
    throw new ValidationError(`${field} must be a list of { key, value }`, field);
  }
  if (input.length > limits.maxLabels) {
    throw new ValidationError(
      `${field} may hold at most ${limits.maxLabels} labels; got ${input.length}`,
      field,
    );
  }
  input.forEach((label: unknown, index) => {
    const at = `${field}[${index}]`;
    if (label === null || typeof label !== 'object') {
      throw new ValidationError(`${at} must be an object { key, value }`, at);
    }
    const { key, value } = label as Record<string, unknown>;
    const name = requireLabelKey(key, `${at}.key`);
    if (Object.hasOwn(labels, name)) {
      throw new ValidationError(`${at}.key '${name}' appears more than once`, `${at}.key`);
    }
    labels[name] = requireLabelValue(value, `${at}.value`);
  });
  return labels;
}

/** Labels in their GraphQL shape, sorted by key so every reader sees the same order. */
export function labelList(labels: Labels): { key: string; value: string }[] {
  return Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: labels[key] as string }));
}

/** Labels as `key=value` strings sorted by key: the e-mail line and the SNS attribute. */
export function labelPairs(labels: Labels): string[] {
  return labelList(labels).map(({ key, value }) => `${key}=${value}`);
}

/**
 * Validates a selector: 1 to 16 matchers; EQ and NEQ take one value, IN and NOT_IN one or
 * more (duplicates dropped), EXISTS and NOT_EXISTS none. Absent or empty is refused: a
 * caller for whom "no selector" is meaningful checks for that first.
 */
export function parseSelector(input: unknown, field: string): LabelSelector {
  if (!Array.isArray(input) || input.length === 0) {
    throw new ValidationError(
      `${field} must be a list of 1 to ${limits.maxSelectorMatchers} label matchers`,
      field,
    );
  }
  if (input.length > limits.maxSelectorMatchers) {
    throw new ValidationError(
      `${field} may hold at most ${limits.maxSelectorMatchers} matchers; got ${input.length}`,
      field,
    );
  }
  return input.map((matcher: unknown, index) => parseMatcher(matcher, `${field}[${index}]`));
}

function parseMatcher(input: unknown, field: string): LabelMatcher {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError(`${field} must be an object { key, operator, values }`, field);
  }
  const { key, operator, values } = input as Record<string, unknown>;
  const matcher = {
    key: requireLabelKey(key, `${field}.key`),
    operator: requireOneOf(operator, labelOperators, `${field}.operator`),
  };
  const at = `${field}.values`;
  const given = values === null || values === undefined ? [] : values;
  if (!Array.isArray(given)) throw new ValidationError(`${at} must be a list of strings`, at);
  const list = given.map((value: unknown, index) => requireLabelValue(value, `${at}[${index}]`));
  switch (matcher.operator) {
    case 'EQ':
    case 'NEQ':
      if (list.length !== 1) {
        throw new ValidationError(
          `${at} must hold exactly one value for ${matcher.operator}; got ${list.length}`,
          at,
        );
      }
      return { ...matcher, values: list };
    case 'IN':
    case 'NOT_IN': {
      const unique = [...new Set(list)];
      if (unique.length === 0 || unique.length > limits.maxMatcherValues) {
        throw new ValidationError(
          `${at} must hold 1 to ${limits.maxMatcherValues} values for ${matcher.operator}; got ${unique.length}`,
          at,
        );
      }
      return { ...matcher, values: unique };
    }
    case 'EXISTS':
    case 'NOT_EXISTS':
      if (list.length !== 0) {
        throw new ValidationError(
          `${at} must be empty for ${matcher.operator}; got ${list.length} values`,
          at,
        );
      }
      return { ...matcher, values: [] };
  }
}

/** True when every matcher of the selector holds for the labels. */
export function selects(selector: LabelSelector, labels: Labels): boolean {
  for (const matcher of selector) {
    // Own properties only: a key such as `constructor` must not find Object's.
    const value = Object.hasOwn(labels, matcher.key) ? labels[matcher.key] : undefined;
    if (!holds(matcher, value)) return false;
  }
  return true;
}

function holds(matcher: LabelMatcher, value: string | undefined): boolean {
  switch (matcher.operator) {
    case 'EQ':
      return value === matcher.values[0];
    case 'NEQ':
      return value !== matcher.values[0];
    case 'IN':
      return value !== undefined && matcher.values.includes(value);
    case 'NOT_IN':
      return value === undefined || !matcher.values.includes(value);
    case 'EXISTS':
      return value !== undefined;
    case 'NOT_EXISTS':
      return value === undefined;
  }
}

/** A label key: 1 to 63 lower-case letters, digits and `. _ -`, a letter or digit at each end. */
export function requireLabelKey(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`${field} is required and must be a non-empty string`, field);
  }
  if (value.length > limits.maxLabelKeyLength) {
    throw new ValidationError(
      `${field} must be at most ${limits.maxLabelKeyLength} characters; got ${value.length}`,
      field,
    );
  }
  if (!KEY_PATTERN.test(value)) {
    throw new ValidationError(
      `${field} may contain only lower-case letters, digits and . _ - , starting and ending with a letter or digit; got '${truncate(value)}'`,
      field,
    );
  }
  return value;
}

/** A label value: 0 to 128 characters, none of them a control character. */
export function requireLabelValue(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new ValidationError(`${field} must be a string`, field);
  }
  if (value.length > limits.maxLabelValueLength) {
    throw new ValidationError(
      `${field} must be at most ${limits.maxLabelValueLength} characters; got ${value.length}`,
      field,
    );
  }
  if (CONTROL_CHARACTERS.test(value)) {
    throw new ValidationError(`${field} must not contain control characters`, field);
  }
  return value;
}
