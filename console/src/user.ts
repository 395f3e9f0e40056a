/**
 * The signed-in person as the console shows them: their e-mail and role, read from the ID
 * token's claims (`email`, `cognito:groups`), and what the console offers each role. AppSync
 * enforces the roles with its directives; the console only avoids offering a control whose
 * call would be refused.
 */
export type Role = 'admin' | 'operator' | 'viewer';

export interface SignedInUser {
  /** The e-mail address, or the username when the token carries no e-mail. */
  email: string;
  role: Role;
}

/**
 * The role of a user in these groups: `admins` outranks `operators`; anyone else, in no
 * group or another one, is a viewer, as the API treats them.
 */
export function roleOf(groups: unknown): Role {
  const names = Array.isArray(groups) ? groups : [];
  if (names.includes('admins')) return 'admin';
  if (names.includes('operators')) return 'operator';
  return 'viewer';
}

/** The user an ID token's claims describe. */
export function userFromClaims(claims: Record<string, unknown>): SignedInUser {
  const email = typeof claims.email === 'string' && claims.email ? claims.email : null;
  const username = claims['cognito:username'];
  return {
    email: email ?? (typeof username === 'string' ? username : 'unknown user'),
    role: roleOf(claims['cognito:groups']),
  };
}

export interface Permissions {
  /** Create, edit, enable or disable and delete rules. */
  changeRules: boolean;
  /** Acknowledge, snooze and reset alerts. */
  handleAlerts: boolean;
  /** Name, label and delete devices of the inventory. */
  changeDevices: boolean;
  /** List, issue and revoke device credentials. */
  manageCredentials: boolean;
  /** See the System page: the queues, the flow of readings, the evaluation lag. */
  viewSystem: boolean;
  /** Create and expire silences; create, edit and delete maintenance windows. */
  changeSilences: boolean;
}

/** What the API lets each role do, as schema.graphql's directives say. */
export function permissionsOf(role: Role): Permissions {
  return {
    changeRules: role !== 'viewer',
    handleAlerts: role !== 'viewer',
    changeDevices: role !== 'viewer',
    manageCredentials: role === 'admin',
    viewSystem: role !== 'viewer',
    changeSilences: role !== 'viewer',
  };
}
