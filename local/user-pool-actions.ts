import { randomBytes } from 'node:crypto';
import type { userPool } from '../infra/resources.ts';
import {
  CognitoError,
  invalidParameter,
  notAuthorized,
  resourceNotFound,
} from './user-pool-errors.ts';
import {
  checkPasswordPolicy,
  type StoredGroup,
  type StoredSession,
  type StoredUser,
  type UserPoolStore,
} from './user-pool-store.ts';
import type { TokenSigner } from './user-pool-tokens.ts';

/** A request's JSON body. */
export type ActionInput = Record<string, unknown>;

/** One action of the Cognito Identity Provider API, as the local user pool serves it. */
export interface UserPoolAction {
  /** Whether AWS authorizes it with IAM (a SigV4 signature), as it does the Admin* actions. */
  iam: boolean;
  run(input: ActionInput): Promise<object> | object;
}

export interface UserPoolContext {
  store: UserPoolStore;
  signer: TokenSigner;
  definition: typeof userPool;
}

const DAY_MS = 24 * 3600 * 1000;
/** How long the session of an auth challenge (a new password at first sign-in) lasts. */
const CHALLENGE_SESSION_MS = 3 * 60 * 1000;
/** Standard attributes an administrator may set (the pool defines no custom ones). */
const STANDARD_ATTRIBUTES = new Set([
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'locale',
  'zoneinfo',
  'phone_number',
  'phone_number_verified',
]);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function text(input: ActionInput, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw invalidParameter(`Missing required parameter ${name}`);
  }
  return value;
}

