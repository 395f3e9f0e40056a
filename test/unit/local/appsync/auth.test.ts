import { describe, expect, it, vi } from 'vitest';
import type { AuthorizationMode, AuthRequest } from '../../../../local/appsync/auth.ts';
import {
  createAuthenticator,
  isJwtShaped,
  selectAuthMode,
} from '../../../../local/appsync/auth.ts';
import { createTestUserPool } from '../../../support/test-user-pool.ts';

const ALL_MODES = new Set([
  'API_KEY',
  'AWS_IAM',
  'AMAZON_COGNITO_USER_POOLS',
  'AWS_LAMBDA',
] as const);
const pool = createTestUserPool();
const logger = { info: () => {}, warn: () => {}, error: () => {} };

function request(headers: Record<string, string>): AuthRequest {
  return {
    method: 'POST',
    path: '/graphql',
    query: {},
    headers,
    body: '{}',
    operation: { query: '{ rules { nextToken } }', operationName: null, variables: {} },
  };
}

function authenticator(modes: AuthorizationMode[]) {
  const [defaultAuthorization, ...additionalAuthorizationModes] = modes;
  if (!defaultAuthorization) throw new Error('no mode');
  return createAuthenticator({
    authorization: { defaultAuthorization, additionalAuthorizationModes },
    region: 'eu-west-1',
    accountId: '123456789012',
    apiId: 'api1',
    logger,
  });
}

const cognitoMode: AuthorizationMode = {
  authorizationType: 'AMAZON_COGNITO_USER_POOLS',
  userPool: { issuer: pool.issuer, jwks: pool.jwks, appClientIds: [pool.clientId] },
};

describe('selectAuthMode: the mode a request asks for, from its headers as AppSync reads them', () => {
  it('given a SigV4 authorization header, then it is AWS_IAM, whatever else is sent', () => {
    expect(
      selectAuthMode(
        {
          authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20240501/eu-west-1/appsync/aws4_request',
          'x-api-key': 'k',
        },
        ALL_MODES,
      ),
    ).toEqual({ mode: 'AWS_IAM' });
  });

  it('given an x-api-key header, then it is API_KEY', () => {
    expect(selectAuthMode({ 'x-api-key': 'da2-key' }, ALL_MODES)).toEqual({
      mode: 'API_KEY',
      apiKey: 'da2-key',
    });
  });

  it('given a JWT in authorization and a user-pool mode, then it is AMAZON_COGNITO_USER_POOLS, never the Lambda authorizer', () => {
    const token = pool.token();
    expect(selectAuthMode({ authorization: token }, ALL_MODES)).toEqual({
      mode: 'AMAZON_COGNITO_USER_POOLS',
      token,
    });
    const unsigned = pool.unsignedToken();
    expect(selectAuthMode({ authorization: unsigned }, ALL_MODES)?.mode).toBe(
      'AMAZON_COGNITO_USER_POOLS',
    );
  });

  it('given a value that is not a JWT, then it goes to the Lambda authorizer', () => {
    const token = `tad_${'a'.repeat(32)}_${'b'.repeat(64)}`;
    expect(selectAuthMode({ authorization: token }, ALL_MODES)).toEqual({
      mode: 'AWS_LAMBDA',
      token,
    });
    expect(selectAuthMode({ authorization: 'a.b' }, ALL_MODES)?.mode).toBe('AWS_LAMBDA');
    expect(selectAuthMode({ authorization: 'not.a.jwt' }, ALL_MODES)?.mode).toBe('AWS_LAMBDA');
  });

  it('given a JWT and an API without a user-pool mode, then it goes to the Lambda authorizer', () => {
    expect(
      selectAuthMode({ authorization: pool.token() }, new Set(['AWS_LAMBDA', 'AWS_IAM'] as const))
        ?.mode,
    ).toBe('AWS_LAMBDA');
  });

  it('given no credentials, then no mode is selected', () => {
    expect(selectAuthMode({}, ALL_MODES)).toBeUndefined();
    expect(selectAuthMode({ authorization: '' }, ALL_MODES)).toBeUndefined();
  });

  it('isJwtShaped needs three base64url parts and a JSON object header', () => {
    expect(isJwtShaped(pool.token())).toBe(true);
    expect(isJwtShaped('eyJhbGciOiJub25lIn0.e30.')).toBe(true);
    expect(isJwtShaped('e30.e30')).toBe(false);
    expect(isJwtShaped('WzFd.e30.c2ln')).toBe(false);
    expect(isJwtShaped('a b.c.d')).toBe(false);
  });
});

