import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  authorizeDeviceToken,
  authorizerDecision,
  type DeviceCredential,
  type DeviceCredentialRecord,
  DEVICE_TOKEN_PATTERN,
  deniedFieldsForDevices,
  deviceCallerFromContext,
  encodeResolverContext,
  hashSecret,
  issueDeviceCredential,
  lastUseIsDue,
  MalformedResolverContextError,
  parseDeviceToken,
  verifySecret,
} from '../../../domain/device-credential.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { deviceAuthorizer } from '../../../infra/resources.ts';

const at = '2026-05-01T12:00:00.000Z';
const policy = { ttlSeconds: 300, lastUsedGranularitySeconds: 60 };

const issue = (input: Record<string, unknown>) =>
  issueDeviceCredential(input as never, 'admin@example.com', at);

/** The field a ValidationError names, or the error itself when something else was thrown. */
const refusal = (input: Record<string, unknown>) => {
  try {
    issue(input);
  } catch (error) {
    if (error instanceof ValidationError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected the input to be refused');
};

describe('issueDeviceCredential', () => {
  it('given a name and device ids, then the token is tad_<32 hex>_<64 hex> and only the hash of its secret is kept', () => {
    // Act
    const issued = issue({ name: 'boiler gateway', deviceIds: ['D1', 'D2'] });

    // Assess
    const parsed = parseDeviceToken(issued.token);
    expect(issued.token).toMatch(DEVICE_TOKEN_PATTERN);
    expect(parsed?.id).toBe(issued.credential.id);
    expect(issued.secretHash).toBe(hashSecret(parsed?.secret ?? ''));
    expect(JSON.stringify(issued.credential)).not.toContain(parsed?.secret);
    expect(issued.credential).toEqual({
      id: parsed?.id,
      name: 'boiler gateway',
      deviceIds: ['D1', 'D2'],
      deviceIdPrefix: null,
      createdAt: at,
      createdBy: 'admin@example.com',
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
    });
  });

  it('given two credentials issued, then their ids and secrets differ', () => {
    const first = issue({ name: 'a', deviceIdPrefix: 'plant-' });
    const second = issue({ name: 'a', deviceIdPrefix: 'plant-' });
    expect(first.credential.id).not.toBe(second.credential.id);
    expect(first.secretHash).not.toBe(second.secretHash);
  });

  it('given device ids listed twice and a prefix, then each id is kept once, in order, with the prefix', () => {
    const issued = issue({ name: 'gw', deviceIds: ['D2', 'D1', 'D2'], deviceIdPrefix: 'demo-' });
    expect(issued.credential.deviceIds).toEqual(['D2', 'D1']);
    expect(issued.credential.deviceIdPrefix).toBe('demo-');
  });

  it.each([
    [{ deviceIds: ['D1'] }, 'input.name'],
    [{ name: '   ', deviceIds: ['D1'] }, 'input.name'],
    [{ name: 'x'.repeat(101), deviceIds: ['D1'] }, 'input.name'],
    [{ name: 'gw\u0007', deviceIds: ['D1'] }, 'input.name'],
    [{ name: 'gw' }, 'input'],
    [{ name: 'gw', deviceIds: [] }, 'input'],
    [{ name: 'gw', deviceIds: ['D1', 'D2', 'a#b'] }, 'input.deviceIds[2]'],
    [{ name: 'gw', deviceIds: ['D1', ''] }, 'input.deviceIds[1]'],
    [{ name: 'gw', deviceIds: 'D1' }, 'input.deviceIds'],
    [{ name: 'gw', deviceIds: Array.from({ length: 101 }, (_, i) => `D${i}`) }, 'input.deviceIds'],
    [{ name: 'gw', deviceIdPrefix: '' }, 'input.deviceIdPrefix'],
    [{ name: 'gw', deviceIdPrefix: 'plant a' }, 'input.deviceIdPrefix'],
  ])('given %o, then it is refused naming %s', (input, field) => {
    expect(refusal(input).field).toBe(field);
  });

  it('given 100 device ids, then the credential is issued with all of them', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `D${i}`);
    expect(issue({ name: 'gw', deviceIds: ids }).credential.deviceIds).toHaveLength(100);
  });

  it('given a bad device id, then the message names its position and what to change', () => {
    expect(refusal({ name: 'gw', deviceIds: ['D1', 'D2', 'a b'] }).message).toMatch(
      /^input\.deviceIds\[2\] may contain only letters, digits/,
    );
  });
});

