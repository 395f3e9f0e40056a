import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  ListGroupsCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPool as definition } from '../../infra/resources.ts';
import { type LocalUserPool, startLocalUserPool } from '../../local/user-pool.ts';

const region = 'us-east-1';
const credentials = {
  accessKeyId: `AKIALOCAL${randomBytes(6).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64url'),
};
let stateDir: string;
let pool: LocalUserPool;
let cognito: CognitoIdentityProviderClient;

const start = (port = 0) =>
  startLocalUserPool({ host: '127.0.0.1', port, stateDir, region, credentials });

const clientFor = (target: LocalUserPool, keys = credentials) =>
  new CognitoIdentityProviderClient({ region, endpoint: target.endpoint, credentials: keys });

const password = () => `Aa1!${randomBytes(12).toString('base64url')}`;

/**
 * aws-jwt-verify fetches JWKS over HTTPS only by default; the local pool serves HTTP. A fresh
 * connection each time, so a restart of the pool never meets a stale kept-alive socket.
 */
const jwksCache = () =>
  new SimpleJwksCache({
    fetcher: {
      fetch: (uri: string) =>
        new Promise<ArrayBuffer>((resolve, reject) => {
          get(uri, { agent: false }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)).buffer));
          }).on('error', reject);
        }),
    },
  });

/** Verifies ID and access tokens as a Cognito-aware API does: issuer, JWKS, client, use. */
function verifiersFor(target: LocalUserPool) {
  const cache = jwksCache();
  return {
    id: JwtVerifier.create(
      {
        issuer: target.issuer,
        jwksUri: target.jwksUri,
        audience: target.clientId,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== 'id') throw new Error('not an ID token');
        },
      },
      { jwksCache: cache },
    ),
    access: JwtVerifier.create(
      {
        issuer: target.issuer,
        jwksUri: target.jwksUri,
        audience: null,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== 'access') throw new Error('not an access token');
          if (payload.client_id !== target.clientId) throw new Error('another client');
        },
      },
      { jwksCache: cache },
    ),
  };
}

async function createUser(email: string, secret: string, group?: string): Promise<string> {
  const created = await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: email,
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      MessageAction: 'SUPPRESS',
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: pool.userPoolId,
      Username: email,
      Password: secret,
      Permanent: true,
    }),
  );
  if (group) {
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        GroupName: group,
      }),
    );
  }
  return created.User?.Username ?? '';
}

const signInWithPassword = (username: string, secret: string, target = pool) =>
  clientFor(target).send(
    new InitiateAuthCommand({
      ClientId: target.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: secret },
    }),
  );

const refresh = (refreshToken: string, target = pool) =>
  clientFor(target).send(
    new InitiateAuthCommand({
      ClientId: target.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ name: 'none', message: 'not refused' }),
    (error: Error) => ({ name: error.name, message: error.message }),
  );

function tokensOf(output: InitiateAuthCommandOutput) {
  const result = output.AuthenticationResult;
  return {
    idToken: result?.IdToken ?? '',
    accessToken: result?.AccessToken ?? '',
    refreshToken: result?.RefreshToken ?? '',
  };
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'user-pool-test-'));
  pool = await start();
  cognito = clientFor(pool);
});

afterAll(async () => {
  await pool?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('local user pool, through the AWS SDK Cognito client', () => {
  it('given a first start, then the pool has the defined groups and the admin signs in at once with the generated password', async () => {
    // Act
    const groups = await cognito.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId }));
    const signedIn = await signInWithPassword(pool.adminUsername, pool.adminPassword);

    // Assess
    expect(pool.userPoolId).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    expect(pool.adminUsername).toBe('admin@example.com');
    expect(groups.Groups?.map((group) => [group.GroupName, group.Description])).toEqual(
      Object.entries(definition.groups),
    );
    expect(signedIn.ChallengeName).toBeUndefined();
    const claims = await verifiersFor(pool).id.verify(tokensOf(signedIn).idToken);
    expect(claims).toMatchObject({ email: 'admin@example.com', 'cognito:groups': ['admins'] });
  });

  it('given a user created and put in a group, when they sign in with USER_PASSWORD_AUTH, then the ID and access tokens verify with aws-jwt-verify and carry the group', async () => {
    // Prepare
    const email = `operator-${Date.now()}@example.com`;
    const secret = password();
    const sub = await createUser(email, secret, 'operators');

    // Act
    const tokens = tokensOf(await signInWithPassword(email.toUpperCase(), secret));
    const verifiers = verifiersFor(pool);
    const id = await verifiers.id.verify(tokens.idToken);
    const access = await verifiers.access.verify(tokens.accessToken);

    // Assess
    expect(id).toMatchObject({
      iss: pool.issuer,
      aud: pool.clientId,
      token_use: 'id',
      sub,
      email,
      email_verified: true,
      'cognito:username': sub,
      'cognito:groups': ['operators'],
    });
    expect(access).toMatchObject({
      client_id: pool.clientId,
      token_use: 'access',
      username: sub,
      'cognito:groups': ['operators'],
    });
    expect((access.exp ?? 0) - (access.iat ?? 0)).toBe(
      definition.client.accessTokenValidityMinutes * 60,
    );
    expect(tokens.refreshToken).not.toBe('');
  });

  it('given a signed-in user, when they refresh after leaving their group, then the new tokens verify and carry no group; once deleted they can neither refresh nor sign in', async () => {
    // Prepare
    const email = `leaver-${Date.now()}@example.com`;
    const secret = password();
    await createUser(email, secret, 'viewers');
    const first = tokensOf(await signInWithPassword(email, secret));

    // Act
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        GroupName: 'viewers',
      }),
    );
    const refreshed = tokensOf(await refresh(first.refreshToken));
    await cognito.send(
      new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: email }),
    );

    // Assess
    const access = await verifiersFor(pool).access.verify(refreshed.accessToken);
    expect(access['cognito:groups']).toBeUndefined();
    expect(refreshed.refreshToken).toBe('');
    expect(await refusal(refresh(first.refreshToken))).toMatchObject({
      name: 'NotAuthorizedException',
    });
    expect(await refusal(signInWithPassword(email, secret))).toMatchObject({
      name: 'NotAuthorizedException',
    });
    expect(
      await refusal(
        cognito.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email })),
      ),
    ).toMatchObject({ name: 'UserNotFoundException' });
  });

  it('given a wrong password or an unknown user, when signing in, then both are refused alike with NotAuthorizedException', async () => {
    // Act
    const wrongPassword = await refusal(signInWithPassword(pool.adminUsername, password()));
    const unknownUser = await refusal(signInWithPassword('nobody@example.com', password()));

    // Assess
    expect(wrongPassword).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(unknownUser).toEqual(wrongPassword);
  });

  it('given an administrator action unsigned or signed with another key, then it is refused and changes nothing', async () => {
    // Prepare
    const email = `intruder-${Date.now()}@example.com`;
    const stranger = clientFor(pool, {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64url'),
    });
    const unsigned = await fetch(pool.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.AdminCreateUser',
      },
      body: JSON.stringify({ UserPoolId: pool.userPoolId, Username: email }),
    });

    // Act
    const forged = await refusal(
      stranger.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: email })),
    );

    // Assess
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    expect(forged.name).toBe('InvalidSignatureException');
    const found = await cognito.send(
      new ListUsersCommand({ UserPoolId: pool.userPoolId, Filter: `email = "${email}"` }),
    );
    expect(found.Users).toEqual([]);
  });

  it('given a user created with a temporary password, when they sign in, then they must choose a password the policy admits, and are then signed in', async () => {
    // Prepare
    const email = `invited-${Date.now()}@example.com`;
    const temporary = password();
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        TemporaryPassword: temporary,
        MessageAction: 'SUPPRESS',
      }),
    );

    // Act
    const challenge = await signInWithPassword(email, temporary);
    const respond = (newPassword: string) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
        }),
      );
    const weak = await refusal(respond('short'));
    const answered = await respond(password());

    // Assess
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(weak).toEqual({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });
    expect(answered.AuthenticationResult?.IdToken).toBeTruthy();
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email }),
    );
    expect(user.UserStatus).toBe('CONFIRMED');
  });

  it('given a restart with the same state directory, then the pool keeps its id, client, admin, users and key: a token issued before still verifies and its refresh token still works', async () => {
    // Prepare
    const email = `keeper-${Date.now()}@example.com`;
    const secret = password();
    await createUser(email, secret, 'admins');
    const before = tokensOf(await signInWithPassword(email, secret));
    const { userPoolId, clientId, issuer, adminPassword } = pool;
    const port = Number(new URL(pool.endpoint).port);

    // Act
    await pool.close();
    pool = await start(port);
    cognito = clientFor(pool);

    // Assess
    expect(pool).toMatchObject({ userPoolId, clientId, issuer, adminPassword });
    const verifiers = verifiersFor(pool);
    expect(await verifiers.id.verify(before.idToken)).toMatchObject({
      email,
      'cognito:groups': ['admins'],
    });
    const refreshed = tokensOf(await refresh(before.refreshToken));
    expect(await verifiers.access.verify(refreshed.accessToken)).toMatchObject({
      token_use: 'access',
    });
    expect((await signInWithPassword(email, secret)).AuthenticationResult).toBeDefined();
  });

  it('given state kept from an older definition (a group missing, a description changed), when the pool restarts, then the groups are those of infra/resources.ts again', async () => {
    // Prepare
    const port = Number(new URL(pool.endpoint).port);
    await pool.close();
    const file = join(stateDir, 'pool.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      groups: Record<string, { description: string }>;
    };
    delete state.groups.viewers;
    if (state.groups.operators) state.groups.operators.description = 'an older description';
    writeFileSync(file, JSON.stringify(state));

    // Act
    pool = await start(port);
    cognito = clientFor(pool);
    const groups = await cognito.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId }));

    // Assess
    expect(groups.Groups?.map((group) => [group.GroupName, group.Description])).toEqual(
      Object.entries(definition.groups),
    );
  });
});

describe('local user pool, through AWS Amplify JS v6 Auth', () => {
  it("given Amplify configured with the pool's userPoolEndpoint, when signIn uses USER_PASSWORD_AUTH, then fetchAuthSession returns verifiable tokens and signOut revokes the session", async () => {
    // Prepare
    const email = `amplify-${Date.now()}@example.com`;
    const secret = password();
    await createUser(email, secret, 'viewers');
    Amplify.configure({
      Auth: {
        Cognito: {
          userPoolId: pool.userPoolId,
          userPoolClientId: pool.clientId,
          userPoolEndpoint: pool.endpoint,
        },
      },
    });

    // Act
    const signedIn = await signIn({
      username: email,
      password: secret,
      options: { authFlowType: 'USER_PASSWORD_AUTH' },
    });
    const session = await fetchAuthSession();
    const refreshedSession = await fetchAuthSession({ forceRefresh: true });
    await signOut();

    // Assess
    expect(signedIn.isSignedIn).toBe(true);
    const verifiers = verifiersFor(pool);
    expect(await verifiers.id.verify(session.tokens?.idToken?.toString() ?? '')).toMatchObject({
      email,
      'cognito:groups': ['viewers'],
    });
    expect(
      await verifiers.access.verify(refreshedSession.tokens?.accessToken.toString() ?? ''),
    ).toMatchObject({ token_use: 'access' });
    expect((await fetchAuthSession()).tokens).toBeUndefined();
    // Amplify revoked the session (RevokeToken): its access token no longer opens GetUser.
    const accessToken = refreshedSession.tokens?.accessToken.toString() ?? '';
    expect(await refusal(cognito.send(new GetUserCommand({ AccessToken: accessToken })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
  });
});
