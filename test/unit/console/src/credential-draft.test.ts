import { describe, expect, it } from 'vitest';
import type { CredentialDraft } from '../../../../console/src/credential-draft.ts';
import {
  credentialInput,
  credentialProblem,
  deviceIdList,
  emptyCredentialDraft,
} from '../../../../console/src/credential-draft.ts';
import { issueDeviceCredential } from '../../../../domain/device-credential.ts';
import { ValidationError } from '../../../../domain/errors.ts';
import { limits } from '../../../../domain/limits.ts';

const draft = (changes: Partial<CredentialDraft>): CredentialDraft => ({
  ...emptyCredentialDraft(),
  name: 'berlin-gateway',
  ...changes,
});

describe('deviceIdList', () => {
  it('given ids separated by commas and new lines, with blanks and spaces, then each id is listed once trimmed', () => {
    expect(deviceIdList(' boiler-1, boiler-2\n\nboiler-3 ,\r\n pump-1 ,,')).toEqual([
      'boiler-1',
      'boiler-2',
      'boiler-3',
      'pump-1',
    ]);
  });

  it('given nothing typed, then no ids', () => {
    expect(deviceIdList('  \n ')).toEqual([]);
  });
});

describe('credentialInput', () => {
  it('given ids and a prefix, then the input carries both, trimmed', () => {
    expect(
      credentialInput(
        draft({ name: ' Berlin gateway ', deviceIds: 'a-1, a-2', deviceIdPrefix: ' berlin- ' }),
      ),
    ).toEqual({ name: 'Berlin gateway', deviceIds: ['a-1', 'a-2'], deviceIdPrefix: 'berlin-' });
  });

  it('given only a prefix, then no device ids are sent', () => {
    expect(credentialInput(draft({ deviceIdPrefix: 'demo-' }))).toEqual({
      name: 'berlin-gateway',
      deviceIdPrefix: 'demo-',
    });
  });
});

describe('credentialProblem', () => {
  it('given a name and devices, then there is nothing to fix', () => {
    expect(credentialProblem(draft({ deviceIds: 'boiler-1' }))).toBeNull();
    expect(credentialProblem(draft({ deviceIdPrefix: 'berlin-' }))).toBeNull();
  });

  it.each([
    ['no name', { name: '  ', deviceIds: 'boiler-1' }, 'name', /input\.name is required/],
    [
      'a name too long',
      { name: 'n'.repeat(limits.maxCredentialNameLength + 1), deviceIds: 'boiler-1' },
      'name',
      /input\.name/,
    ],
    [
      'no devices',
      {},
      null,
      /input must name the devices the credential covers: deviceIds, deviceIdPrefix, or both/,
    ],
    [
      'a device id with a space',
      { deviceIds: 'boiler-1, boiler 2' },
      'deviceIds',
      /input\.deviceIds\[1\] may contain only letters, digits/,
    ],
    [
      'too many device ids',
      {
        deviceIds: Array.from(
          { length: limits.maxCredentialDeviceIds + 1 },
          (_, i) => `d-${i}`,
        ).join(','),
      },
      'deviceIds',
      new RegExp(`at most ${limits.maxCredentialDeviceIds}, or cover them with deviceIdPrefix`),
    ],
    [
      'a prefix with a #',
      { deviceIdPrefix: 'site#' },
      'deviceIdPrefix',
      /input\.deviceIdPrefix may contain only letters, digits/,
    ],
  ])('given %s, then the problem is named on its field', (_case, changes, field, message) => {
    // Act
    const problem = credentialProblem(draft(changes));

    // Assess
    expect(problem?.field).toBe(field);
    expect(problem?.message).toMatch(message);
  });
});

describe('credentialProblem and the API', () => {
  /** The domain's answer to the same input: its message, or null when it issues a credential. */
  const apiProblem = (input: ReturnType<typeof credentialInput>): string | null => {
    try {
      issueDeviceCredential(input, 'admin@example.com', '2026-05-01T12:00:00.000Z');
      return null;
    } catch (error) {
      if (error instanceof ValidationError) return error.message;
      throw error;
    }
  };

  it.each([
    ['a good draft', draft({ deviceIds: 'boiler-1\nboiler-2', deviceIdPrefix: 'berlin-' })],
    ['no name', draft({ name: '', deviceIds: 'boiler-1' })],
    ['no devices', draft({})],
    ['a bad id', draft({ deviceIds: 'boiler 1' })],
    ['a bad prefix', draft({ deviceIdPrefix: 'a#b' })],
    ['a control character in the name', draft({ name: 'gate\u0007way', deviceIds: 'boiler-1' })],
  ])('given %s, then the form says what the API would say', (_case, typed) => {
    expect(credentialProblem(typed)?.message ?? null).toBe(apiProblem(credentialInput(typed)));
  });
});
