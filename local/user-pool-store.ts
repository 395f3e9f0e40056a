import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CognitoError,
  invalidParameter,
  resourceNotFound,
  userNotFound,
} from './user-pool-errors.ts';

/** What Cognito calls a user's state: signed in once with their own password, or not yet. */
export type UserStatus = 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';

export interface StoredUser {
  /** The user's name in the pool: with e-mail as user name, Cognito names users by their sub. */
  username: string;
  attributes: Record<string, string>;
  /** `scrypt$<salt>$<hash>`, base64url. */
  passwordHash: string;
  status: UserStatus;
  /** When a temporary password stops working (epoch ms). */
  temporaryPasswordExpiresAt?: number;
  enabled: boolean;
  groups: string[];
  createdAt: number;
  modifiedAt: number;
}

export interface StoredGroup {
  description: string;
  precedence: number;
  createdAt: number;
  modifiedAt: number;
}

/** A sign-in and its refresh token (kept as a hash), until it expires or is revoked. */
export interface StoredSession {
  username: string;
  clientId: string;
  /** `origin_jti` of every token issued from this sign-in. */
  originJti: string;
  authTime: number;
  expiresAt: number;
}

interface PoolState {
  version: 1;
  userPoolId: string;
  clientId: string;
  users: Record<string, StoredUser>;
  groups: Record<string, StoredGroup>;
  /** By SHA-256 of the refresh token. */
  sessions: Record<string, StoredSession>;
}

export interface PasswordPolicy {
  minLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireDigits: boolean;
  requireSymbols: boolean;
}

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
) => Promise<Buffer>;
const HASH_LENGTH = 32;
/** Checked against when the user is unknown, so a wrong name costs as long as a wrong password. */
const UNKNOWN_USER_HASH = `scrypt$${randomBytes(16).toString('base64url')}$${randomBytes(HASH_LENGTH).toString('base64url')}`;

/** Cognito's symbol characters for password policies. */
const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

/** Refuses a password the policy does not admit, with Cognito's exception and wording. */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const failures: [boolean, string][] = [
    [password.length < policy.minLength, 'Password not long enough'],
    [policy.requireLowercase && !/[a-z]/.test(password), 'Password must have lowercase characters'],
    [policy.requireUppercase && !/[A-Z]/.test(password), 'Password must have uppercase characters'],
    [policy.requireDigits && !/[0-9]/.test(password), 'Password must have numeric characters'],
    [policy.requireSymbols && !SYMBOLS.test(password), 'Password must have symbol characters'],
  ];
  const failure = failures.find(([failed]) => failed);
  if (failure) {
    throw new CognitoError(
      'InvalidPasswordException',
      `Password did not conform with policy: ${failure[1]}`,
    );
  }
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password.normalize('NFKC'), salt, HASH_LENGTH);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [, salt = '', hash = ''] = stored.split('$');
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(
    password.normalize('NFKC'),
    Buffer.from(salt, 'base64url'),
    HASH_LENGTH,
  );
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A record's own entry: names from requests must never reach `Object.prototype`. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export const refreshTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The user pool's users, groups and sign-in sessions, in memory and, given a directory,
 * written through to `pool.json` there on every change (write and rename, so a crash leaves
 * the previous or the new state, never half of one). Passwords are kept as scrypt hashes and
 * refresh tokens as SHA-256 hashes.
 */
export class UserPoolStore {
  private readonly state: PoolState;
  private readonly file: string | null;

  private constructor(state: PoolState, file: string | null) {
    this.state = state;
    this.file = file;
  }

  /** Loads the pool kept in `dir`, or makes a new one (ids from `makeIds`) there. */
  static open(
    dir: string | null,
    makeIds: () => { userPoolId: string; clientId: string },
  ): UserPoolStore {
    const file = dir ? join(dir, 'pool.json') : null;
    if (file && existsSync(file)) {
      const state = JSON.parse(readFileSync(file, 'utf8')) as PoolState;
      return new UserPoolStore(state, file);
    }
    if (dir) mkdirSync(dir, { recursive: true });
    const state: PoolState = { version: 1, ...makeIds(), users: {}, groups: {}, sessions: {} };
    const store = new UserPoolStore(state, file);
    store.save();
    return store;
  }

  get userPoolId(): string {
    return this.state.userPoolId;
  }

  get clientId(): string {
    return this.state.clientId;
  }

  /** Writes the state through to disk; every change calls it. */
  save(): void {
    if (!this.file) return;
    const now = Date.now();
    for (const [hash, session] of Object.entries(this.state.sessions)) {
      if (session.expiresAt <= now) delete this.state.sessions[hash];
    }
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.state, null, 2), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  // Users

  /** A user by their user name (sub) or their e-mail address, compared case-insensitively. */
  findUser(name: string): StoredUser | undefined {
    const wanted = name.trim().toLowerCase();
    return (
      own(this.state.users, name) ??
      Object.values(this.state.users).find(
        (user) => user.attributes.email?.toLowerCase() === wanted,
      )
    );
  }

  requireUser(name: string): StoredUser {
    const user = this.findUser(name);
    if (!user) throw userNotFound();
    return user;
  }

  listUsers(): StoredUser[] {
    return Object.values(this.state.users).sort((a, b) => a.createdAt - b.createdAt);
  }

