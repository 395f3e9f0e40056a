import { useId } from 'preact/hooks';
import type { RuleFieldsFragment } from '../../generated/console-operations.ts';
import { severities } from '../../domain/rule.ts';
import type { MatchersDraft, MatchersField } from './alert-matchers-draft.ts';
import { ruleTitle } from './format.ts';
import { MatcherRows } from './matcher-rows.tsx';

/**
 * Which alerts a silence or a maintenance window mutes: a rule (picked from the rules), a
 * device, a metric, severities and label matcher rows, all of which must hold. `invalid`
 * names the matcher a problem is about (and the label row), `describedBy` the problem's id.
 */
export function MatchersFields(props: {
  matchers: MatchersDraft;
  onChange(matchers: MatchersDraft): void;
  /** The rules to pick from; null while they load. */
  rules: readonly RuleFieldsFragment[] | null;
  invalid: { field: MatchersField | 'matchers'; row?: number | null } | null;
  describedBy: string;
}) {
  const { matchers, onChange, rules, invalid, describedBy } = props;
  const id = useId();
  const set = <K extends keyof MatchersDraft>(field: K, value: MatchersDraft[K]) =>
    onChange({ ...matchers, [field]: value });
  const attrs = (field: MatchersField) =>
    invalid?.field === field || invalid?.field === 'matchers'
      ? { 'aria-invalid': 'true' as const, 'aria-describedby': describedBy }
      : {};
  const known = rules?.some((rule) => rule.id === matchers.ruleId) ?? false;

  return (
    <fieldset class="matchers alert-matchers">
      <legend>Alerts matching all of</legend>
      <div class="fields">
        <div class="field">
          <label for={`${id}-rule`}>Rule</label>
          <select
            id={`${id}-rule`}
            value={matchers.ruleId}
            onChange={(e) => set('ruleId', e.currentTarget.value)}
            {...attrs('ruleId')}
          >
            <option value="">Any rule</option>
            {matchers.ruleId !== '' && !known && (
              <option value={matchers.ruleId}>
                {rules === null ? matchers.ruleId : `${matchers.ruleId} (no such rule now)`}
              </option>
            )}
            {rules?.map((rule) => (
              <option key={rule.id} value={rule.id}>
                {ruleTitle(rule)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${id}-device`}>Device</label>
          <input
            id={`${id}-device`}
            type="text"
            autoComplete="off"
            value={matchers.deviceId}
            onInput={(e) => set('deviceId', e.currentTarget.value)}
            {...attrs('deviceId')}
          />
        </div>
        <div class="field">
          <label for={`${id}-metric`}>Metric</label>
          <input
            id={`${id}-metric`}
            type="text"
            autoComplete="off"
            value={matchers.metric}
            onInput={(e) => set('metric', e.currentTarget.value)}
            {...attrs('metric')}
          />
        </div>
      </div>
      <fieldset class="segmented severities">
        <legend>Severities (none ticked: any)</legend>
        {severities.map((severity) => (
          <label key={severity}>
            <input
              type="checkbox"
              checked={matchers.severities.includes(severity)}
              onChange={(e) =>
                set(
                  'severities',
                  e.currentTarget.checked
                    ? [...matchers.severities, severity]
                    : matchers.severities.filter((s) => s !== severity),
                )
              }
            />
            {severity}
          </label>
        ))}
      </fieldset>
      <MatcherRows
        legend="Labels (the device's when the alert fired)"
        rows={matchers.labels}
        onChange={(rows) => set('labels', rows)}
        invalidRow={invalid?.field === 'labels' ? (invalid.row ?? null) : null}
        describedBy={describedBy}
      />
    </fieldset>
  );
}
