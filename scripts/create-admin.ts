/**
 * `npm run create-admin`: creates the first admin of a deployed stack (nobody can sign
 * themselves up). Cognito e-mails the person a temporary password, which this script never
 * sees; they choose their own at first sign-in. The user pool comes from the outputs file
 * that `npm run deploy` writes.
 *
 *   npm run create-admin -- --email someone@example.com
 *   npm run create-admin -- --email someone@example.com --stack-outputs cdk-outputs.json
 *   npm run create-admin -- --email someone@example.com --stack-outputs .local/outputs.json
 *
 * Running it again for the same address only makes sure that person is in `admins`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { stackName, type UserGroup } from '../infra/resources.ts';

const usage =
  'Usage: npm run create-admin -- --email someone@example.com [--stack-outputs cdk-outputs.json] [--endpoint URL]';

/** A problem the person running the script can fix; its message is one line saying how. */
export class CreateAdminError extends Error {
  override readonly name = 'CreateAdminError';
}

export interface CreateAdminOptions {
  email: string;
  /** The outputs file of `cdk deploy --outputs-file` (or the local stack's outputs.json). */
  stackOutputs: string;
  /** A Cognito-compatible endpoint instead of AWS's (the local user pool). */
  endpoint: string | undefined;
}

/** Reads the command line; refuses a missing or malformed address and unknown options. */
export function parseArguments(args: readonly string[]): CreateAdminOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i] as string;
    const value = args[i + 1];
    if (!['--email', '--stack-outputs', '--endpoint'].includes(name)) {
      throw new CreateAdminError(`Unknown option ${name}. ${usage}`);
    }
    if (value === undefined || value.startsWith('--')) {
      throw new CreateAdminError(`${name} needs a value. ${usage}`);
    }
    values.set(name, value);
  }
  const email = values.get('--email')?.trim();
  if (email === undefined || email === '') {
    throw new CreateAdminError(`Missing --email: whom to make the first admin. ${usage}`);
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new CreateAdminError(`Not an e-mail address: '${email}'. ${usage}`);
  }
  return {
    email,
    stackOutputs: values.get('--stack-outputs') ?? 'cdk-outputs.json',
    endpoint: values.get('--endpoint'),
  };
}

/** An access key the local user pool accepts for its administrator actions. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface UserPoolTarget {
  userPoolId: string;
  region: string;
  /** From the outputs file, when it names one (the local stack's CognitoEndpoint). */
  endpoint: string | undefined;
  /** The local stack's key (LocalAccessKeyId, LocalSecretAccessKey), when the file has it. */
  credentials: LocalCredentials | undefined;
}

/** The user pool named by an outputs file: `{ "TelemetryAlerts": { "UserPoolId", … } }`. */
export function userPoolFrom(
  path: string,
  read: (path: string) => string = (file) => readFileSync(file, 'utf8'),
): UserPoolTarget {
  let text: string;
  try {
    text = read(path);
  } catch {
    throw new CreateAdminError(
      `No stack outputs at ${path}: deploy with npm run deploy (it writes cdk-outputs.json) or pass --stack-outputs <file>.`,
    );
  }
  let outputs: Record<string, string> | undefined;
  try {
    const parsed = JSON.parse(text) as Record<string, Record<string, string>>;
    outputs = parsed[stackName] ?? Object.values(parsed)[0];
  } catch {
    throw new CreateAdminError(
      `${path} is not JSON: pass the file cdk deploy --outputs-file wrote.`,
    );
  }
  const userPoolId = outputs?.UserPoolId;
  if (typeof userPoolId !== 'string' || !/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId)) {
    throw new CreateAdminError(
      `No UserPoolId in ${path}: deploy the current stack (npm run deploy) and try again.`,
    );
  }
  return {
    userPoolId,
    // A pool id starts with its region: eu-west-1_AbC123.
    region: outputs?.Region ?? (userPoolId.split('_')[0] as string),
    endpoint: outputs?.CognitoEndpoint,
    credentials:
      typeof outputs?.LocalAccessKeyId === 'string' &&
      typeof outputs.LocalSecretAccessKey === 'string'
        ? { accessKeyId: outputs.LocalAccessKeyId, secretAccessKey: outputs.LocalSecretAccessKey }
        : undefined,
  };
}

