import { timingSafeEqual } from 'node:crypto';
import { UNAUTHORIZED_MESSAGE } from './appsync-errors.ts';
import type { CognitoIdentity, CognitoUserPoolConfig } from './cognito-auth.ts';
import { createCognitoVerifier } from './cognito-auth.ts';
import type { AuthorizerOperation, LambdaAuthorizerConfig, LambdaIdentity } from './lambda-auth.ts';
import { createLambdaAuthorizer } from './lambda-auth.ts';
import type { Logger } from './schema.ts';
import type { SignedRequest, SigV4Credentials } from './sigv4.ts';
import { verifySigV4 } from './sigv4.ts';

export type { CognitoIdentity, CognitoUserPoolConfig } from './cognito-auth.ts';
export type { LambdaAuthorizerConfig, LambdaIdentity } from './lambda-auth.ts';

/** AppSync authorization modes, as named in AppSync's API. */
export type AuthMode =
  'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** The identity AppSync hands resolvers for an AWS_IAM caller. */
export interface IamIdentity {
  accountId: string;
  accessKey: string;
  cognitoIdentityPoolId: null;
  cognitoIdentityId: null;
  cognitoIdentityAuthType: null;
  cognitoIdentityAuthProvider: null;
  sourceIp: string[];
  userArn: string;
  username: string;
}

/** Who made a request: the mode it was authorized with and the identity resolvers see. */
export type Caller =
  | { mode: 'API_KEY'; identity: null }
  | { mode: 'AWS_IAM'; identity: IamIdentity }
  | { mode: 'AMAZON_COGNITO_USER_POOLS'; identity: CognitoIdentity }
  | {
      mode: 'AWS_LAMBDA';
      identity: LambdaIdentity;
      /** The authorizer's `deniedFields`, as `Type.field`. */
      deniedFields: ReadonlySet<string>;
    };

export type AuthResult = { ok: true; caller: Caller } | { ok: false; message: string };

/** One authorization mode of the API and its configuration, as AppSync's API names them. */
export type AuthorizationMode =
  | { authorizationType: 'API_KEY'; apiKey: string }
  | { authorizationType: 'AWS_IAM'; credentials: SigV4Credentials }
  | { authorizationType: 'AMAZON_COGNITO_USER_POOLS'; userPool: CognitoUserPoolConfig }
  | { authorizationType: 'AWS_LAMBDA'; lambdaAuthorizer: LambdaAuthorizerConfig };

/** The API's authorization: a default mode and any additional ones, each at most once. */
export interface AuthorizationConfig {
  defaultAuthorization: AuthorizationMode;
  additionalAuthorizationModes?: readonly AuthorizationMode[];
}

/** A request to authorize: what SigV4 covers, plus the operation an authorizer function sees. */
export interface AuthRequest extends SignedRequest {
  operation: AuthorizerOperation;
}

/** Authorizes HTTP requests, websocket connects and subscription starts alike. */
export interface Authenticator {
  readonly defaultMode: AuthMode;
  readonly modes: ReadonlySet<AuthMode>;
  authenticate(request: AuthRequest, sourceIp: string): Promise<AuthResult>;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Strips the IPv4-mapped prefix Node puts on IPv4 peers of a dual-stack socket. */
export function clientIp(remoteAddress: string | undefined): string {
  if (!remoteAddress) return '127.0.0.1';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Whether an `authorization` value has a JWT's shape: three base64url parts joined by dots,
 * the first a JSON object (its header). The signature part may be empty (`alg: none`).
 */
export function isJwtShaped(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header = '', payload = '', signature = ''] = parts;
  if (!BASE64URL_SEGMENT.test(header) || !BASE64URL_SEGMENT.test(payload)) return false;
  if (signature !== '' && !BASE64URL_SEGMENT.test(signature)) return false;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded);
  } catch {
    return false;
  }
}

/** The mode a request's headers ask for, and the credential it carries. */
export type SelectedMode =
  | { mode: 'AWS_IAM' }
  | { mode: 'API_KEY'; apiKey: string }
  | { mode: 'AMAZON_COGNITO_USER_POOLS' | 'AWS_LAMBDA'; token: string };

/**
 * Picks the auth mode of a request from its headers, as AppSync does: a SigV4
 * `authorization: AWS4-HMAC-SHA256 …` is AWS_IAM; else an `x-api-key` is API_KEY; else an
 * `authorization` value is a user-pool token when it is a JWT and the API has the user-pool
 * mode (AppSync never hands such a token to its Lambda authorizer then), and anything else
 * goes to the Lambda authorizer. Undefined: no credentials at all.
 */
