import type { CreateDeviceCredentialInput } from '../generated/graphql.ts';
import type { DeviceScope } from './caller.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { optionalLabel, requireId } from './validation.ts';

/**
 * What an admin asks a device credential to cover, checked: a name, and device ids, a prefix
 * of them, or both. Kept apart from issuing (which needs node:crypto) so that the console
 * checks its form with the very same rules and messages.
 */
export function parseCredentialInput(input: CreateDeviceCredentialInput): {
  name: string;
  scope: DeviceScope;
} {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  const name = optionalLabel(input.name, 'input.name', limits.maxCredentialNameLength);
  if (name === null) {
    throw new ValidationError(
      'input.name is required: say which device or gateway will hold the credential',
      'input.name',
    );
  }
  const deviceIds = parseDeviceIds(input.deviceIds);
  let deviceIdPrefix: string | null = null;
  if (input.deviceIdPrefix !== null && input.deviceIdPrefix !== undefined) {
    if (input.deviceIdPrefix === '') {
      throw new ValidationError(
        'input.deviceIdPrefix must not be empty: omit it, or give the start the device ids share',
        'input.deviceIdPrefix',
      );
    }
    deviceIdPrefix = requireId(input.deviceIdPrefix, 'input.deviceIdPrefix');
  }
  if (deviceIds.length === 0 && deviceIdPrefix === null) {
    throw new ValidationError(
      'input must name the devices the credential covers: deviceIds, deviceIdPrefix, or both',
      'input',
    );
  }
  return { name, scope: { deviceIds, deviceIdPrefix } };
}

function parseDeviceIds(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ValidationError('input.deviceIds must be a list of device ids', 'input.deviceIds');
  }
  if (value.length > limits.maxCredentialDeviceIds) {
    throw new ValidationError(
      `input.deviceIds lists ${value.length} device ids; at most ${limits.maxCredentialDeviceIds}, or cover them with deviceIdPrefix`,
      'input.deviceIds',
    );
  }
  const ids = value.map((id, index) => requireId(id, `input.deviceIds[${index}]`));
  return [...new Set(ids)];
}
