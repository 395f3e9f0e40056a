/**
 * Labels and label selectors as the console writes and reads them: a device's labels as
 * `key=value` lines in a text box, and a selector as one line of text
 * (`site=berlin, model in (b200, b300)`).
 */
import type { LabelInput, LabelOperator } from '../../generated/console-operations.ts';

/** A label as the API lists it. */
export interface LabelPair {
  key: string;
  value: string;
}

/** A label matcher as the API lists it. */
export interface MatcherText {
  key: string;
  operator: LabelOperator;
  values: readonly string[];
}

/** Labels as the text box holds them: one `key=value` per line, sorted by key. */
export function labelsText(labels: readonly LabelPair[]): string {
  return [...labels]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, value }) => `${key}=${value}`)
    .join('\n');
}

/** The labels in a text box, or why the text cannot be read as labels. */
export type LabelLines =
  { labels: LabelInput[]; problem: null } | { labels: null; problem: string };

/**
 * The labels in the text box: one `key=value` per line, split at the first `=`, blank lines
 * skipped. Keys and values are passed on as typed (only the line's ends trimmed), so the
 * domain's validation judges them. A line without `=` is a problem of the text itself.
 */
export function labelLines(text: string): LabelLines {
  const labels: LabelInput[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const equals = line.indexOf('=');
    if (equals < 0) {
      return {
        labels: null,
        problem: `Line ${index + 1}: write each label as key=value; got ${line}`,
      };
    }
    labels.push({ key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim() });
  }
  return { labels, problem: null };
}

/** Labels as a record, the shape the domain's `selects` reads. */
export function labelRecord(labels: readonly LabelPair[]): Record<string, string> {
  return Object.fromEntries(labels.map(({ key, value }) => [key, value]));
}

/**
 * One matcher in words, Kubernetes-style: `site=berlin`, `site!=berlin`,
 * `model in (b200, b300)`, `model notin (b100)`, `site` (present), `!site` (absent).
 */
export function matcherText({ key, operator, values }: MatcherText): string {
  const list = `(${values.join(', ')})`;
  switch (operator) {
    case 'EQ':
      return `${key}=${values[0] ?? ''}`;
    case 'NEQ':
      return `${key}!=${values[0] ?? ''}`;
    case 'IN':
      return `${key} in ${list}`;
    case 'NOT_IN':
      return `${key} notin ${list}`;
    case 'EXISTS':
      return key;
    case 'NOT_EXISTS':
      return `!${key}`;
  }
}

/** A selector in words: its matchers, all of which must hold, joined by commas. */
export function selectorText(selector: readonly MatcherText[]): string {
  return selector.map(matcherText).join(', ');
}
