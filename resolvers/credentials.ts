import { callerOf } from '../adapters/appsync-identity.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { credentials } from '../adapters/wiring/credentials.ts';
import { issueDeviceCredential } from '../domain/device-credential.ts';
import { NotFoundError } from '../domain/errors.ts';
import { pageRequest } from '../domain/pagination.ts';
import { requireId } from '../domain/validation.ts';
import type {
  MutationCreateDeviceCredentialArgs,
  MutationRevokeDeviceCredentialArgs,
  QueryDeviceCredentialsArgs,
} from '../generated/graphql.ts';

const currentTime = () => new Date().toISOString();

/**
 * Device credentials, for admins: issue one (its token is in this answer only, never
 * logged), revoke one, list them without secrets.
 */
export const handler = appSyncResolver({
  'Mutation.createDeviceCredential': async (
    { input }: MutationCreateDeviceCredentialArgs,
    event,
  ) => {
    const { name } = callerOf(event.identity);
    const { credential, secretHash, token } = issueDeviceCredential(input, name, currentTime());
    await credentials.create(credential, secretHash);
    return { credential, token };
  },
  'Mutation.revokeDeviceCredential': async ({ id }: MutationRevokeDeviceCredentialArgs, event) => {
    const { name } = callerOf(event.identity);
    const credential = await credentials.revoke(requireId(id, 'id'), name, currentTime());
    if (!credential) throw new NotFoundError(`No device credential with id '${id}'`);
    return credential;
  },
  'Query.deviceCredentials': (args: QueryDeviceCredentialsArgs) =>
    credentials.list(pageRequest(args, { deviceCredentials: null })),
});
