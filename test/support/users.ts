import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserGroup } from '../../infra/resources.ts';
import type { LocalStackOutputs } from '../../local/stack.ts';

/** A signed-in user of the local stack's user pool, with their tokens. */
export interface TestUser {
  username: string;
  password: string;
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

/** The AWS SDK's Cognito client, pointed at the local stack's user pool. */
export function userPoolClient(outputs: LocalStackOutputs): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: outputs.Region,
    endpoint: outputs.CognitoEndpoint,
    credentials: {
      accessKeyId: outputs.LocalAccessKeyId,
      secretAccessKey: outputs.LocalSecretAccessKey,
    },
  });
}

/** Signs a user in with USER_PASSWORD_AUTH, as a script or Amplify configured for it does. */
export async function signIn(
  outputs: LocalStackOutputs,
  username: string,
  password: string,
): Promise<TestUser> {
  const { AuthenticationResult: tokens } = await userPoolClient(outputs).send(
    new InitiateAuthCommand({
      ClientId: outputs.UserPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  if (!tokens?.IdToken || !tokens.AccessToken || !tokens.RefreshToken) {
    throw new Error(`Signing in ${username} gave no tokens`);
  }
  return {
    username,
    password,
    idToken: tokens.IdToken,
    accessToken: tokens.AccessToken,
    refreshToken: tokens.RefreshToken,
  };
}

/** A password the pool's policy accepts. */
export function testPassword(): string {
  return `Aa1!${randomBytes(12).toString('base64url')}`;
}

/**
 * Adds a user as an admin does, through the Cognito API, in `group` or in no group: with a
 * password of their own, or (`invited`) a temporary one they must change at first sign-in.
 */
export async function addUser(
  outputs: LocalStackOutputs,
  group: UserGroup | null,
  options: { email?: string; invited?: boolean } = {},
): Promise<{ username: string; password: string }> {
  const cognito = userPoolClient(outputs);
  const username =
    options.email ?? `${group ?? 'nogroup'}-${randomBytes(4).toString('hex')}@example.com`;
  const password = testPassword();
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: outputs.UserPoolId,
      Username: username,
      ...(options.invited ? { TemporaryPassword: password } : {}),
      UserAttributes: [
        { Name: 'email', Value: username },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
    }),
  );
  if (!options.invited) {
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: outputs.UserPoolId,
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
  }
  if (group) {
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: outputs.UserPoolId,
        Username: username,
        GroupName: group,
      }),
    );
  }
  return { username, password };
}

/** Creates a confirmed user in `group`, or in no group, and signs them in. */
export async function createUser(
  outputs: LocalStackOutputs,
  group: UserGroup | null,
  email?: string,
): Promise<TestUser> {
  const { username, password } = await addUser(outputs, group, email ? { email } : {});
  return signIn(outputs, username, password);
}

const admins = new WeakMap<LocalStackOutputs, Promise<TestUser>>();

/** The stack's first admin, signed in once per stack. */
export function localAdmin(outputs: LocalStackOutputs): Promise<TestUser> {
  let admin = admins.get(outputs);
  if (!admin) {
    admin = signIn(outputs, outputs.LocalAdminUsername, outputs.LocalAdminPassword);
    admins.set(outputs, admin);
    admin.catch(() => admins.delete(outputs));
  }
  return admin;
}
