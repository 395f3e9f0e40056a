import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { DeviceFieldsFragment } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { errorText } from './error-text.ts';
import type { DeviceProblem } from './device-draft.ts';
import { deviceChange } from './device-draft.ts';
import { labelsText } from './label-text.ts';
import { updateDeviceMutation } from './operations.ts';
import { Problem } from './problem.tsx';

type Device = DeviceFieldsFragment;

/**
 * Names and labels a device: a name, and its labels as `key=value` lines, which replace the
 * device's labels on save. Both are checked with the domain's own validation first.
 */
export function DeviceEditor(props: {
  api: Api;
  device: Device;
  onSaved(device: Device): void;
  onCancel(): void;
}) {
  const { api, device, onSaved, onCancel } = props;
  const [name, setName] = useState(device.name ?? '');
  const [labels, setLabels] = useState(labelsText(device.labels));
  const [problem, setProblem] = useState<DeviceProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  // The form replaces the button that opened it; the operator continues in its first field.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input')?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const change = deviceChange(name, labels);
    setProblem(change.problem);
    if (change.input === null) return;
    setSaving(true);
    try {
      const saved = await api.request(updateDeviceMutation, { id: device.id, input: change.input });
      onSaved(saved.updateDevice);
    } catch (error) {
      setProblem({ field: null, message: errorText(error) });
    } finally {
      setSaving(false);
    }
  };

  const invalid = problem?.field === 'labels';
  const nameInvalid = problem?.field === 'name';
  return (
    <form
      ref={form}
      class="device-form"
      onSubmit={submit}
      noValidate
      aria-label={`Edit device ${device.id}`}
    >
      <div class="field">
        <label for={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          type="text"
          autoComplete="off"
          value={name}
          aria-invalid={nameInvalid ? 'true' : undefined}
          aria-describedby={nameInvalid ? `${id}-problem` : undefined}
          onInput={(e) => {
            setName(e.currentTarget.value);
            if (nameInvalid) setProblem(null);
          }}
        />
      </div>
      <div class="field">
        <label for={`${id}-labels`}>Labels</label>
        <textarea
          id={`${id}-labels`}
          rows={Math.max(3, labels.split('\n').length + 1)}
          spellcheck={false}
          value={labels}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={invalid ? `${id}-problem` : `${id}-hint`}
          onInput={(e) => {
            setLabels(e.currentTarget.value);
            if (invalid) setProblem(null);
          }}
        />
        <small id={`${id}-hint`} class="hint">
          One key=value per line, e.g. site=berlin. Keys: lower case letters, digits, '.', '_' and
          '-'. Saving replaces the device's labels; rules follow within their refresh time.
        </small>
      </div>
      <Problem text={problem?.message} id={`${id}-problem`} />
      <div class="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save device'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