describe('device tokens', () => {
  it('given the pattern AppSync is configured with, then it is the one tokens are parsed by', () => {
    expect(new RegExp(deviceAuthorizer.tokenPattern).source).toBe(
      DEVICE_TOKEN_PATTERN.source.replace(/[()]/g, ''),
    );
  });

  it.each([
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.sig'],
    ['upper-case hex', `tad_${'A'.repeat(32)}_${'a'.repeat(64)}`],
    ['a short secret', `tad_${'a'.repeat(32)}_${'a'.repeat(63)}`],
    ['another prefix', `tak_${'a'.repeat(32)}_${'a'.repeat(64)}`],
    ['trailing text', `tad_${'a'.repeat(32)}_${'a'.repeat(64)}\n`],
    ['not a string', 42],
  ])('given %s, then it is not a device token', (_, token) => {
    expect(parseDeviceToken(token)).toBeNull();
  });

  it('given a secret and its stored hash, then it verifies; another secret or a malformed hash does not', () => {
    const secret = 'b'.repeat(64);
    expect(verifySecret(secret, hashSecret(secret))).toBe(true);
    expect(verifySecret('c'.repeat(64), hashSecret(secret))).toBe(false);
    expect(verifySecret(secret, hashSecret(secret).slice(0, 62))).toBe(false);
    expect(verifySecret(secret, '')).toBe(false);
  });
});

