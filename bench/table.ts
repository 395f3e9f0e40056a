/** One line of the report: what was measured, what it came to, and what it should be. */
export interface Row {
  metric: string;
  value: string;
  target: string;
}

/**
 * A target with its verdict, e.g. `≤ 15 ms (met)`. The benchmark never fails on timing;
 * it says whether each target was met so the reader does not have to compare by eye.
 */
export function target(text: string, met: boolean | null): string {
  if (met === null) return `${text} (not measured)`;
  return `${text} (${met ? 'met' : 'missed'})`;
}

/** Renders rows as a GitHub markdown table, escaping the characters that would break it. */
export function markdownTable(rows: readonly Row[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| metric | value | target |',
    '|---|---|---|',
    ...rows.map((row) => `| ${cell(row.metric)} | ${cell(row.value)} | ${cell(row.target)} |`),
  ].join('\n');
}
