/**
 * A device's name and labels as typed into the edit form, and the `updateDevice` input built
 * from them. The draft is checked with the domain's own validation of that input
 * (`parseDeviceChange`, which reads the labels with `parseLabels`), so the page shows the
 * message the API would return, on the field at fault, before anything is sent.
 */
import type { UpdateDeviceInput } from '../../generated/console-operations.ts';
import { parseDeviceChange } from '../../domain/device.ts';
import { ValidationError } from '../../domain/errors.ts';
import { labelLines } from './label-text.ts';

export interface DeviceProblem {
  /** The form field at fault, or null when the problem is the input as a whole. */
  field: 'name' | 'labels' | null;
  message: string;
}

export type DeviceChange =
  { input: UpdateDeviceInput; problem: null } | { input: null; problem: DeviceProblem };

/**
 * The input for a name and `key=value` lines: a blank name clears it, and the labels replace
 * the device's (none typed: none kept). Or what is wrong with them, as the API would say.
 */
export function deviceChange(name: string, labels: string): DeviceChange {
  const lines = labelLines(labels);
  if (lines.problem !== null) {
    return { input: null, problem: { field: 'labels', message: lines.problem } };
  }
  const input = { name: name.trim() === '' ? null : name.trim(), labels: lines.labels };
  try {
    parseDeviceChange(input);
    return { input, problem: null };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const field = /^input\.(name|labels)\b/.exec(error.field ?? '')?.[1];
    return {
      input: null,
      problem: { field: (field as 'name' | 'labels' | undefined) ?? null, message: error.message },
    };
  }
}