function optionalText(input: ActionInput, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function record(input: ActionInput, name: string): Record<string, unknown> {
  const value = input[name];
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function attributeList(attributes: Record<string, string>) {
  return Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
}

/** `[{ Name, Value }]` from a request, refusing attributes the pool does not have. */
function attributesFrom(input: ActionInput, name: string): Record<string, string> {
  const list = input[name];
  if (list === undefined) return {};
  if (!Array.isArray(list)) throw invalidParameter(`${name} must be a list`);
  const attributes: Record<string, string> = {};
  for (const item of list as { Name?: unknown; Value?: unknown }[]) {
    const key = String(item.Name);
    if (!STANDARD_ATTRIBUTES.has(key)) {
      throw invalidParameter(
        `Attributes did not conform to the schema: Type for attribute {${key}} could not be determined`,
      );
    }
    attributes[key] = String(item.Value ?? '');
  }
  return attributes;
}

const seconds = (ms: number) => ms / 1000;

function userType(user: StoredUser, attributesKey: 'Attributes' | 'UserAttributes') {
  return {
    Username: user.username,
    [attributesKey]: attributeList(user.attributes),
    UserCreateDate: seconds(user.createdAt),
    UserLastModifiedDate: seconds(user.modifiedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

function groupType(userPoolId: string, name: string, group: StoredGroup) {
  return {
    GroupName: name,
    UserPoolId: userPoolId,
    Description: group.description,
    Precedence: group.precedence,
    CreationDate: seconds(group.createdAt),
    LastModifiedDate: seconds(group.modifiedAt),
  };
}

/** One page of `items`; the token is the offset, as opaque to clients as Cognito's. */
function page<T>(items: T[], input: ActionInput, tokenName: string, maxLimit: number) {
  const token = optionalText(input, tokenName);
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter(`Invalid ${tokenName}`);
  const limit = typeof input.Limit === 'number' ? input.Limit : maxLimit;
  if (!Number.isInteger(limit) || limit < 0 || limit > maxLimit) {
    throw invalidParameter(`Limit must be between 0 and ${maxLimit}`);
  }
  const end = start + limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { [tokenName]: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

/** ListUsers' `Filter`: `attribute = "value"` or `attribute ^= "value"`. */
function userFilter(filter: string | undefined): (user: StoredUser) => boolean {
  if (!filter) return () => true;
  const match = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (!match) throw invalidParameter('Error while parsing filter.');
  const [, name = '', operator, wanted = ''] = match;
  const valueOf = (user: StoredUser): string | undefined =>
    name === 'username'
      ? user.username
      : name === 'cognito:user_status'
        ? user.status
        : name === 'status'
          ? user.enabled
            ? 'Enabled'
            : 'Disabled'
          : user.attributes[name];
  return (user) => {
    const value = valueOf(user);
    if (value === undefined) return false;
    return operator === '=' ? value === wanted : value.startsWith(wanted);
  };
}

/** A password the policy admits, for users created without one. */
function temporaryPassword(): string {
  return `Tmp1!${randomBytes(12).toString('base64url')}`;
}

/**
 * The Cognito Identity Provider actions the local user pool serves, by their `X-Amz-Target`
 * name: sign-in with USER_PASSWORD_AUTH (and the new-password challenge of a user an
 * administrator created), token refresh and revocation, and the administrator actions for
 * users and groups. Behaviour follows the deployed pool: e-mail addresses as user names
 * (users named by their sub), case-insensitive sign-in, no hint whether a user exists
 * (`NotAuthorizedException` for an unknown user as for a wrong password), revocable tokens.
 */
export function userPoolActions(context: UserPoolContext): Record<string, UserPoolAction> {
  const { store, signer, definition } = context;
  const policy = definition.passwordPolicy;
  const temporaryValidityMs = policy.temporaryPasswordValidityDays * DAY_MS;
  const validity = {
    idTokenSeconds: definition.client.idTokenValidityMinutes * 60,
    accessTokenSeconds: definition.client.accessTokenValidityMinutes * 60,
  };
  const refreshLifetimeMs = definition.client.refreshTokenValidityDays * DAY_MS;
  /** Sessions of pending auth challenges, by their opaque id; not kept across restarts. */
  const challenges = new Map<string, { username: string; clientId: string; expiresAt: number }>();

  const requirePool = (input: ActionInput) => {
    const id = text(input, 'UserPoolId');
    if (id !== store.userPoolId) throw resourceNotFound(`User pool ${id} does not exist.`);
  };
  const requireClient = (input: ActionInput): string => {
    const id = text(input, 'ClientId');
    if (id !== store.clientId) throw resourceNotFound(`User pool client ${id} does not exist.`);
    return id;
  };
  const poolUser = (input: ActionInput): StoredUser => {
    requirePool(input);
    return store.requireUser(text(input, 'Username'));
  };

  const tokens = (user: StoredUser, session: StoredSession) =>
    signer.issue(user, store.groupsOf(user), session, validity);

  const signedIn = (user: StoredUser, clientId: string) => {
    const { refreshToken, session } = store.startSession(user, clientId, refreshLifetimeMs);
    return {
      AuthenticationResult: { ...tokens(user, session), RefreshToken: refreshToken },
      ChallengeParameters: {},
    };
  };

  const refreshed = (refreshToken: string, clientId: string) => {
    const session = store.findSession(refreshToken);
    if (!session || session.clientId !== clientId) throw notAuthorized('Invalid Refresh Token');
    const user = store.findUser(session.username);
    if (!user) throw notAuthorized('User does not exist.');
    if (!user.enabled) throw notAuthorized('User is disabled.');
    return { AuthenticationResult: tokens(user, session), ChallengeParameters: {} };
  };

  /** The user an access token belongs to, while its session lives. */
  const accessTokenUser = (input: ActionInput): StoredUser => {
    const claims = signer.verifyAccessToken(text(input, 'AccessToken'));
    if (!store.isLiveSession(claims.originJti))
      throw notAuthorized('Access Token has been revoked');
    const user = store.findUser(claims.username);
    if (!user) throw notAuthorized('User does not exist.');
    return user;
  };

  const signInWithPassword = async (input: ActionInput, clientId: string) => {
    const parameters = record(input, 'AuthParameters');
    const username = typeof parameters.USERNAME === 'string' ? parameters.USERNAME : '';
    const password = typeof parameters.PASSWORD === 'string' ? parameters.PASSWORD : '';
    if (!username) throw invalidParameter('Missing required parameter USERNAME');
    if (!password) throw invalidParameter('Missing required parameter PASSWORD');
    const user = await store.authenticate(username, password);
    if (!user) throw notAuthorized();
    if (!user.enabled) throw notAuthorized('User is disabled.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      if ((user.temporaryPasswordExpiresAt ?? 0) <= Date.now()) {
        throw notAuthorized(
          'Temporary password has expired and must be reset by an administrator.',
        );
      }
      const session = randomBytes(48).toString('base64url');
      challenges.set(session, {
        username: user.username,
        clientId,
        expiresAt: Date.now() + CHALLENGE_SESSION_MS,
      });
      const { sub: _sub, email_verified: _verified, ...attributes } = user.attributes;
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: {
          USER_ID_FOR_SRP: user.username,
          requiredAttributes: '[]',
          userAttributes: JSON.stringify(attributes),
        },
      };
    }
    return signedIn(user, clientId);
  };

  const admin = (run: (input: ActionInput) => Promise<object> | object): UserPoolAction => ({
    iam: true,
    run,
  });
  const open = (run: (input: ActionInput) => Promise<object> | object): UserPoolAction => ({
    iam: false,
    run,
  });

  return {
    InitiateAuth: open(async (input) => {
      const clientId = requireClient(input);
      const flow = text(input, 'AuthFlow');
      if (flow === 'USER_PASSWORD_AUTH') return signInWithPassword(input, clientId);
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
        const token = record(input, 'AuthParameters').REFRESH_TOKEN;
        if (typeof token !== 'string' || !token) {
          throw invalidParameter('Missing required parameter REFRESH_TOKEN');
        }
        return refreshed(token, clientId);
      }
      throw invalidParameter(
        `Auth flow not enabled for this client (the local user pool offers USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, not ${flow})`,
      );
    }),

    RespondToAuthChallenge: open(async (input) => {
      const clientId = requireClient(input);
      const name = text(input, 'ChallengeName');
      if (name !== 'NEW_PASSWORD_REQUIRED') {
        throw invalidParameter(`The local user pool does not answer the ${name} challenge`);
      }
      const sessionId = text(input, 'Session');
      const challenge = challenges.get(sessionId);
      const responses = record(input, 'ChallengeResponses');
      const user = challenge ? store.findUser(String(responses.USERNAME ?? '')) : undefined;
      if (
        !challenge ||
        challenge.expiresAt <= Date.now() ||
        challenge.clientId !== clientId ||
        user?.username !== challenge.username
      ) {
        throw notAuthorized('Invalid session for the user, session is expired.');
      }
      const password = typeof responses.NEW_PASSWORD === 'string' ? responses.NEW_PASSWORD : '';
      if (!password) throw invalidParameter('Missing required parameter NEW_PASSWORD');
      checkPasswordPolicy(password, policy);
      challenges.delete(sessionId);
      await store.setPassword(user, password, 'CONFIRMED', temporaryValidityMs);
      return signedIn(user, clientId);
    }),

    GetTokensFromRefreshToken: open((input) =>
      refreshed(text(input, 'RefreshToken'), requireClient(input)),
    ),

    RevokeToken: open((input) => {
      const token = text(input, 'Token');
      const clientId = text(input, 'ClientId');
      if (store.findSession(token)?.clientId === clientId) store.revokeSession(token);
      return {};
    }),

    GlobalSignOut: open((input) => {
      store.revokeSessions(accessTokenUser(input));
      return {};
    }),

    GetUser: open((input) => {
      const user = accessTokenUser(input);
      return { Username: user.username, UserAttributes: attributeList(user.attributes) };
    }),

    AdminCreateUser: admin(async (input) => {
      requirePool(input);
      const email = text(input, 'Username').trim();
      if (!EMAIL.test(email)) throw invalidParameter('Username should be an email.');
      const attributes = attributesFrom(input, 'UserAttributes');
      const password = optionalText(input, 'TemporaryPassword') ?? temporaryPassword();
      checkPasswordPolicy(password, policy);
      const user = await store.createUser({
        email,
        attributes,
        password,
        status: 'FORCE_CHANGE_PASSWORD',
        temporaryPasswordValidityMs: temporaryValidityMs,
      });
      return { User: userType(user, 'Attributes') };
    }),

    AdminGetUser: admin((input) => userType(poolUser(input), 'UserAttributes')),

    AdminSetUserPassword: admin(async (input) => {
      const user = poolUser(input);
      const password = text(input, 'Password');
      checkPasswordPolicy(password, policy);
      const status = input.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
      await store.setPassword(user, password, status, temporaryValidityMs);
      return {};
    }),

    AdminDeleteUser: admin((input) => {
      store.deleteUser(poolUser(input));
      return {};
    }),

    AdminDisableUser: admin((input) => {
      store.setEnabled(poolUser(input), false);
      return {};
    }),

    AdminEnableUser: admin((input) => {
      store.setEnabled(poolUser(input), true);
      return {};
    }),

    AdminUserGlobalSignOut: admin((input) => {
      store.revokeSessions(poolUser(input));
      return {};
    }),

    AdminAddUserToGroup: admin((input) => {
      store.addToGroup(poolUser(input), text(input, 'GroupName'));
      return {};
    }),

    AdminRemoveUserFromGroup: admin((input) => {
      store.removeFromGroup(poolUser(input), text(input, 'GroupName'));
      return {};
    }),

    AdminListGroupsForUser: admin((input) => {
      const user = poolUser(input);
      const groups = store
        .groupsOf(user)
        .map((name) => groupType(store.userPoolId, name, store.requireGroup(name)));
      const { items, ...next } = page(groups, input, 'NextToken', 60);
      return { Groups: items, ...next };
    }),

    ListUsers: admin((input) => {
      requirePool(input);
      const users = store.listUsers().filter(userFilter(optionalText(input, 'Filter')));
      const { items, ...next } = page(users, input, 'PaginationToken', 60);
      return { Users: items.map((user) => userType(user, 'Attributes')), ...next };
    }),

    ListUsersInGroup: admin((input) => {
      requirePool(input);
      const group = text(input, 'GroupName');
      store.requireGroup(group);
      const users = store.listUsers().filter((user) => user.groups.includes(group));
      const { items, ...next } = page(users, input, 'NextToken', 60);
      return { Users: items.map((user) => userType(user, 'Attributes')), ...next };
    }),

    CreateGroup: admin((input) => {
      requirePool(input);
      const name = text(input, 'GroupName');
      if (store.findGroup(name)) {
        throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
      }
      const precedence = typeof input.Precedence === 'number' ? input.Precedence : 0;
      const group = store.putGroup(name, optionalText(input, 'Description') ?? '', precedence);
      return { Group: groupType(store.userPoolId, name, group) };
    }),

    GetGroup: admin((input) => {
      requirePool(input);
      const name = text(input, 'GroupName');
      return { Group: groupType(store.userPoolId, name, store.requireGroup(name)) };
    }),

    ListGroups: admin((input) => {
      requirePool(input);
      const groups = store
        .listGroups()
        .map(([name, group]) => groupType(store.userPoolId, name, group));
      const { items, ...next } = page(groups, input, 'NextToken', 60);
      return { Groups: items, ...next };
    }),

    DeleteGroup: admin((input) => {
      requirePool(input);
      store.deleteGroup(text(input, 'GroupName'));
      return {};
    }),
  };
}
