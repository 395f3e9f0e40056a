/**
 * Label matchers as typed into rows of a form (a key, an operator, values separated by
 * commas), for the Fleet page's label filter and a rule's selector, and the API input built
 * from them. A filter is checked with the domain's own `parseSelector`, with the API's
 * messages, so a refused matcher is shown in its row before anything is sent.
 */
import type {
  DeviceFilter,
  LabelMatcherInput,
  LabelOperator,
} from '../../generated/console-operations.ts';
import { ValidationError } from '../../domain/errors.ts';
import { parseDeviceFilter } from '../../domain/device.ts';
import type { MatcherText } from './label-text.ts';

export interface MatcherRow {
  key: string;
  operator: LabelOperator;
  /** Values separated by commas; one for EQ and NEQ, none for EXISTS and NOT_EXISTS. */
  values: string;
}

/** The operators in the order the form offers them, with how each reads. */
export const labelOperators: readonly { operator: LabelOperator; text: string }[] = [
  { operator: 'EQ', text: 'is' },
  { operator: 'NEQ', text: 'is not' },
  { operator: 'IN', text: 'is one of' },
  { operator: 'NOT_IN', text: 'is none of' },
  { operator: 'EXISTS', text: 'is set' },
  { operator: 'NOT_EXISTS', text: 'is not set' },
];

/** Whether a matcher with this operator takes values. */
export function takesValues(operator: LabelOperator): boolean {
  return operator !== 'EXISTS' && operator !== 'NOT_EXISTS';
}

export function emptyMatcherRow(): MatcherRow {
  return { key: '', operator: 'EQ', values: '' };
}

/** Rows for a selector being edited. */
export function matcherRowsOf(selector: readonly MatcherText[] | null): MatcherRow[] {
  return (selector ?? []).map(({ key, operator, values }) => ({
    key,
    operator,
    values: values.join(', '),
  }));
}

/** A row left wholly blank is no matcher: it is dropped, not refused. */
function blank(row: MatcherRow): boolean {
  return row.key.trim() === '' && row.values.trim() === '';
}

/**
 * The matchers typed: blank rows dropped, the key trimmed, values split at commas, trimmed,
 * blanks dropped, and none sent for an operator that takes none.
 */
export function matcherInputs(rows: readonly MatcherRow[]): LabelMatcherInput[] {
  return rows
    .filter((row) => !blank(row))
    .map((row) => ({
      key: row.key.trim(),
      operator: row.operator,
      values: takesValues(row.operator)
        ? row.values
            .split(',')
            .map((value) => value.trim())
            .filter((value) => value !== '')
        : [],
    }));
}

/** The rows' index in the form of the matcher at `matcherIndex` once blank rows are dropped. */
function rowOf(rows: readonly MatcherRow[], matcherIndex: number): number | null {
  let seen = -1;
  for (const [index, row] of rows.entries()) {
    if (!blank(row) && ++seen === matcherIndex) return index;
  }
  return null;
}

export interface MatcherProblem {
  /** The row at fault, or null when the problem is the matchers as a whole. */
  row: number | null;
  message: string;
}

export interface FilterProblem extends MatcherProblem {
  /** The search, or the label matchers. */
  field: 'search' | 'labels';
}

/**
 * The row a domain ValidationError's field points at (`input.selector[2].values[0]` → the
 * third matcher sent), with the error's message.
 */
export function matcherProblemOf(
  rows: readonly MatcherRow[],
  error: ValidationError,
  field: string,
): MatcherProblem {
  const escaped = field.replace(/[.[\]]/g, '\\$&');
  const index = new RegExp(`^${escaped}\\[(\\d+)\\]`).exec(error.field ?? '')?.[1];
  return { row: index === undefined ? null : rowOf(rows, Number(index)), message: error.message };
}

/**
 * The Fleet page's filter: the search (in the id or name) and the label matchers, each left
 * out when there is none.
 */
export function deviceFilter(search: string, rows: readonly MatcherRow[]): DeviceFilter {
  const labels = matcherInputs(rows);
  return {
    ...(search.trim() === '' ? {} : { search: search.trim() }),
    ...(labels.length === 0 ? {} : { labels }),
  };
}

/** What the API would refuse in the filter, and where; null when it is fine. */
export function filterProblem(search: string, rows: readonly MatcherRow[]): FilterProblem | null {
  try {
    parseDeviceFilter(deviceFilter(search, rows));
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    if (error.field === 'filter.search') {
      return { field: 'search', row: null, message: error.message };
    }
    return { field: 'labels', ...matcherProblemOf(rows, error, 'filter.labels') };
  }
}
