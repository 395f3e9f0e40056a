import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type {
  CreateDeviceCredentialInput,
  DeviceCredential as DeviceCredentialType,
} from '../generated/graphql.ts';
import type { Caller } from './caller.ts';
import type { DeviceCredentialStore } from './ports.ts';
import { parseCredentialInput } from './device-credential-input.ts';

/**
 * Device credentials: what a device or gateway holds to send its own readings, and nothing
 * else. An admin issues one; its token is shown once and kept only as a hash of its secret.
 * AppSync's Lambda authorizer (resolvers/device-authorizer.ts) checks a token with
 * `authorizeDeviceToken` and hands the credential's device scope to the resolvers through
 * `resolverContext`; the ingest resolver keeps the device to that scope.
 */

/** A device credential as the API shows it: never its secret, nor the secret's hash. */
export type DeviceCredential = Omit<DeviceCredentialType, '__typename'>;

/** A stored credential with its secret's hash: only the store and the authorizer see it. */
export interface DeviceCredentialRecord {
  credential: DeviceCredential;
  /** SHA-256 of the token's secret, lower-case hex. */
  secretHash: string;
}

/**
 * `tad_<id>_<secret>`: a 32-hex-digit id (16 random bytes) and a 64-hex-digit secret (32
 * random bytes). No dots, so it can never be taken for a JWT; the same pattern is the
 * authorizer's `tokenPattern` in infra/resources.ts, where AppSync refuses anything else.
 */
export const DEVICE_TOKEN_PATTERN = /^tad_([0-9a-f]{32})_([0-9a-f]{64})$/;

const ID_BYTES = 16;
const SECRET_BYTES = 32;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** A credential just issued: its token exists only here, to be shown once. */
export interface IssuedDeviceCredential {
  credential: DeviceCredential;
  secretHash: string;
  token: string;
}

/**
 * Validates a request for a credential and issues it: a new random id and secret, the
 * secret kept only as its hash. `by` is the name of the admin issuing it.
 */
export function issueDeviceCredential(
  input: CreateDeviceCredentialInput,
  by: string,
  at: string,
  random: (size: number) => Uint8Array = randomBytes,
): IssuedDeviceCredential {
  const { name, scope } = parseCredentialInput(input);
  const id = Buffer.from(random(ID_BYTES)).toString('hex');
  const secret = Buffer.from(random(SECRET_BYTES)).toString('hex');
  return {
    credential: {
      id,
      name,
      deviceIds: [...scope.deviceIds],
      deviceIdPrefix: scope.deviceIdPrefix,
      createdAt: at,
      createdBy: by,
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
    },
    secretHash: hashSecret(secret),
    token: `tad_${id}_${secret}`,
  };
}

/** Splits a token into its credential id and secret; null when it is not a device token. */
export function parseDeviceToken(token: unknown): { id: string; secret: string } | null {
  if (typeof token !== 'string') return null;
  const match = DEVICE_TOKEN_PATTERN.exec(token);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

/** SHA-256 of a secret, lower-case hex: all that is ever stored of it. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True when `secret` hashes to `secretHash`, compared in constant time. */
export function verifySecret(secret: string, secretHash: string): boolean {
  if (!HASH_PATTERN.test(secretHash)) return false;
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(actual, Buffer.from(secretHash, 'hex'));
}

/**
 * Every root field a device credential may not use: all but `ingestEvent` and
 * `ingestEvents`. The authorizer returns them as `deniedFields`, so AppSync refuses them
 * before any resolver runs. A unit test checks the list against schema.graphql.
 */
export const deniedFieldsForDevices: readonly string[] = [
  'Query.events',
  'Query.alerts',
  'Query.activeAlerts',
  'Query.rules',
  'Query.rule',
  'Query.deviceCredentials',
  'Query.devices',
  'Query.device',
  'Query.systemStatus',
  'Query.backtestRule',
  'Mutation.createRule',
  'Mutation.updateRule',
  'Mutation.deleteRule',
  'Mutation.setRuleEnabled',
  'Mutation.importAlarmModels',
  'Mutation.acknowledgeAlert',
  'Mutation.snoozeAlert',
  'Mutation.resetAlert',
  'Mutation.createDeviceCredential',
  'Mutation.revokeDeviceCredential',
  'Mutation.updateDevice',
  'Mutation.deleteDevice',
  'Mutation.publishAlert',
  'Subscription.onAlert',
  'Query.silences',
  'Query.silence',
  'Query.maintenanceWindows',
  'Query.maintenanceWindow',
  'Mutation.createSilence',
  'Mutation.expireSilence',
  'Mutation.createMaintenanceWindow',
  'Mutation.updateMaintenanceWindow',
  'Mutation.deleteMaintenanceWindow',
];

/**
 * What the authorizer hands to the resolvers (AppSync allows only flat string values):
 * the credential and its device scope, `deviceIds` as a JSON array, no prefix as ''.
 */
export interface DeviceResolverContext {
  [key: string]: string;
  credentialId: string;
  credentialName: string;
  deviceIds: string;
  deviceIdPrefix: string;
}

export function encodeResolverContext(credential: DeviceCredential): DeviceResolverContext {
  return {
    credentialId: credential.id,
    credentialName: credential.name,
    deviceIds: JSON.stringify(credential.deviceIds),
    deviceIdPrefix: credential.deviceIdPrefix ?? '',
  };
}

/** A resolverContext that is not the authorizer's: a fault of the system, never "every device". */
export class MalformedResolverContextError extends Error {
  override readonly name = 'MalformedResolverContextError';
}

/**
 * Reads the caller a device credential's resolverContext describes. Anything malformed, or
 * a scope that covers no device, is refused: a fault here must narrow access, not widen it.
 */
export function deviceCallerFromContext(context: unknown): Extract<Caller, { kind: 'device' }> {
  const malformed = (what: string) => new MalformedResolverContextError(`resolverContext ${what}`);
  if (context === null || typeof context !== 'object') throw malformed('is not an object');
  const { credentialId, credentialName, deviceIds, deviceIdPrefix } = context as Record<
    string,
    unknown
  >;
  if (typeof credentialId !== 'string' || credentialId === '') {
    throw malformed('has no credentialId');
  }
  if (typeof credentialName !== 'string' || credentialName === '') {
    throw malformed('has no credentialName');
  }
  if (typeof deviceIdPrefix !== 'string') throw malformed('has no deviceIdPrefix');
  let ids: unknown;
  try {
    ids = typeof deviceIds === 'string' ? JSON.parse(deviceIds) : undefined;
  } catch {
    throw malformed('deviceIds is not JSON');
  }
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === '')) {
    throw malformed('deviceIds is not a list of device ids');
  }
  if (ids.length === 0 && deviceIdPrefix === '') throw malformed('covers no device');
  return {
    kind: 'device',
    credentialId,
    name: credentialName,
    scope: { deviceIds: ids as string[], deviceIdPrefix: deviceIdPrefix || null },
  };
}

