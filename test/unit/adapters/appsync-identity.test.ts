import { describe, expect, it } from 'vitest';
import { callerOf, UnrecognisedIdentityError } from '../../../adapters/appsync-identity.ts';
import { MalformedResolverContextError } from '../../../domain/device-credential.ts';

/** A user-pool identity as AppSync puts it in a resolver's event. */
const cognito = (claims: Record<string, unknown>, groups: string[] | null) => ({
  sub: '7d8a-user',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  username: '7d8a-user',
  claims: { sub: '7d8a-user', token_use: 'id', ...claims },
  sourceIp: ['203.0.113.7'],
  defaultAuthStrategy: 'ALLOW',
  groups,
});

const deviceContext = {
  credentialId: '0123456789abcdef0123456789abcdef',
  credentialName: 'boiler gateway',
  deviceIds: '["D1","D2"]',
  deviceIdPrefix: 'plant-a/',
};

describe('callerOf', () => {
  it('given a user-pool identity with an e-mail and groups, then a user named by the e-mail, in those groups', () => {
    const identity = cognito({ email: 'ada@example.com' }, ['operators']);
    expect(callerOf(identity)).toEqual({
      kind: 'user',
      name: 'ada@example.com',
      groups: ['operators'],
    });
  });

  it('given a user-pool identity with no e-mail and no groups, then a user named by the username, in no group', () => {
    expect(callerOf(cognito({}, null))).toEqual({ kind: 'user', name: '7d8a-user', groups: [] });
  });

  it('given groups only in the token claims, then they are the groups', () => {
    const identity = cognito({ 'cognito:groups': ['admins'] }, null);
    expect(callerOf(identity)).toMatchObject({ groups: ['admins'] });
  });

  it("given a Lambda identity, then a device caller with the authorizer's scope", () => {
    expect(callerOf({ resolverContext: deviceContext })).toEqual({
      kind: 'device',
      credentialId: deviceContext.credentialId,
      name: 'boiler gateway',
      scope: { deviceIds: ['D1', 'D2'], deviceIdPrefix: 'plant-a/' },
    });
  });

  it('given an IAM identity, then a workload named by its ARN', () => {
    const identity = {
      accountId: '123456789012',
      userArn: 'arn:aws:sts::123456789012:assumed-role/worker/session',
      username: 'AROAEXAMPLE:session',
      accessKey: 'ASIAEXAMPLE',
      sourceIp: ['10.0.0.1'],
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    };
    expect(callerOf(identity)).toEqual({
      kind: 'workload',
      name: 'arn:aws:sts::123456789012:assumed-role/worker/session',
    });
  });

  it.each([
    ['an empty resolverContext', { resolverContext: {} }],
    ['a null resolverContext', { resolverContext: null }],
    ['deviceIds that are not JSON', { resolverContext: { ...deviceContext, deviceIds: 'D1' } }],
    [
      'a scope of no device',
      { resolverContext: { ...deviceContext, deviceIds: '[]', deviceIdPrefix: '' } },
    ],
  ])(
    'given a Lambda identity with %s, then it is a fault, not a caller of every device',
    (_, identity) => {
      expect(() => callerOf(identity)).toThrow(MalformedResolverContextError);
    },
  );

  it.each([
    ['no identity (an API key)', null],
    ['undefined', undefined],
    ['an OIDC identity', { sub: 'x', issuer: 'https://idp.example.com' }],
    ['a user-pool identity without a username', { ...cognito({}, null), username: '' }],
    ['an IAM identity without an ARN', { accountId: '1', userArn: '' }],
  ])('given %s, then it is not recognised', (_, identity) => {
    expect(() => callerOf(identity)).toThrow(UnrecognisedIdentityError);
  });
});