describe('deniedFieldsForDevices', () => {
  it('given the schema, then it lists every Query, Mutation and Subscription field except the two ingest fields', () => {
    // Prepare
    const sdl = ['appsync.graphql', 'schema.graphql']
      .map((file) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8'))
      .join('\n');
    const schema = buildSchema(sdl);
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const every = roots.flatMap((type: GraphQLObjectType | null | undefined) =>
      type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : [],
    );

    // Assess
    const allowed = ['Mutation.ingestEvent', 'Mutation.ingestEvents'];
    expect(every).toEqual(expect.arrayContaining(allowed));
    expect([...deniedFieldsForDevices].sort()).toEqual(
      every.filter((field) => !allowed.includes(field)).sort(),
    );
  });
});

describe('resolverContext', () => {
  const credential = issue({
    name: 'gw',
    deviceIds: ['D1', 'D2'],
    deviceIdPrefix: 'demo-',
  }).credential;

  it('given a credential, then its context holds flat strings that read back as its device scope', () => {
    const context = encodeResolverContext(credential);
    expect(Object.values(context).every((value) => typeof value === 'string')).toBe(true);
    expect(deviceCallerFromContext(context)).toEqual({
      kind: 'device',
      credentialId: credential.id,
      name: 'gw',
      scope: { deviceIds: ['D1', 'D2'], deviceIdPrefix: 'demo-' },
    });
  });

  it("given a credential without a prefix, then the context carries '' and reads back as null", () => {
    const context = encodeResolverContext({ ...credential, deviceIdPrefix: null });
    expect(context.deviceIdPrefix).toBe('');
    expect(deviceCallerFromContext(context).scope.deviceIdPrefix).toBeNull();
  });

  it.each([
    ['null', null],
    ['a string', 'D1'],
    ['no credentialId', { ...encodeResolverContext(credential), credentialId: undefined }],
    ['no name', { ...encodeResolverContext(credential), credentialName: '' }],
    ['deviceIds not JSON', { ...encodeResolverContext(credential), deviceIds: '[D1' }],
    ['deviceIds an object', { ...encodeResolverContext(credential), deviceIds: '{}' }],
    ['deviceIds an array', { ...encodeResolverContext(credential), deviceIds: ['D1'] }],
    ['deviceIds of numbers', { ...encodeResolverContext(credential), deviceIds: '[1]' }],
    ['no prefix field', { ...encodeResolverContext(credential), deviceIdPrefix: undefined }],
    [
      'a scope of no device',
      { ...encodeResolverContext(credential), deviceIds: '[]', deviceIdPrefix: '' },
    ],
  ])(
    'given a context with %s, then it is a malformed context, never every device',
    (_, context) => {
      expect(() => deviceCallerFromContext(context)).toThrow(MalformedResolverContextError);
    },
  );
});

describe('authorizerDecision', () => {
  const issued = issue({ name: 'gw', deviceIds: ['D1'] });
  const secret = parseDeviceToken(issued.token)?.secret ?? '';
  const record: DeviceCredentialRecord = {
    credential: issued.credential,
    secretHash: issued.secretHash,
  };

  it('given the right secret of a live credential, then it may ingest for its devices, cached 300 s', () => {
    expect(authorizerDecision(secret, record, policy)).toEqual({
      isAuthorized: true,
      resolverContext: encodeResolverContext(issued.credential),
      deniedFields: [...deniedFieldsForDevices],
      ttlOverride: 300,
    });
  });

  it('given no credential, a revoked one or a wrong secret, then the answer is only isAuthorized false', () => {
    const revoked = {
      ...record,
      credential: { ...record.credential, revokedAt: at, revokedBy: 'admin@example.com' },
    };
    expect(authorizerDecision(secret, null, policy)).toEqual({ isAuthorized: false });
    expect(authorizerDecision(secret, revoked, policy)).toEqual({ isAuthorized: false });
    expect(authorizerDecision('0'.repeat(64), record, policy)).toEqual({ isAuthorized: false });
  });
});

describe('lastUseIsDue', () => {
  const credential = issue({ name: 'gw', deviceIds: ['D1'] }).credential;
  const t = Date.parse(at);

  it.each([
    [null, t, true],
    [at, t + 59_999, false],
    [at, t + 60_000, true],
  ])('given last used at %s, at %d a use is due: %s', (lastUsedAt, now, expected) => {
    expect(lastUseIsDue({ ...credential, lastUsedAt }, now, 60)).toBe(expected);
  });
});

/** A store of one credential that records the touches asked of it. */
function storeOf(credential: DeviceCredential, secretHash: string) {
  const touches: { id: string; at: string }[] = [];
  return {
    touches,
    touchFails: null as Error | null,
    readFails: null as Error | null,
    async findForVerification(id: string) {
      if (this.readFails) throw this.readFails;
      return id === credential.id ? { credential, secretHash } : null;
    },
    async touch(id: string, at: string) {
      if (this.touchFails) throw this.touchFails;
      touches.push({ id, at });
      return true;
    },
  };
}

describe('authorizeDeviceToken', () => {
  const issued = issue({ name: 'gw', deviceIds: ['D1'] });
  const now = Date.parse('2026-05-01T13:00:00.000Z');
  const deps = (store: ReturnType<typeof storeOf>, failures: unknown[] = []) => ({
    credentials: store,
    now: () => now,
    policy,
    onLastUseFailure: (error: unknown) => failures.push(error),
  });

  it('given a good token, then it is authorized and its use recorded at the current time', async () => {
    const store = storeOf(issued.credential, issued.secretHash);
    const answer = await authorizeDeviceToken(issued.token, deps(store));
    expect(answer.isAuthorized).toBe(true);
    expect(store.touches).toEqual([{ id: issued.credential.id, at: '2026-05-01T13:00:00.000Z' }]);
  });

  it('given a credential used within the last minute, then no write is made', async () => {
    const recent = { ...issued.credential, lastUsedAt: '2026-05-01T12:59:30.000Z' };
    const store = storeOf(recent, issued.secretHash);
    expect((await authorizeDeviceToken(issued.token, deps(store))).isAuthorized).toBe(true);
    expect(store.touches).toEqual([]);
  });

  it('given recording the use fails, then the request is authorized and the failure reported', async () => {
    const store = storeOf(issued.credential, issued.secretHash);
    store.touchFails = new Error('throttled');
    const failures: unknown[] = [];
    const answer = await authorizeDeviceToken(issued.token, deps(store, failures));
    expect(answer.isAuthorized).toBe(true);
    expect(failures).toEqual([store.touchFails]);
  });

  it('given an unknown id, a wrong secret or a malformed token, then it is refused and nothing is written', async () => {
    const store = storeOf(issued.credential, issued.secretHash);
    const [, id] = issued.token.split('_');
    for (const token of [
      `tad_${'0'.repeat(32)}_${'1'.repeat(64)}`,
      `tad_${id}_${'1'.repeat(64)}`,
      'Bearer x',
      '',
    ]) {
      expect(await authorizeDeviceToken(token, deps(store))).toEqual({ isAuthorized: false });
    }
    expect(store.touches).toEqual([]);
  });

  it('given the store cannot be read, then the failure is thrown (AppSync refuses the request)', async () => {
    const store = storeOf(issued.credential, issued.secretHash);
    store.readFails = new Error('DynamoDB unavailable');
    await expect(authorizeDeviceToken(issued.token, deps(store))).rejects.toThrow(
      'DynamoDB unavailable',
    );
  });
});
