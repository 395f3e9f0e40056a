import type { AppSyncAuthorizerEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceCredentialRecord } from '../../../domain/device-credential.ts';
import { issueDeviceCredential } from '../../../domain/device-credential.ts';

const store = vi.hoisted(() => ({
  record: null as DeviceCredentialRecord | null,
  readFails: false,
  touches: [] as string[],
}));

// The handler's wiring, with an in-memory store in place of DynamoDB.
vi.mock('../../../adapters/wiring/authorizer.ts', () => ({
  authorizerDeps: {
    credentials: {
      findForVerification: async (id: string) => {
        if (store.readFails) throw new Error('DynamoDB unavailable');
        return store.record?.credential.id === id ? store.record : null;
      },
      touch: async (id: string) => {
        store.touches.push(id);
        return true;
      },
    },
    now: () => Date.parse('2026-05-01T13:00:00.000Z'),
    policy: { ttlSeconds: 300, lastUsedGranularitySeconds: 60 },
    onLastUseFailure: () => undefined,
  },
}));

const { handler } = await import('../../../resolvers/device-authorizer.ts');
const { logger } = await import('../../../adapters/logger.ts');

const issued = issueDeviceCredential(
  { name: 'gw', deviceIds: ['D1'] },
  'admin@example.com',
  '2026-05-01T12:00:00.000Z',
);

/** The request AppSync sends a Lambda authorizer. */
const request = (authorizationToken: string): AppSyncAuthorizerEvent => ({
  authorizationToken,
  requestContext: {
    apiId: 'api',
    accountId: '123456789012',
    requestId: 'req-1',
    queryString: 'mutation { ingestEvent(input: {deviceId: "D1", metric: "t", value: 1}) { id } }',
    variables: {},
  },
  requestHeaders: { authorization: authorizationToken },
});

describe('the device authorizer handler', () => {
  beforeEach(() => {
    store.record = { credential: issued.credential, secretHash: issued.secretHash };
    store.readFails = false;
    store.touches = [];
  });
  afterEach(() => vi.restoreAllMocks());

  it('given a live credential, then it may ingest only, for its devices, cached 300 s', async () => {
    const answer = await handler(request(issued.token));
    expect(answer).toMatchObject({
      isAuthorized: true,
      resolverContext: { credentialId: issued.credential.id, deviceIds: '["D1"]' },
      ttlOverride: 300,
    });
    expect(answer.deniedFields).toContain('Mutation.createRule');
    expect(answer.deniedFields).not.toContain('Mutation.ingestEvent');
    expect(store.touches).toEqual([issued.credential.id]);
  });

  it('given a revoked credential or another token, then it is refused', async () => {
    store.record = {
      ...store.record!,
      credential: { ...issued.credential, revokedAt: '2026-05-01T12:30:00.000Z' },
    };
    expect(await handler(request(issued.token))).toEqual({ isAuthorized: false });
    expect(await handler(request('Bearer eyJ.x.y'))).toEqual({ isAuthorized: false });
  });

  it('given the store fails, then the handler fails (AppSync refuses) and the log holds no token', async () => {
    // Prepare
    store.readFails = true;
    const logged: unknown[] = [];
    vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });

    // Act
    const failure = await handler(request(issued.token)).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(logged).toHaveLength(1);
    const secret = issued.token.split('_')[2] as string;
    const text = JSON.stringify(logged, (_, value: unknown) =>
      value instanceof Error ? { message: value.message, stack: value.stack } : value,
    );
    expect(text).not.toContain(secret);
    expect(text).toContain('req-1');
  });
});
