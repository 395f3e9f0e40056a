import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { userPool as definition } from '../infra/resources.ts';
import { type SigV4Credentials, verifySigV4 } from './appsync/sigv4.ts';
import { localAdminPassword, localSigningKey } from './state.ts';
import { type ActionInput, type UserPoolAction, userPoolActions } from './user-pool-actions.ts';
import { CognitoError } from './user-pool-errors.ts';
import { UserPoolStore } from './user-pool-store.ts';
import { TokenSigner } from './user-pool-tokens.ts';
import { closeServer, listen } from './http-server.ts';

export interface LocalUserPoolOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where the pool, its signing key and the admin's password are kept; null = in memory. */
  stateDir: string | null;
  region: string;
  /**
   * What the administrator actions (Admin*, groups, ListUsers) must be SigV4-signed with, as
   * AWS authorizes them with IAM: the local stack's access key.
   */
  credentials: SigV4Credentials;
}

export interface LocalUserPool {
  /** What AWS SDK and Amplify clients pass as their endpoint (`userPoolEndpoint`). */
  endpoint: string;
  /** `<region>_<9 characters>`, kept across restarts with the state. */
  userPoolId: string;
  /** The console's app client (no secret). */
  clientId: string;
  /** The `iss` of the pool's tokens; its JWKS is at `${issuer}/.well-known/jwks.json`. */
  issuer: string;
  jwksUri: string;
  adminUsername: string;
  adminPassword: string;
  close(): Promise<void>;
}

export const LOCAL_ADMIN_USERNAME = 'admin@example.com';
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const MAX_BODY_BYTES = 1024 * 1024;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const randomText = (length: number, alphabet: string) =>
  Array.from({ length }, () => alphabet.charAt(randomInt(alphabet.length))).join('');

/**
 * A Cognito-compatible user pool for the local stack, in its process: the Cognito Identity
 * Provider wire protocol (JSON 1.1, `X-Amz-Target`) for the AWS SDK and Amplify Auth, and the
 * pool's JWKS at `<issuer>/.well-known/jwks.json` for verifiers. The pool, its groups and
 * the console's client come from `userPool` in infra/resources.ts (the CDK stack's
 * definition); on first start it also creates `admin@example.com` in `admins` with a
 * generated password, ready to sign in. A restart with the same state keeps the pool's id,
 * users, sessions and signing key, and applies a changed definition (new groups, new
 * descriptions, token validities, password policy).
 *
 * Written here rather than embedding cognito-local, whose tokens are signed with a private
 * key published in its package (anyone could forge a token the local stack accepts), which
 * keeps passwords in plain text and cannot refresh tokens the way Amplify v6 does
 * (GetTokensFromRefreshToken).
 */
