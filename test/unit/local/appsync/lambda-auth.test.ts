import type { AppSyncAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { LambdaAuthorizerConfig } from '../../../../local/appsync/lambda-auth.ts';
import {
  authorizerOperation,
  createLambdaAuthorizer,
} from '../../../../local/appsync/lambda-auth.ts';

const TOKEN = `tad_${'0'.repeat(32)}_${'f'.repeat(64)}`;
const REQUEST = {
  headers: { authorization: TOKEN, host: 'localhost:4000', 'x-custom': ['a', 'b'] },
  operation: {
    query: 'mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }',
    operationName: 'Ingest',
    variables: { input: { deviceId: 'demo-1' } },
  },
};
const REFUSED = { ok: false, message: 'You are not authorized to make this call.' };

function authorizer(
  config: Partial<LambdaAuthorizerConfig> & Pick<LambdaAuthorizerConfig, 'invoke'>,
) {
  const errors: string[] = [];
  const warnings: string[] = [];
  const authorize = createLambdaAuthorizer(config, {
    region: 'eu-west-1',
    accountId: '123456789012',
    apiId: 'api1',
    logger: {
      info: () => {},
      warn: (msg) => warnings.push(msg),
      error: (msg) => errors.push(msg),
    },
  });
  return { authorize, errors, warnings };
}

describe('the Lambda authorizer, run as AppSync runs it', () => {
  it('given a token, then the function gets AppSync\u2019s request: token, requestContext and headers', async () => {
    const invoke = vi.fn(async (_event: AppSyncAuthorizerEvent) => ({ isAuthorized: true }));
    const { authorize } = authorizer({ invoke });
    await authorize(TOKEN, REQUEST);
    expect(invoke).toHaveBeenCalledOnce();
    const [event] = invoke.mock.calls[0] ?? [];
    expect(event).toEqual({
      authorizationToken: TOKEN,
      requestContext: {
        apiId: 'api1',
        accountId: '123456789012',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        queryString: REQUEST.operation.query,
        operationName: 'Ingest',
        variables: { input: { deviceId: 'demo-1' } },
      },
      requestHeaders: { authorization: TOKEN, host: 'localhost:4000', 'x-custom': 'a, b' },
    });
  });

  it('given isAuthorized true, then resolverContext is the identity', async () => {
    const { authorize } = authorizer({
      invoke: async () => ({
        isAuthorized: true,
        resolverContext: { credentialId: 'c1', deviceIds: '["demo-1"]' },
      }),
    });
    expect(await authorize(TOKEN, REQUEST)).toEqual({
      ok: true,
      identity: { resolverContext: { credentialId: 'c1', deviceIds: '["demo-1"]' } },
      deniedFields: new Set(),
    });
  });

  it('given an authorizer that says no, then the request is refused', async () => {
    const { authorize } = authorizer({ invoke: async () => ({ isAuthorized: false }) });
    expect(await authorize(TOKEN, REQUEST)).toEqual(REFUSED);
  });

  it('given deniedFields as Type.field and as field ARNs, then those of this API are denied and another API\u2019s are not', async () => {
    const { authorize } = authorizer({
      invoke: async () => ({
        isAuthorized: true,
        deniedFields: [
          'Query.rules',
          'arn:aws:appsync:eu-west-1:123456789012:apis/api1/types/Mutation/fields/createRule',
          'arn:aws:appsync:eu-west-1:123456789012:apis/other/types/Mutation/fields/deleteRule',
        ],
      }),
    });
    const result = await authorize(TOKEN, REQUEST);
    expect(result.ok && [...result.deniedFields].sort()).toEqual([
      'Mutation.createRule',
      'Query.rules',
    ]);
  });

  it('given a token the identity validation expression refuses, then it is refused without invoking the function', async () => {
    const invoke = vi.fn(async () => ({ isAuthorized: true }));
    const { authorize } = authorizer({
      invoke,
      identityValidationExpression: '^tad_[0-9a-f]{32}_[0-9a-f]{64}$',
    });
    expect(await authorize('tad_short', REQUEST)).toEqual(REFUSED);
    expect(await authorize(`${TOKEN}x`, REQUEST)).toEqual(REFUSED);
    expect(invoke).not.toHaveBeenCalled();
    expect((await authorize(TOKEN, REQUEST)).ok).toBe(true);
  });

  it('given an expression without anchors, then the whole token must match it, as a full match', async () => {
    const invoke = vi.fn(async () => ({ isAuthorized: true }));
    const { authorize } = authorizer({ invoke, identityValidationExpression: 'tad_[0-9a-f_]+' });
    expect(await authorize(`Bearer ${TOKEN}`, REQUEST)).toEqual(REFUSED);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('given an authorizer that throws, then the request is refused and the failure logged', async () => {
    const { authorize, errors } = authorizer({
      invoke: async () => {
        throw new Error('table unreachable');
      },
    });
    expect(await authorize(TOKEN, REQUEST)).toEqual(REFUSED);
    expect(errors).toEqual(['Lambda authorizer failed; the request is refused']);
  });

  it.each([
    ['no isAuthorized', { resolverContext: {} }],
    ['isAuthorized as a string', { isAuthorized: 'true' }],
    ['a resolverContext that is a list', { isAuthorized: true, resolverContext: ['x'] }],
    ['deniedFields that are not strings', { isAuthorized: true, deniedFields: [1] }],
    ['a negative ttlOverride', { isAuthorized: true, ttlOverride: -1 }],
    ['no object at all', 'yes'],
  ])('given an answer with %s, then the request is refused and logged', async (_, answer) => {
    const { authorize, errors } = authorizer({ invoke: async () => answer });
    expect(await authorize(TOKEN, REQUEST)).toEqual(REFUSED);
    expect(errors[0]).toMatch(/^Lambda authorizer answer is malformed/);
  });
});

describe('the authorizer\u2019s answers, cached by token', () => {
  it('given a ttlOverride, when the same token comes twice within it, then the function is invoked once', async () => {
    const invoke = vi.fn(async () => ({ isAuthorized: true, ttlOverride: 300 }));
    const { authorize } = authorizer({ invoke });
    expect((await authorize(TOKEN, REQUEST)).ok).toBe(true);
    expect((await authorize(TOKEN, REQUEST)).ok).toBe(true);
    expect(invoke).toHaveBeenCalledOnce();
    await authorize('tad_other', REQUEST);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('given the configured TTL and no ttlOverride, then refusals are cached too', async () => {
    const invoke = vi.fn(async () => ({ isAuthorized: false }));
    const { authorize } = authorizer({ invoke, ttlSeconds: 60 });
    await authorize(TOKEN, REQUEST);
    await authorize(TOKEN, REQUEST);
    expect(invoke).toHaveBeenCalledOnce();
  });

  it('given a TTL of 0 (the default), then every request invokes the function', async () => {
    const invoke = vi.fn(async () => ({ isAuthorized: true }));
    const { authorize } = authorizer({ invoke });
    await authorize(TOKEN, REQUEST);
    await authorize(TOKEN, REQUEST);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('given ttlOverride 0 on an API with a TTL, then that answer is not cached', async () => {
    const invoke = vi.fn(async () => ({ isAuthorized: true, ttlOverride: 0 }));
    const { authorize } = authorizer({ invoke, ttlSeconds: 300 });
    await authorize(TOKEN, REQUEST);
    await authorize(TOKEN, REQUEST);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('given a cached answer whose time has passed, then the function is invoked again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const invoke = vi.fn(async () => ({ isAuthorized: true, ttlOverride: 5 }));
      const { authorize } = authorizer({ invoke });
      await authorize(TOKEN, REQUEST);
      vi.advanceTimersByTime(4_000);
      await authorize(TOKEN, REQUEST);
      expect(invoke).toHaveBeenCalledOnce();
      vi.advanceTimersByTime(1_000);
      await authorize(TOKEN, REQUEST);
      expect(invoke).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('authorizerOperation', () => {
  it('given a request body, then query, operationName and variables; anything missing is empty', () => {
    expect(
      authorizerOperation({ query: '{ a }', operationName: 'A', variables: { x: 1 } }),
    ).toEqual({ query: '{ a }', operationName: 'A', variables: { x: 1 } });
    expect(authorizerOperation(undefined)).toEqual({
      query: '',
      operationName: null,
      variables: {},
    });
  });
});