/** The AppSync Lambda authorizer's answer. */
export interface AuthorizerAnswer {
  isAuthorized: boolean;
  resolverContext?: DeviceResolverContext;
  deniedFields?: string[];
  /** Seconds AppSync caches this answer for the token. */
  ttlOverride?: number;
}

/** How the authorizer answers and records use; values from infra/resources.ts `deviceAuthorizer`. */
export interface AuthorizerPolicy {
  ttlSeconds: number;
  lastUsedGranularitySeconds: number;
}

const REFUSED: AuthorizerAnswer = { isAuthorized: false };

/**
 * The decision on a token's secret given its stored credential (null when there is none):
 * a credential that exists, is not revoked and whose hash matches the secret may ingest for
 * its devices and nothing else.
 */
export function authorizerDecision(
  secret: string,
  record: DeviceCredentialRecord | null,
  policy: Pick<AuthorizerPolicy, 'ttlSeconds'>,
): AuthorizerAnswer {
  if (record === null || record.credential.revokedAt !== null) return REFUSED;
  if (!verifySecret(secret, record.secretHash)) return REFUSED;
  return {
    isAuthorized: true,
    resolverContext: encodeResolverContext(record.credential),
    deniedFields: [...deniedFieldsForDevices],
    ttlOverride: policy.ttlSeconds,
  };
}

/** True when the credential's last recorded use is older than the granularity (or absent). */
export function lastUseIsDue(
  credential: DeviceCredential,
  now: number,
  granularitySeconds: number,
): boolean {
  if (credential.lastUsedAt === null) return true;
  return now - Date.parse(credential.lastUsedAt) >= granularitySeconds * 1000;
}

export interface AuthorizerDeps {
  credentials: Pick<DeviceCredentialStore, 'findForVerification' | 'touch'>;
  now: () => number;
  policy: AuthorizerPolicy;
  /** Told when recording a use failed; the request is authorized all the same. */
  onLastUseFailure: (error: unknown, credentialId: string) => void;
}

/**
 * Checks a device token: not one (bad shape), unknown, revoked or a wrong secret is refused.
 * An authorized use is recorded at most once per granularity; that write failing never
 * refuses the request. A failure to read the store is thrown: AppSync then refuses.
 */
export async function authorizeDeviceToken(
  token: unknown,
  deps: AuthorizerDeps,
): Promise<AuthorizerAnswer> {
  const parsed = parseDeviceToken(token);
  if (parsed === null) return REFUSED;
  const record = await deps.credentials.findForVerification(parsed.id);
  const answer = authorizerDecision(parsed.secret, record, deps.policy);
  if (!answer.isAuthorized || record === null) return answer;
  const now = deps.now();
  const granularity = deps.policy.lastUsedGranularitySeconds;
  if (lastUseIsDue(record.credential, now, granularity)) {
    try {
      await deps.credentials.touch(parsed.id, new Date(now).toISOString(), granularity);
    } catch (error) {
      deps.onLastUseFailure(error, parsed.id);
    }
  }
  return answer;
}
