import type { DeviceCredentialStore } from '../domain/ports.ts';
import { hashSecret, parseDeviceToken } from '../domain/device-credential.ts';

/** What the demo device credential covers: every device whose id starts with it. */
export const DEMO_DEVICE_PREFIX = 'demo-';

/**
 * Makes sure the demo device credential behind `token` (kept with the local stack's secrets)
 * is in the credentials table, as an admin would have issued it: stored as a hash, for the
 * devices `demo-*`. A credential an admin revoked stays revoked.
 */
export async function ensureDemoDeviceCredential(
  store: DeviceCredentialStore,
  token: string,
  at: string,
): Promise<void> {
  const parsed = parseDeviceToken(token);
  if (!parsed) throw new Error('The demo device token in the local secrets is malformed');
  if (await store.findForVerification(parsed.id)) return;
  await store.create(
    {
      id: parsed.id,
      name: 'demo devices (local stack)',
      deviceIds: [],
      deviceIdPrefix: DEMO_DEVICE_PREFIX,
      createdAt: at,
      createdBy: 'npm start',
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
    },
    hashSecret(parsed.secret),
  );
}