export async function startLocalUserPool(options: LocalUserPoolOptions): Promise<LocalUserPool> {
  let handle: (request: IncomingMessage, response: ServerResponse) => Promise<void> = async (
    _request,
    response,
  ) => {
    send(response, 503, { __type: 'ServiceUnavailable', message: 'Starting' });
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('local user pool: unexpected error', error);
      if (!response.headersSent) {
        send(response, 500, { __type: 'InternalErrorException', message: 'Internal error' });
      }
    });
  });
  const port = await listen(server, options.port, options.host);
  const close = () => closeServer(server);

  try {
    const publicHost = ['127.0.0.1', '::1'].includes(options.host) ? 'localhost' : options.host;
    const endpoint = `http://${publicHost}:${port}`;
    const store = UserPoolStore.open(options.stateDir, () => ({
      userPoolId: `${options.region}_${randomText(9, ALPHANUMERIC)}`,
      clientId: randomText(26, 'abcdefghijklmnopqrstuvwxyz0123456789'),
    }));
    const issuer = `${endpoint}/${store.userPoolId}`;
    const signer = new TokenSigner(localSigningKey(options.stateDir), issuer);
    const adminPassword = localAdminPassword(options.stateDir);
    await applyDefinition(store, adminPassword);
    const actions = userPoolActions({ store, signer, definition });
    const wellKnown = `/${store.userPoolId}/.well-known/`;
    const documents: Record<string, object> = {
      [`${wellKnown}jwks.json`]: { keys: [signer.jwk] },
      [`${wellKnown}openid-configuration`]: {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['public'],
      },
    };

    handle = async (request, response) => {
      const path = new URL(request.url ?? '/', endpoint).pathname;
      if (request.method === 'OPTIONS') return preflight(request, response);
      if (request.method === 'GET') {
        const document = Object.hasOwn(documents, path) ? documents[path] : undefined;
        if (document) return send(response, 200, document, 'application/json');
        return send(response, 404, { message: 'Not found' }, 'application/json');
      }
      if (request.method !== 'POST' || path !== '/') {
        return send(response, 404, { message: 'Not found' }, 'application/json');
      }
      await serveAction(request, response, actions, options);
    };

    return {
      endpoint,
      userPoolId: store.userPoolId,
      clientId: store.clientId,
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      adminUsername: LOCAL_ADMIN_USERNAME,
      adminPassword,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Brings the kept pool in line with infra/resources.ts: the groups (created, or their
 * description and precedence updated), and on the pool's first start the first admin.
 */
async function applyDefinition(store: UserPoolStore, adminPassword: string): Promise<void> {
  Object.entries(definition.groups).forEach(([name, description], precedence) => {
    const group = store.findGroup(name);
    if (group?.description !== description || group.precedence !== precedence) {
      store.putGroup(name, description, precedence);
    }
  });
  // A pool with nobody in it (its first start, or one interrupted before the admin was made).
  if (store.listUsers().length === 0) {
    const admin = await store.createUser({
      email: LOCAL_ADMIN_USERNAME,
      attributes: { email_verified: 'true' },
      password: adminPassword,
      status: 'CONFIRMED',
      temporaryPasswordValidityMs: 0,
    });
    store.addToGroup(admin, 'admins');
  }
}

async function serveAction(
  request: IncomingMessage,
  response: ServerResponse,
  actions: Record<string, UserPoolAction>,
  options: LocalUserPoolOptions,
): Promise<void> {
  try {
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    const body = await readBody(request);
    if (!action) {
      throw new CognitoError(
        'UnknownOperationException',
        `The local user pool does not serve ${target || 'a request without X-Amz-Target'}`,
      );
    }
    if (action.iam) await requireSignature(request, body, options);
    let input: ActionInput;
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
      input = parsed as ActionInput;
    } catch {
      throw new CognitoError('SerializationException', 'The request body is not a JSON object');
    }
    send(response, 200, await action.run(input));
  } catch (error) {
    if (!(error instanceof CognitoError)) throw error;
    response.setHeader('x-amzn-ErrorType', error.name);
    send(response, error.status, { __type: error.name, message: error.message });
  }
}

/** Refuses an administrator action that is not signed with the local stack's access key. */
async function requireSignature(
  request: IncomingMessage,
  body: Buffer,
  options: LocalUserPoolOptions,
): Promise<void> {
  if (!request.headers.authorization) {
    throw new CognitoError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const result = await verifySigV4(
    {
      method: request.method ?? 'POST',
      path: request.url?.split('?')[0] ?? '/',
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body,
    },
    { credentials: options.credentials, region: options.region, service: 'cognito-idp' },
  );
  if (!result.ok) {
    const name =
      result.message === 'The security token included in the request is invalid.'
        ? 'UnrecognizedClientException'
        : 'InvalidSignatureException';
    throw new CognitoError(name, result.message);
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new CognitoError('InvalidParameterException', 'Request body too large', 413);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Browsers (the console) call the pool from another origin, as they call Cognito. */
function corsHeaders(response: ServerResponse): void {
  response.setHeader('Access-Control-Allow-Origin', '*');
  response.setHeader(
    'Access-Control-Expose-Headers',
    'x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date',
  );
}

function preflight(request: IncomingMessage, response: ServerResponse): void {
  corsHeaders(response);
  response.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  response.setHeader(
    'Access-Control-Allow-Headers',
    request.headers['access-control-request-headers'] ?? 'content-type, x-amz-target',
  );
  response.setHeader('Access-Control-Max-Age', '600');
  response.writeHead(204).end();
}

function send(
  response: ServerResponse,
  status: number,
  body: object,
  contentType = 'application/x-amz-json-1.1',
): void {
  corsHeaders(response);
  response.writeHead(status, {
    'Content-Type': contentType,
    'x-amzn-RequestId': randomUUID(),
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}
