import type { JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { RuleFieldsFragment } from '../../generated/console-operations.ts';
import type { Operator } from '../../generated/console-operations.ts';
import { aggregations, operatorSymbols, operators, severities } from '../../domain/rule.ts';
import type { Api } from './api.ts';
import { errorText } from './error-text.ts';
import { emptyMatcherRow } from './matcher-draft.ts';
import { MatcherRows } from './matcher-rows.tsx';
import { createRuleMutation, updateRuleMutation } from './operations.ts';
import type { DraftField, DraftProblem, RuleDraft, RuleTarget } from './rule-draft.ts';
import { createInput, draftOf, draftProblem, emptyDraft, updateInput } from './rule-draft.ts';
import { Problem } from './problem.tsx';
import { RuleTest } from './rule-test.tsx';

type Rule = RuleFieldsFragment;

const targets: readonly [RuleTarget, string][] = [
  ['device', 'One device'],
  ['every', 'Every device'],
  ['selector', 'Devices with labels'],
];

/** Creates a rule, or edits one when `rule` is given. */
export function RuleForm(props: {
  api: Api;
  rule?: Rule;
  onSaved(rule: Rule): void;
  onCancel(): void;
}) {
  const { api, rule, onSaved, onCancel } = props;
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftOf(rule) : emptyDraft()));
  const [problem, setProblem] = useState<DraftProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  // The form replaces the button that opened it; the operator continues in its name.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input[name="name"]')?.focus();
  }, []);

  const set = <K extends DraftField>(field: K, value: RuleDraft[K]) => {
    setDraft((current) => ({ ...current, [field]: value }));
    if (problem?.field === field) setProblem(null);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = draftProblem(draft, rule);
    setProblem(found);
    if (found) return;
    setSaving(true);
    try {
      const saved = rule
        ? (await api.request(updateRuleMutation, { id: rule.id, input: updateInput(draft, rule) }))
            .updateRule
        : (await api.request(createRuleMutation, { input: createInput(draft) })).createRule;
      onSaved(saved);
    } catch (error) {
      setProblem({ field: null, message: errorText(error) });
    } finally {
      setSaving(false);
    }
  };

  const field = (
    name: DraftField,
    text: string,
    input: (attrs: Record<string, unknown>) => JSX.Element,
    hint?: string,
  ) => {
    const inputId = `${id}-${name}`;
    const invalid = problem?.field === name;
    return (
      <div class={`field field-${name}`}>
        <label for={inputId}>{text}</label>
        {input({
          id: inputId,
          name,
          'aria-invalid': invalid ? 'true' : undefined,
          'aria-describedby': invalid ? `${id}-problem` : hint ? `${inputId}-hint` : undefined,
        })}
        {hint && (
          <small id={`${inputId}-hint`} class="hint">
            {hint}
          </small>
        )}
      </div>
    );
  };
  const text = (name: DraftField, label: string, hint?: string, inputMode?: string) =>
    field(
      name,
      label,
      (attrs) => (
        <input
          {...attrs}
          type="text"
          inputMode={inputMode as 'decimal' | 'numeric' | undefined}
          autoComplete="off"
          value={draft[name] as string}
          onInput={(e) => set(name, e.currentTarget.value as never)}
        />
      ),
      hint,
    );
  const choice = (name: DraftField, label: string, values: readonly string[], blank?: string) =>
    field(name, label, (attrs) => (
      <select
        {...attrs}
        value={draft[name] as string}
        onChange={(e) => set(name, e.currentTarget.value as never)}
      >
        {blank !== undefined && <option value="">{blank}</option>}
        {values.map((value) => (
          <option key={value} value={value}>
            {name === 'operator' ? `${value} (${operatorSymbols[value as Operator]})` : value}
          </option>
        ))}
      </select>
    ));

  return (
    <form
      ref={form}
      class="rule-form"
      onSubmit={submit}
      noValidate
      aria-label={rule ? 'Edit rule' : 'New rule'}
    >
      <h2>{rule ? `Edit ${rule.name ?? rule.metric}` : 'New rule'}</h2>
      {rule?.deviceId ? (
        <p class="field">
          <span class="label">Watches</span> device {rule.deviceId} (fixed once created)
        </p>
      ) : (
        <fieldset class="segmented target">
          <legend>Watches</legend>
          {targets
            .filter(([value]) => !rule || value !== 'device')
            .map(([value, text]) => (
              <label key={value}>
                <input
                  type="radio"
                  name={`${id}-target`}
                  checked={draft.target === value}
                  onChange={() => {
                    set('target', value);
                    if (value === 'selector' && draft.selector.length === 0) {
                      set('selector', [emptyMatcherRow()]);
                    }
                  }}
                />
                {text}
              </label>
            ))}
        </fieldset>
      )}
      {draft.target === 'device' && !rule && (
        <div class="fields">{text('deviceId', 'Device', 'The device id, as it sends it')}</div>
      )}
      {draft.target === 'selector' && (
        <>
          <MatcherRows
            legend="Devices whose labels match all of"
            rows={draft.selector}
            onChange={(rows) => set('selector', rows)}
            invalidRow={problem?.field === 'selector' ? (problem.row ?? null) : null}
            describedBy={`${id}-problem`}
          />
        </>
      )}
      <div class="fields">
        {text('name', 'Name')}
        {text('metric', 'Metric', 'As the devices send it, e.g. temperature')}
        {choice('operator', 'Fires when the value is', operators)}
        {text('threshold', 'Threshold', undefined, 'decimal')}
        {choice('severity', 'Severity', severities)}
      </div>
      <details open={Boolean(rule && hasOptions(rule))}>
        <summary>More options</summary>
        <div class="fields">
          {text('forReadings', 'Consecutive readings', 'Blank: 1', 'numeric')}
          {text(
            'windowSeconds',
            'Window (seconds)',
            'Compare an aggregate of the window',
            'numeric',
          )}
          {choice('aggregation', 'Aggregation', aggregations, 'AVG (default)')}
          {text('clearThreshold', 'Clear threshold', 'Blank: the threshold', 'decimal')}
          {text('noDataSeconds', 'No data after (seconds)', 'Blank: never', 'numeric')}
          {text('repeatIntervalSeconds', 'Repeat every (seconds)', 'Blank: never', 'numeric')}
          {text('description', 'Description')}
        </div>
      </details>
      <label class="checkbox">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => set('enabled', e.currentTarget.checked)}
        />
        Enabled
      </label>
      {testing && <RuleTest api={api} draft={draft} {...(rule ? { rule } : {})} />}
      <Problem text={problem?.message} id={`${id}-problem`} />
      <div class="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}
        </button>
        {!testing && (
          <button type="button" onClick={() => setTesting(true)}>
            Test this rule
          </button>
        )}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function hasOptions(rule: Rule): boolean {
  return (
    rule.forReadings > 1 ||
    rule.windowSeconds !== null ||
    rule.clearThreshold !== null ||
    rule.noDataSeconds !== null ||
    rule.repeatIntervalSeconds !== null ||
    rule.description !== null
  );
}