describe('createAuthenticator: one mode per request, refused when the API does not have it', () => {
  it('given a mode configured twice, then the API is refused at start', () => {
    expect(() =>
      authenticator([
        { authorizationType: 'API_KEY', apiKey: 'a' },
        { authorizationType: 'API_KEY', apiKey: 'b' },
      ]),
    ).toThrow(/API_KEY is configured twice/);
  });

  it('given an API key sent to an API without API_KEY, then it is refused', async () => {
    const auth = authenticator([cognitoMode]);
    expect(await auth.authenticate(request({ 'x-api-key': 'da2-old' }), '127.0.0.1')).toEqual({
      ok: false,
      message: 'You are not authorized to make this call.',
    });
  });

  it('given a device token and an API without AWS_LAMBDA, then it is refused', async () => {
    const auth = authenticator([cognitoMode]);
    const result = await auth.authenticate(request({ authorization: 'tad_x' }), '127.0.0.1');
    expect(result.ok).toBe(false);
  });

  it('given a SigV4 header and an API without AWS_IAM, then it is refused', async () => {
    const auth = authenticator([cognitoMode]);
    const result = await auth.authenticate(
      request({ authorization: 'AWS4-HMAC-SHA256 Credential=x' }),
      '127.0.0.1',
    );
    expect(result.ok).toBe(false);
  });

  it('given a JWT and both user-pool and Lambda modes, then the authorizer is never invoked', async () => {
    const invoke = vi.fn(async () => ({ isAuthorized: true }));
    const auth = authenticator([
      cognitoMode,
      { authorizationType: 'AWS_LAMBDA', lambdaAuthorizer: { invoke } },
    ]);
    const good = await auth.authenticate(request({ authorization: pool.token() }), '10.0.0.1');
    const foreign = await auth.authenticate(
      request({ authorization: pool.token({ issuer: 'https://elsewhere.example.com' }) }),
      '10.0.0.1',
    );
    expect(good.ok).toBe(true);
    expect(foreign.ok).toBe(false);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('given an ID token of an admin, then the caller is the user pool identity AppSync gives resolvers', async () => {
    const auth = authenticator([cognitoMode]);
    const result = await auth.authenticate(
      request({ authorization: pool.token({ username: 'ada@example.com', groups: ['admins'] }) }),
      '10.0.0.1',
    );
    expect(result).toMatchObject({
      ok: true,
      caller: {
        mode: 'AMAZON_COGNITO_USER_POOLS',
        identity: {
          sub: 'sub-ada@example.com',
          issuer: pool.issuer,
          username: 'ada@example.com',
          claims: { email: 'ada@example.com', 'cognito:groups': ['admins'], token_use: 'id' },
          sourceIp: ['10.0.0.1'],
          defaultAuthStrategy: 'ALLOW',
          groups: ['admins'],
        },
      },
    });
    expect(auth.defaultMode).toBe('AMAZON_COGNITO_USER_POOLS');
  });

  it('given a device token the authorizer admits, then the caller carries its resolverContext and deniedFields', async () => {
    const auth = authenticator([
      cognitoMode,
      {
        authorizationType: 'AWS_LAMBDA',
        lambdaAuthorizer: {
          invoke: async () => ({
            isAuthorized: true,
            resolverContext: { credentialId: 'c1' },
            deniedFields: ['Query.rules'],
          }),
        },
      },
    ]);
    const result = await auth.authenticate(request({ authorization: 'tad_1' }), '127.0.0.1');
    expect(result).toEqual({
      ok: true,
      caller: {
        mode: 'AWS_LAMBDA',
        identity: { resolverContext: { credentialId: 'c1' } },
        deniedFields: new Set(['Query.rules']),
      },
    });
  });
});
