import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceCredential } from '../../../domain/device-credential.ts';
import { parseDeviceToken, verifySecret } from '../../../domain/device-credential.ts';
import { signedInEvent } from '../../support/resolver-events.ts';

const stored = vi.hoisted(() => new Map<string, { credential: unknown; secretHash: string }>());

// The handler's wiring, with an in-memory store in place of DynamoDB.
vi.mock('../../../adapters/wiring/credentials.ts', () => ({
  credentials: {
    create: async (credential: { id: string }, secretHash: string) => {
      stored.set(credential.id, { credential, secretHash });
    },
    revoke: async (id: string, by: string, at: string) => {
      const record = stored.get(id);
      if (!record) return null;
      const credential = record.credential as DeviceCredential;
      record.credential = { ...credential, revokedAt: at, revokedBy: by };
      return record.credential;
    },
    list: async () => ({
      items: [...stored.values()].map((record) => record.credential),
      nextToken: null,
    }),
  },
}));

const { handler } = await import('../../../resolvers/credentials.ts');
const { logger } = await import('../../../adapters/logger.ts');

const asAdmin = (fieldName: string, parentTypeName: string, args: Record<string, unknown>) =>
  signedInEvent('admins', `${parentTypeName as 'Query' | 'Mutation'}.${fieldName}`, args);

type Created = { credential: DeviceCredential; token: string };

describe('the credentials resolver', () => {
  beforeEach(() => stored.clear());

  it('given an admin creates a credential, then the answer holds its token once, the store only its hash, and createdBy is the admin', async () => {
    // Prepare
    const logs = ['info', 'warn', 'error', 'debug'].map((level) =>
      vi.spyOn(logger, level as 'info'),
    );

    // Act
    const created = (await handler(
      asAdmin('createDeviceCredential', 'Mutation', {
        input: { name: 'boiler gateway', deviceIds: ['D1'] },
      }),
    )) as Created;

    // Assess
    const secret = parseDeviceToken(created.token)?.secret ?? '';
    expect(created.credential).toMatchObject({
      name: 'boiler gateway',
      createdBy: 'admin@example.com',
    });
    const record = stored.get(created.credential.id);
    expect(verifySecret(secret, record?.secretHash ?? '')).toBe(true);
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(JSON.stringify(created.credential)).not.toContain(record?.secretHash);
    for (const log of logs) expect(log).not.toHaveBeenCalled();
  });

  it('given a bad scope, then the validation error names the field and nothing is stored', async () => {
    const result = await handler(
      asAdmin('createDeviceCredential', 'Mutation', {
        input: { name: 'gw', deviceIds: ['D1', 'a#b'] },
      }),
    );
    expect(result).toMatchObject({
      __error: {
        errorType: 'ValidationError',
        message: expect.stringMatching(/^input\.deviceIds\[1\]/),
      },
    });
    expect(stored.size).toBe(0);
  });

  it('given a credential revoked, then revokedBy is the admin; an unknown id is NotFound', async () => {
    const created = (await handler(
      asAdmin('createDeviceCredential', 'Mutation', {
        input: { name: 'gw', deviceIdPrefix: 'demo-' },
      }),
    )) as Created;
    const revoked = await handler(
      asAdmin('revokeDeviceCredential', 'Mutation', { id: created.credential.id }),
    );
    expect(revoked).toMatchObject({ id: created.credential.id, revokedBy: 'admin@example.com' });
    expect(await handler(asAdmin('revokeDeviceCredential', 'Mutation', { id: 'nope' }))).toEqual({
      __error: { errorType: 'NotFound', message: "No device credential with id 'nope'" },
    });
  });

  it('given a bad nextToken, then the listing is refused as a validation error', async () => {
    const result = await handler(asAdmin('deviceCredentials', 'Query', { nextToken: 'forged' }));
    expect(result).toMatchObject({ __error: { errorType: 'ValidationError' } });
  });
});
