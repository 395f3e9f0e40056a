import type { AppSyncResolverEvent } from 'aws-lambda';

/** The people resolver unit tests call as: an admin and an operator of the user pool. */
const people = {
  admins: { sub: 'admin-sub', email: 'admin@example.com' },
  operators: { sub: 'op-sub', email: 'op@example.com' },
} as const;

/**
 * The event AppSync hands a Lambda resolver for `field` (`Mutation.createRule`), called by
 * a person of `group` signed in to the user pool (the ID token's claims).
 */
export function signedInEvent(
  group: keyof typeof people,
  field: `${'Query' | 'Mutation'}.${string}`,
  args: Record<string, unknown>,
): AppSyncResolverEvent<Record<string, unknown>> {
  const { sub, email } = people[group];
  const [parentTypeName, fieldName] = field.split('.');
  return {
    arguments: args,
    identity: {
      sub,
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
      username: sub,
      claims: { email },
      sourceIp: ['203.0.113.7'],
      defaultAuthStrategy: 'ALLOW',
      groups: [group],
    },
    info: { parentTypeName, fieldName },
  } as unknown as AppSyncResolverEvent<Record<string, unknown>>;
}
