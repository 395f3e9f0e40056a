/**
 * Who is calling, as the product sees it. AppSync has already decided that the caller may
 * use the field (docs/security.md); what is left to the resolvers is the name recorded in
 * data (`createdBy`, `acknowledgedBy`, …) and a device credential's scope of devices.
 */
export type Caller =
  /** A person signed in to the user pool; `groups` are its user-pool groups (roles). */
  | { kind: 'user'; name: string; groups: readonly string[] }
  /** A device or gateway holding a device credential, limited to the devices of `scope`. */
  | { kind: 'device'; credentialId: string; name: string; scope: DeviceScope }
  /** An AWS workload signing with IAM: the evaluation worker, or a role granted ingest. */
  | { kind: 'workload'; name: string };

/** The devices a device credential may send readings for: listed ids, a prefix, or both. */
export interface DeviceScope {
  deviceIds: readonly string[];
  /** Every device id starting with it is covered too; null when the credential has none. */
  deviceIdPrefix: string | null;
}

/** True when the scope lets its holder send readings of `deviceId`. */
export function covers(scope: DeviceScope, deviceId: string): boolean {
  return (
    scope.deviceIds.includes(deviceId) ||
    (scope.deviceIdPrefix !== null &&
      scope.deviceIdPrefix !== '' &&
      deviceId.startsWith(scope.deviceIdPrefix))
  );
}

/** The devices a caller may send readings for: null for every device (people and workloads). */
export function deviceScopeOf(caller: Caller): DeviceScope | null {
  return caller.kind === 'device' ? caller.scope : null;
}

/**
 * A signed-in user. The name recorded for them is their e-mail address when the token
 * carries one, else their username: what a colleague recognises in an alert's history.
 */
export function userCaller(
  user: { email: string | null; username: string },
  groups: readonly string[],
): Caller {
  const email = user.email?.trim();
  return { kind: 'user', name: email ? email : user.username, groups };
}
