import { type Caller, userCaller } from '../domain/caller.ts';
import { deviceCallerFromContext } from '../domain/device-credential.ts';

/**
 * An identity the resolvers cannot read: none at all (the product configures no API key) or
 * a shape of no auth mode it uses. A fault of the system, so the client sees a generic error.
 */
export class UnrecognisedIdentityError extends Error {
  override readonly name = 'UnrecognisedIdentityError';
}

/**
 * The caller of a resolver, from the `identity` of AppSync's event: a user-pool user (with
 * its groups), a device credential (the authorizer's `resolverContext`) or an IAM principal.
 * A device's scope that cannot be read is an error, never "every device". Takes the event's
 * `identity` as it comes (aws-lambda's `AppSyncIdentity`), checking each field it reads.
 */
export function callerOf(identity: unknown): Caller {
  if (identity === null || typeof identity !== 'object') {
    throw new UnrecognisedIdentityError('The request carries no identity');
  }
  const fields = identity as Record<string, unknown>;
  if ('resolverContext' in fields) return deviceCallerFromContext(fields.resolverContext);
  if ('claims' in fields && 'sub' in fields) {
    const claims = (fields.claims ?? {}) as Record<string, unknown>;
    if (typeof fields.username !== 'string' || fields.username === '') {
      throw new UnrecognisedIdentityError('A user-pool identity without a username');
    }
    const email = typeof claims.email === 'string' ? claims.email : null;
    const groups = groupsOf(fields.groups, claims['cognito:groups']);
    return userCaller({ email, username: fields.username }, groups);
  }
  if ('userArn' in fields) {
    if (typeof fields.userArn !== 'string' || fields.userArn === '') {
      throw new UnrecognisedIdentityError('An IAM identity without a userArn');
    }
    return { kind: 'workload', name: fields.userArn };
  }
  throw new UnrecognisedIdentityError('An identity of an auth mode the API does not use');
}

/** AppSync's `groups`, else the token's `cognito:groups`; none means a viewer. */
function groupsOf(groups: unknown, claimed: unknown): string[] {
  const list = Array.isArray(groups) ? groups : Array.isArray(claimed) ? claimed : [];
  return list.filter((group): group is string => typeof group === 'string');
}
