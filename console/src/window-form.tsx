import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type {
  MaintenanceWindowFieldsFragment,
  RuleFieldsFragment,
} from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { errorText } from './error-text.ts';
import { MatchersFields } from './matchers-fields.tsx';
import { createMaintenanceWindowMutation, updateMaintenanceWindowMutation } from './operations.ts';
import { Problem } from './problem.tsx';
import type { PeriodDraft, WindowDraft, WindowField, WindowProblem } from './window-draft.ts';
import {
  emptyPeriod,
  emptyWindowDraft,
  weekdays,
  windowDraftOf,
  windowInput,
  windowProblem,
} from './window-draft.ts';

type Window = MaintenanceWindowFieldsFragment;

/** The browser's own time zone, the one a new window starts in. */
function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The IANA time zones the browser knows, with `current` among them whatever it is. */
function timeZoneChoices(current: string): string[] {
  const known = Intl.supportedValuesOf('timeZone');
  return known.includes(current) || current === '' ? known : [current, ...known];
}

type OwnField = 'name' | 'timeZone' | 'periods' | 'startsOn' | 'endsOn';
const ownFields: readonly WindowField[] = ['name', 'timeZone', 'periods', 'startsOn', 'endsOn'];

/** Whether the problem is the matchers' (so the matcher fields point at it). */
function isMatchersField(field: WindowField): field is Exclude<WindowField, OwnField> {
  return !ownFields.includes(field);
}

/** Creates a maintenance window, or edits one when `window` is given. */
export function WindowForm(props: {
  api: Api;
  window?: Window;
  rules: readonly RuleFieldsFragment[] | null;
  onSaved(window: Window): void;
  onCancel(): void;
}) {
  const { api, window, rules, onSaved, onCancel } = props;
  const [draft, setDraft] = useState<WindowDraft>(() =>
    window ? windowDraftOf(window) : emptyWindowDraft(browserTimeZone()),
  );
  const [problem, setProblem] = useState<WindowProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const name = useRef<HTMLInputElement>(null);
  // The form replaces the button that opened it; the operator continues in its name.
  useEffect(() => name.current?.focus(), []);

  const set = <K extends keyof WindowDraft>(field: K, value: WindowDraft[K]) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setProblem(null);
  };
  const setPeriod = (index: number, change: Partial<PeriodDraft>) =>
    set(
      'periods',
      draft.periods.map((period, i) => (i === index ? { ...period, ...change } : period)),
    );

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = windowProblem(draft, Date.now());
    setProblem(found);
    if (found) return;
    setSaving(true);
    try {
      const input = windowInput(draft);
      const saved = window
        ? (await api.request(updateMaintenanceWindowMutation, { id: window.id, input }))
            .updateMaintenanceWindow
        : (await api.request(createMaintenanceWindowMutation, { input })).createMaintenanceWindow;
      onSaved(saved);
    } catch (error) {
      setProblem({ field: null, message: errorText(error) });
    } finally {
      setSaving(false);
    }
  };

  const problemId = `${id}-problem`;
  const invalid = (field: WindowField, row?: number, part?: WindowProblem['part']) =>
    problem?.field === field &&
    (row === undefined || problem.row === row) &&
    (part === undefined || problem.part === part)
      ? { 'aria-invalid': 'true' as const, 'aria-describedby': problemId }
      : {};

  return (
    <form
      class="rule-form window-form"
      onSubmit={submit}
      noValidate
      aria-label={window ? 'Edit maintenance window' : 'New maintenance window'}
    >
      <h2>{window ? `Edit ${window.name}` : 'New maintenance window'}</h2>
      <div class="fields">
        <div class="field">
          <label for={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            ref={name}
            type="text"
            autoComplete="off"
            value={draft.name}
            onInput={(e) => set('name', e.currentTarget.value)}
            {...invalid('name')}
          />
        </div>
        <div class="field">
          <label for={`${id}-zone`}>Time zone</label>
          <select
            id={`${id}-zone`}
            value={draft.timeZone}
            onChange={(e) => set('timeZone', e.currentTarget.value)}
            {...invalid('timeZone')}
          >
            {timeZoneChoices(draft.timeZone).map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${id}-starts-on`}>First day</label>
          <input
            id={`${id}-starts-on`}
            type="date"
            value={draft.startsOn}
            onInput={(e) => set('startsOn', e.currentTarget.value)}
            aria-describedby={`${id}-dates-hint`}
            {...invalid('startsOn')}
          />
        </div>
        <div class="field">
          <label for={`${id}-ends-on`}>Last day</label>
          <input
            id={`${id}-ends-on`}
            type="date"
            value={draft.endsOn}
            onInput={(e) => set('endsOn', e.currentTarget.value)}
            aria-describedby={`${id}-dates-hint`}
            {...invalid('endsOn')}
          />
        </div>
      </div>
      <small id={`${id}-dates-hint`} class="hint">
        Days in the window's time zone; blank: no first or last day.
      </small>
      <fieldset class="matchers periods">
        <legend>Every week</legend>
        {draft.periods.map((period, index) => (
          <div class="period-row" key={index} data-period={index}>
            <fieldset class="segmented days">
              <legend>Days of period {index + 1}</legend>
              {weekdays.map(({ day, short, name: dayName }) => (
                <label key={day}>
                  <input
                    type="checkbox"
                    aria-label={dayName}
                    {...invalid('periods', index, 'days')}
                    checked={period.days.includes(day)}
                    onChange={(e) =>
                      setPeriod(index, {
                        days: e.currentTarget.checked
                          ? [...period.days, day]
                          : period.days.filter((d) => d !== day),
                      })
                    }
                  />
                  <span aria-hidden="true">{short}</span>
                </label>
              ))}
            </fieldset>
            <div class="field">
              <label for={`${id}-${index}-start`}>From</label>
              <input
                id={`${id}-${index}-start`}
                type="text"
                inputMode="numeric"
                placeholder="HH:MM"
                autoComplete="off"
                value={period.start}
                onInput={(e) => setPeriod(index, { start: e.currentTarget.value })}
                {...invalid('periods', index, 'start')}
              />
            </div>
            <div class="field">
              <label for={`${id}-${index}-end`}>To</label>
              <input
                id={`${id}-${index}-end`}
                type="text"
                inputMode="numeric"
                placeholder="HH:MM"
                autoComplete="off"
                value={period.end}
                onInput={(e) => setPeriod(index, { end: e.currentTarget.value })}
                {...invalid('periods', index, 'end')}
              />
            </div>
            <button
              type="button"
              aria-label={`Remove period ${index + 1}`}
              onClick={() =>
                set(
                  'periods',
                  draft.periods.filter((_, i) => i !== index),
                )
              }
            >
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => set('periods', [...draft.periods, emptyPeriod()])}>
          Add period
        </button>
        <small class="hint">
          Local times as HH:MM; 24:00 ends at midnight; a period ending at or before its start runs
          into the next day.
        </small>
      </fieldset>
      <MatchersFields
        matchers={draft.matchers}
        onChange={(matchers) => set('matchers', matchers)}
        rules={rules}
        invalid={
          problem?.field && isMatchersField(problem.field)
            ? { field: problem.field, row: problem.row ?? null }
            : null
        }
        describedBy={problemId}
      />
      <label class="checkbox">
        <input
          type="checkbox"
          checked={draft.notifyResolved}
          onChange={(e) => set('notifyResolved', e.currentTarget.checked)}
        />
        Notify when a held alert resolves
      </label>
      <Problem text={problem?.message} id={problemId} />
      <div class="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : window ? 'Save window' : 'Create window'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