/** The two calls this script makes, so tests can pass a fake. */
export interface CognitoAdminClient {
  send(command: AdminCreateUserCommand | AdminAddUserToGroupCommand): Promise<unknown>;
}

const adminGroup: UserGroup = 'admins';

/**
 * Creates the person (e-mail verified, so they can recover their account) and has Cognito
 * e-mail the invitation with a temporary password; then adds them to `admins`. Someone who
 * already exists is only added to the group. Returns what happened, for the message.
 */
export async function createAdmin(
  client: CognitoAdminClient,
  userPoolId: string,
  email: string,
): Promise<'created' | 'existing'> {
  let outcome: 'created' | 'existing' = 'created';
  try {
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'UsernameExistsException') throw explain(error, userPoolId);
    outcome = 'existing';
  }
  try {
    await client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPoolId,
        Username: email,
        GroupName: adminGroup,
      }),
    );
  } catch (error) {
    throw explain(error, userPoolId);
  }
  return outcome;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : undefined);

/** Cognito's and the SDK's errors as one line saying what to do. */
function explain(error: unknown, userPoolId: string): Error {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  switch (errorName(error)) {
    case 'ResourceNotFoundException':
      return new CreateAdminError(
        `Unknown user pool ${userPoolId} (or no '${adminGroup}' group in it): check the region and account of your AWS credentials and that the stack is deployed (${message}).`,
      );
    case 'CredentialsProviderError':
      return new CreateAdminError(
        `No AWS credentials: sign in to the account the stack is deployed in (aws sso login, or AWS_PROFILE) and try again.`,
      );
    case 'InvalidParameterException':
      return new CreateAdminError(`Cognito refused the request: ${message}`);
    default:
      return error instanceof Error ? error : new Error(message);
  }
}

/** The command: parse, find the pool, create the admin, say so in one line. */
export async function main(
  args: readonly string[],
  makeClient: (target: UserPoolTarget) => CognitoAdminClient = cognitoClient,
  log: (line: string) => void = console.log,
): Promise<void> {
  const options = parseArguments(args);
  let pool: UserPoolTarget;
  try {
    pool = userPoolFrom(options.stackOutputs);
  } catch (error) {
    if (options.endpoint === undefined || !(error instanceof CreateAdminError)) throw error;
    throw new CreateAdminError(
      `${error.message} For --endpoint ${options.endpoint}, pass --stack-outputs .local/outputs.json (the local stack's outputs).`,
    );
  }
  const target = { ...pool, endpoint: options.endpoint ?? pool.endpoint };
  // The local user pool signs its administrator actions with the stack's own key, which
  // only its outputs file holds.
  if (target.endpoint !== undefined && target.credentials === undefined) {
    throw new CreateAdminError(
      `No local access key in ${options.stackOutputs} for ${target.endpoint}: pass --stack-outputs .local/outputs.json (the local stack's outputs).`,
    );
  }
  const outcome = await createAdmin(makeClient(target), target.userPoolId, options.email);
  log(
    outcome === 'created'
      ? `Created ${options.email} in ${target.userPoolId} and added them to ${adminGroup}: Cognito has e-mailed them a temporary password; they choose their own at first sign-in.`
      : `${options.email} already exists in ${target.userPoolId}; made sure they are in ${adminGroup} (no new e-mail sent).`,
  );
}

/**
 * AWS's Cognito in the pool's region with the caller's AWS credentials, or the given
 * endpoint (the local user pool) with the local stack's key.
 */
export function cognitoClient(target: UserPoolTarget): CognitoAdminClient {
  return new CognitoIdentityProviderClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint, credentials: target.credentials } : {}),
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    console.error(
      error instanceof CreateAdminError
        ? error.message
        : `create-admin failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = error instanceof CreateAdminError ? 2 : 1;
  }
}