  async createUser(input: {
    email: string;
    attributes: Record<string, string>;
    password: string;
    status: UserStatus;
    temporaryPasswordValidityMs: number;
  }): Promise<StoredUser> {
    // Hashed first: the check and the insert then run with no await between them.
    const passwordHash = await hashPassword(input.password);
    if (this.findUser(input.email)) {
      throw new CognitoError(
        'UsernameExistsException',
        'An account with the given email already exists.',
      );
    }
    const sub = randomUUID();
    const now = Date.now();
    const user: StoredUser = {
      username: sub,
      attributes: { ...input.attributes, email: input.email, sub },
      passwordHash,
      status: input.status,
      ...(input.status === 'FORCE_CHANGE_PASSWORD'
        ? { temporaryPasswordExpiresAt: now + input.temporaryPasswordValidityMs }
        : {}),
      enabled: true,
      groups: [],
      createdAt: now,
      modifiedAt: now,
    };
    this.state.users[sub] = user;
    this.save();
    return user;
  }

  async setPassword(
    user: StoredUser,
    password: string,
    status: UserStatus,
    temporaryPasswordValidityMs: number,
  ): Promise<void> {
    user.passwordHash = await hashPassword(password);
    user.status = status;
    if (status === 'FORCE_CHANGE_PASSWORD') {
      user.temporaryPasswordExpiresAt = Date.now() + temporaryPasswordValidityMs;
    } else {
      delete user.temporaryPasswordExpiresAt;
    }
    this.touch(user);
  }

  /**
   * The user whose name and password these are, or undefined; the same work is done for an
   * unknown name as for a wrong password.
   */
  async authenticate(name: string, password: string): Promise<StoredUser | undefined> {
    const user = this.findUser(name);
    const matches = await passwordMatches(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    return user && matches ? user : undefined;
  }

  setEnabled(user: StoredUser, enabled: boolean): void {
    user.enabled = enabled;
    if (!enabled) this.revokeSessions(user);
    this.touch(user);
  }

  deleteUser(user: StoredUser): void {
    this.revokeSessions(user);
    delete this.state.users[user.username];
    this.save();
  }

  private touch(user: StoredUser): void {
    user.modifiedAt = Date.now();
    this.save();
  }

  // Groups

  listGroups(): [string, StoredGroup][] {
    return Object.entries(this.state.groups).sort(([, a], [, b]) => a.precedence - b.precedence);
  }

  findGroup(name: string): StoredGroup | undefined {
    return own(this.state.groups, name);
  }

  requireGroup(name: string): StoredGroup {
    const group = this.findGroup(name);
    if (!group) throw resourceNotFound('Group not found.');
    return group;
  }

  /** Creates the group, or updates its description and precedence when it exists. */
  putGroup(name: string, description: string, precedence: number): StoredGroup {
    if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(name) || name === '__proto__') {
      throw invalidParameter(`Invalid group name: ${name}`);
    }
    const now = Date.now();
    const existing = this.findGroup(name);
    const group = existing
      ? { ...existing, description, precedence, modifiedAt: now }
      : { description, precedence, createdAt: now, modifiedAt: now };
    this.state.groups[name] = group;
    this.save();
    return group;
  }

  deleteGroup(name: string): void {
    this.requireGroup(name);
    delete this.state.groups[name];
    for (const user of Object.values(this.state.users)) {
      user.groups = user.groups.filter((group) => group !== name);
    }
    this.save();
  }

  addToGroup(user: StoredUser, group: string): void {
    this.requireGroup(group);
    if (!user.groups.includes(group)) user.groups.push(group);
    this.touch(user);
  }

  removeFromGroup(user: StoredUser, group: string): void {
    this.requireGroup(group);
    user.groups = user.groups.filter((name) => name !== group);
    this.touch(user);
  }

  /** The user's groups, by precedence, as tokens list them. */
  groupsOf(user: StoredUser): string[] {
    return this.listGroups()
      .map(([name]) => name)
      .filter((name) => user.groups.includes(name));
  }

  // Sessions

  /** Starts a session and returns its refresh token (only its hash is kept). */
  startSession(
    user: StoredUser,
    clientId: string,
    lifetimeMs: number,
  ): {
    refreshToken: string;
    session: StoredSession;
  } {
    const refreshToken = randomBytes(48).toString('base64url');
    const now = Date.now();
    const session: StoredSession = {
      username: user.username,
      clientId,
      originJti: randomUUID(),
      authTime: Math.floor(now / 1000),
      expiresAt: now + lifetimeMs,
    };
    this.state.sessions[refreshTokenHash(refreshToken)] = session;
    this.save();
    return { refreshToken, session };
  }

  /** The live session a refresh token belongs to, if any. */
  findSession(refreshToken: string): StoredSession | undefined {
    const session = own(this.state.sessions, refreshTokenHash(refreshToken));
    return session && session.expiresAt > Date.now() ? session : undefined;
  }

  /** Whether tokens carrying this `origin_jti` still belong to a live session. */
  isLiveSession(originJti: string): boolean {
    const now = Date.now();
    return Object.values(this.state.sessions).some(
      (session) => session.originJti === originJti && session.expiresAt > now,
    );
  }

  revokeSession(refreshToken: string): void {
    delete this.state.sessions[refreshTokenHash(refreshToken)];
    this.save();
  }

  /** Ends every session of the user (global sign-out, deletion, disabling). */
  revokeSessions(user: StoredUser): void {
    for (const [hash, session] of Object.entries(this.state.sessions)) {
      if (session.username === user.username) delete this.state.sessions[hash];
    }
    this.save();
  }
}
