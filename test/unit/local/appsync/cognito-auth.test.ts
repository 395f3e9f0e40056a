import { describe, expect, it } from 'vitest';
import { createCognitoVerifier } from '../../../../local/appsync/cognito-auth.ts';
import { createTestUserPool, tamperedToken } from '../../../support/test-user-pool.ts';

const pool = createTestUserPool();
const verify = createCognitoVerifier({
  issuer: pool.issuer,
  jwks: pool.jwks,
  appClientIds: [pool.clientId],
});
const REFUSED = { ok: false, message: 'You are not authorized to make this call.' };

describe('user-pool tokens, verified as AppSync verifies them', () => {
  it('given an ID token of the pool, then it is accepted with its groups', async () => {
    const result = await verify(pool.token({ groups: ['operators'] }), '127.0.0.1');
    expect(result).toMatchObject({ ok: true, identity: { groups: ['operators'] } });
  });

  it('given an access token of the pool (what Amplify sends), then it is accepted with its username', async () => {
    const result = await verify(
      pool.token({ use: 'access', username: 'bob', groups: ['viewers'] }),
      '127.0.0.1',
    );
    expect(result).toMatchObject({
      ok: true,
      identity: { username: 'bob', groups: ['viewers'], claims: { token_use: 'access' } },
    });
  });

  it('given a user in no group, then groups is null', async () => {
    expect(await verify(pool.token(), '127.0.0.1')).toMatchObject({
      ok: true,
      identity: { groups: null },
    });
  });

  it('given an expired token, then it is refused with AppSync\u2019s "Token has expired."', async () => {
    expect(await verify(pool.token({ expiresIn: -60 }), '127.0.0.1')).toEqual({
      ok: false,
      message: 'Token has expired.',
    });
  });

  it('given a token from another issuer, then it is refused', async () => {
    expect(
      await verify(pool.token({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/other' }), ''),
    ).toEqual(REFUSED);
  });

  it('given a token signed with another key, then it is refused', async () => {
    expect(await verify(pool.token({ otherKey: true }), '127.0.0.1')).toEqual(REFUSED);
  });

  it('given alg none, then it is refused', async () => {
    expect(await verify(pool.unsignedToken({ groups: ['admins'] }), '127.0.0.1')).toEqual({
      ok: false,
      message: 'Unable to parse JWT token.',
    });
  });

  it('given a payload changed after signing, then it is refused', async () => {
    const forged = tamperedToken(pool.token({ groups: ['viewers'] }), {
      'cognito:groups': ['admins'],
    });
    expect(await verify(forged, '127.0.0.1')).toEqual(REFUSED);
  });

  it('given a token for another app client (ID or access), then it is refused', async () => {
    expect(await verify(pool.token({ clientId: 'other-client' }), '')).toEqual(REFUSED);
    expect(await verify(pool.token({ use: 'access', clientId: 'other-client' }), '')).toEqual(
      REFUSED,
    );
  });

  it('given a token_use that is neither id nor access, then it is refused', async () => {
    expect(
      await verify(pool.token({ extraClaims: { token_use: 'refresh' } }), '127.0.0.1'),
    ).toEqual(REFUSED);
  });

  it('given something that is not a JWT at all, then it is refused as unparsable', async () => {
    expect(await verify('a.b.c', '127.0.0.1')).toEqual({
      ok: false,
      message: 'Unable to parse JWT token.',
    });
  });
});
