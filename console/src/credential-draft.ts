/**
 * A device credential as typed into the admin's form, and the API input built from it. The
 * draft is checked with the domain's own validation of a credential's input, with the API's
 * messages, so what the API would refuse is shown next to the field before anything is sent.
 */
import type { CreateDeviceCredentialInput } from '../../generated/console-operations.ts';
import { ValidationError } from '../../domain/errors.ts';
import { parseCredentialInput } from '../../domain/device-credential-input.ts';

export interface CredentialDraft {
  name: string;
  /** Device ids, separated by commas or new lines. */
  deviceIds: string;
  deviceIdPrefix: string;
}

export type CredentialField = keyof CredentialDraft;

export interface CredentialProblem {
  /** The form field at fault, or null when the problem is the draft as a whole. */
  field: CredentialField | null;
  message: string;
}

export function emptyCredentialDraft(): CredentialDraft {
  return { name: '', deviceIds: '', deviceIdPrefix: '' };
}

/** The ids typed, one per comma or line, blanks dropped and each one trimmed. */
export function deviceIdList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

export function credentialInput(draft: CredentialDraft): CreateDeviceCredentialInput {
  const deviceIds = deviceIdList(draft.deviceIds);
  const prefix = draft.deviceIdPrefix.trim();
  return {
    name: draft.name.trim(),
    ...(deviceIds.length > 0 ? { deviceIds } : {}),
    ...(prefix === '' ? {} : { deviceIdPrefix: prefix }),
  };
}

/** What the API would refuse in this draft, and in which field; null when it is fine. */
export function credentialProblem(draft: CredentialDraft): CredentialProblem | null {
  try {
    parseCredentialInput(credentialInput(draft));
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const field = /^input\.(name|deviceIds|deviceIdPrefix)\b/.exec(error.field ?? '')?.[1];
    return { field: (field as CredentialField | undefined) ?? null, message: error.message };
  }
}
