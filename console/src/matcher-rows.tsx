import { useId } from 'preact/hooks';
import type { LabelOperator } from '../../generated/console-operations.ts';
import type { MatcherRow } from './matcher-draft.ts';
import { emptyMatcherRow, labelOperators, takesValues } from './matcher-draft.ts';

/**
 * Label matchers as rows of a key, an operator and values, with "Add matcher" and a
 * "Remove" per row: the Fleet page's label filter and a rule's selector. `invalidRow` marks
 * the row a problem names; `describedBy` is the id of the text that says what it is.
 */
export function MatcherRows(props: {
  legend: string;
  rows: MatcherRow[];
  onChange(rows: MatcherRow[]): void;
  invalidRow?: number | null;
  describedBy?: string;
}) {
  const { legend, rows, onChange, invalidRow, describedBy } = props;
  const id = useId();
  const set = (index: number, change: Partial<MatcherRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));

  return (
    <fieldset class="matchers">
      <legend>{legend}</legend>
      {rows.map((row, index) => {
        const rowId = `${id}-${index}`;
        const invalid = invalidRow === index;
        const attrs = {
          'aria-invalid': invalid ? ('true' as const) : undefined,
          'aria-describedby': invalid ? describedBy : undefined,
        };
        return (
          <div class="matcher-row" key={index} data-row={index}>
            <div class="field">
              <label for={`${rowId}-key`}>Label key</label>
              <input
                {...attrs}
                id={`${rowId}-key`}
                type="text"
                autoComplete="off"
                value={row.key}
                onInput={(e) => set(index, { key: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for={`${rowId}-operator`}>Operator</label>
              <select
                id={`${rowId}-operator`}
                value={row.operator}
                onChange={(e) => set(index, { operator: e.currentTarget.value as LabelOperator })}
              >
                {labelOperators.map(({ operator, text }) => (
                  <option key={operator} value={operator}>
                    {text}
                  </option>
                ))}
              </select>
            </div>
            {takesValues(row.operator) && (
              <div class="field">
                <label for={`${rowId}-values`}>
                  {row.operator === 'IN' || row.operator === 'NOT_IN' ? 'Values' : 'Value'}
                </label>
                <input
                  {...attrs}
                  id={`${rowId}-values`}
                  type="text"
                  autoComplete="off"
                  value={row.values}
                  onInput={(e) => set(index, { values: e.currentTarget.value })}
                />
              </div>
            )}
            <button
              type="button"
              aria-label={`Remove matcher ${index + 1}`}
              onClick={() => onChange(rows.filter((_, i) => i !== index))}
            >
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...rows, emptyMatcherRow()])}>
        Add matcher
      </button>
      {rows.some((row) => row.operator === 'IN' || row.operator === 'NOT_IN') && (
        <small class="hint">Separate several values with commas.</small>
      )}
    </fieldset>
  );
}
