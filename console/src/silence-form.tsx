import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type {
  RuleFieldsFragment,
  SilenceFieldsFragment,
} from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { errorText } from './error-text.ts';
import { dateTime } from './format.ts';
import { MatchersFields } from './matchers-fields.tsx';
import { createSilenceMutation } from './operations.ts';
import { Problem } from './problem.tsx';
import { allRules } from './rule-list.ts';
import type { SilenceDraft, SilenceField, SilenceProblem } from './silence-draft.ts';
import {
  createSilenceInput,
  durationPresets,
  emptySilenceDraft,
  silenceProblem,
  silenceTimes,
} from './silence-draft.ts';

const ownFields: readonly SilenceField[] = ['startsAt', 'endsAt', 'comment'];

/** Whether the problem is the matchers' (so the matcher fields point at it). */
function isMatchersField(
  field: SilenceField,
): field is Exclude<SilenceField, 'startsAt' | 'endsAt' | 'comment'> {
  return !ownFields.includes(field);
}

/**
 * Creates a silence: which alerts (the matchers), from when (blank: now), until when (a
 * duration or a time), why, and whether the resolution of an alert it held is still sent.
 * `draft` prefills it ("Silence this device for 2 h"), and then the comment takes focus: it is
 * the one field a prefilled form lacks. `rules`, when the page has them, saves loading them
 * again.
 */
export function SilenceForm(props: {
  api: Api;
  title: string;
  draft?: SilenceDraft;
  rules?: readonly RuleFieldsFragment[] | null;
  onSaved(silence: SilenceFieldsFragment): void;
  onCancel(): void;
}) {
  const { api, title, onSaved, onCancel } = props;
  const [draft, setDraft] = useState<SilenceDraft>(() => props.draft ?? emptySilenceDraft());
  const [problem, setProblem] = useState<SilenceProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const [loadedRules, setLoadedRules] = useState<readonly RuleFieldsFragment[] | null>(null);
  const rules = props.rules ?? loadedRules;
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  const comment = useRef<HTMLTextAreaElement>(null);
  // The form replaces the button that opened it: a prefilled one continues in its comment,
  // a blank one in its first field.
  const prefilled = props.draft !== undefined;
  useEffect(() => {
    (prefilled ? comment.current : form.current?.querySelector('select'))?.focus();
  }, [prefilled]);
  useEffect(() => {
    if (props.rules !== undefined) return;
    // Without the rules, the rule matcher still shows its id; the list is a convenience.
    allRules(api).then(setLoadedRules, () => setLoadedRules([]));
  }, [api, props.rules]);

  const set = <K extends keyof SilenceDraft>(field: K, value: SilenceDraft[K]) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setProblem(null);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const now = Date.now();
    const found = silenceProblem(draft, now);
    setProblem(found);
    if (found) return;
    setSaving(true);
    try {
      const saved = await api.request(createSilenceMutation, {
        input: createSilenceInput(draft, now),
      });
      onSaved(saved.createSilence);
    } catch (error) {
      setProblem({ field: null, message: errorText(error) });
    } finally {
      setSaving(false);
    }
  };

  const problemId = `${id}-problem`;
  const invalid = (field: SilenceField) =>
    problem?.field === field
      ? { 'aria-invalid': 'true' as const, 'aria-describedby': problemId }
      : {};
  const { endsAt } = silenceTimes(draft, Date.now());

  return (
    <form ref={form} class="rule-form silence-form" onSubmit={submit} noValidate aria-label={title}>
      <h2>{title}</h2>
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
      <div class="fields">
        <div class="field">
          <label for={`${id}-starts`}>Starts</label>
          <input
            id={`${id}-starts`}
            type="datetime-local"
            value={draft.startsAt}
            onInput={(e) => set('startsAt', e.currentTarget.value)}
            aria-describedby={`${id}-starts-hint`}
            {...invalid('startsAt')}
          />
          <small id={`${id}-starts-hint`} class="hint">
            Blank: now
          </small>
        </div>
        <fieldset class="segmented ends">
          <legend>Ends</legend>
          <label>
            <input
              type="radio"
              name={`${id}-ends`}
              checked={draft.ends === 'duration'}
              onChange={() => set('ends', 'duration')}
            />
            After
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-ends`}
              checked={draft.ends === 'until'}
              onChange={() => set('ends', 'until')}
            />
            At a time
          </label>
        </fieldset>
        {draft.ends === 'duration' ? (
          <div class="field">
            <label for={`${id}-duration`}>Duration</label>
            <select
              id={`${id}-duration`}
              value={draft.duration}
              onChange={(e) => set('duration', e.currentTarget.value as SilenceDraft['duration'])}
              aria-describedby={`${id}-ends-hint`}
              {...invalid('endsAt')}
            >
              {durationPresets.map(({ key, text }) => (
                <option key={key} value={key}>
                  {text}
                </option>
              ))}
            </select>
            <small id={`${id}-ends-hint`} class="hint">
              {endsAt === null ? ' ' : `Until ${dateTime(new Date(endsAt).toISOString())}`}
            </small>
          </div>
        ) : (
          <div class="field">
            <label for={`${id}-until`}>Until</label>
            <input
              id={`${id}-until`}
              type="datetime-local"
              value={draft.endsAt}
              onInput={(e) => set('endsAt', e.currentTarget.value)}
              {...invalid('endsAt')}
            />
          </div>
        )}
      </div>
      <div class="field">
        <label for={`${id}-comment`}>Comment</label>
        <textarea
          id={`${id}-comment`}
          ref={comment}
          rows={2}
          value={draft.comment}
          onInput={(e) => set('comment', e.currentTarget.value)}
          aria-describedby={`${id}-comment-hint`}
          {...invalid('comment')}
        />
        <small id={`${id}-comment-hint`} class="hint">
          Why, for whoever is on call next
        </small>
      </div>
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
          {saving ? 'Creating…' : 'Create silence'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