export function selectAuthMode(
  headers: SignedRequest['headers'],
  modes: ReadonlySet<AuthMode>,
): SelectedMode | undefined {
  const authorization = first(headers.authorization);
  if (authorization?.trimStart().startsWith('AWS4-HMAC-SHA256')) return { mode: 'AWS_IAM' };
  const apiKey = first(headers['x-api-key']);
  if (apiKey !== undefined) return { mode: 'API_KEY', apiKey };
  if (authorization === undefined || authorization === '') return undefined;
  if (modes.has('AMAZON_COGNITO_USER_POOLS') && isJwtShaped(authorization)) {
    return { mode: 'AMAZON_COGNITO_USER_POOLS', token: authorization };
  }
  return { mode: 'AWS_LAMBDA', token: authorization };
}

export interface AuthenticatorOptions {
  authorization: AuthorizationConfig;
  region: string;
  accountId: string;
  apiId: string;
  logger: Logger;
}

/**
 * Builds the API's authorization from its configured modes (refusing a mode given twice, as
 * AppSync does), so that each request is authorized by the one mode its headers select, and
 * refused with a 401 when that mode is not configured or its credential is not valid.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { authorization, region, accountId } = options;
  const all = [
    authorization.defaultAuthorization,
    ...(authorization.additionalAuthorizationModes ?? []),
  ];
  const byMode = new Map<AuthMode, AuthorizationMode>();
  for (const mode of all) {
    if (byMode.has(mode.authorizationType)) {
      throw new Error(`Authorization mode ${mode.authorizationType} is configured twice`);
    }
    byMode.set(mode.authorizationType, mode);
  }
  const modes: ReadonlySet<AuthMode> = new Set(byMode.keys());

  let apiKey: string | undefined;
  let iam: SigV4Credentials | undefined;
  let cognito: ReturnType<typeof createCognitoVerifier> | undefined;
  let lambda: ReturnType<typeof createLambdaAuthorizer> | undefined;
  for (const mode of all) {
    switch (mode.authorizationType) {
      case 'API_KEY':
        apiKey = mode.apiKey;
        break;
      case 'AWS_IAM':
        iam = mode.credentials;
        break;
      case 'AMAZON_COGNITO_USER_POOLS':
        cognito = createCognitoVerifier(mode.userPool);
        break;
      case 'AWS_LAMBDA':
        lambda = createLambdaAuthorizer(mode.lambdaAuthorizer, options);
        break;
    }
  }

  const refused: AuthResult = { ok: false, message: UNAUTHORIZED_MESSAGE };
  return {
    defaultMode: authorization.defaultAuthorization.authorizationType,
    modes,
    async authenticate(request, sourceIp) {
      const selected = selectAuthMode(request.headers, modes);
      if (!selected) return refused;
      switch (selected.mode) {
        case 'AWS_IAM': {
          if (!iam) return refused;
          const result = await verifySigV4(request, {
            credentials: iam,
            region,
            service: 'appsync',
          });
          if (!result.ok) return { ok: false, message: result.message };
          return {
            ok: true,
            caller: {
              mode: 'AWS_IAM',
              identity: {
                accountId,
                accessKey: result.accessKeyId,
                cognitoIdentityPoolId: null,
                cognitoIdentityId: null,
                cognitoIdentityAuthType: null,
                cognitoIdentityAuthProvider: null,
                sourceIp: [sourceIp],
                userArn: `arn:aws:iam::${accountId}:user/local`,
                username: 'local',
              },
            },
          };
        }
        case 'API_KEY':
          if (apiKey === undefined || !sameString(selected.apiKey, apiKey)) return refused;
          return { ok: true, caller: API_KEY_CALLER };
        case 'AMAZON_COGNITO_USER_POOLS': {
          if (!cognito) return refused;
          const result = await cognito(selected.token, sourceIp);
          if (!result.ok) return result;
          return {
            ok: true,
            caller: { mode: 'AMAZON_COGNITO_USER_POOLS', identity: result.identity },
          };
        }
        case 'AWS_LAMBDA': {
          if (!lambda) return refused;
          const result = await lambda(selected.token, request);
          if (!result.ok) return result;
          return {
            ok: true,
            caller: {
              mode: 'AWS_LAMBDA',
              identity: result.identity,
              deniedFields: result.deniedFields,
            },
          };
        }
      }
    },
  };
}

const API_KEY_CALLER: Caller = Object.freeze({ mode: 'API_KEY', identity: null });
