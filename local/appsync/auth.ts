import { timingSafeEqual } from 'node:crypto';
import { UNAUTHORIZED_MESSAGE } from './appsync-errors.ts';
import type { SignedRequest, SigV4Credentials } from './sigv4.ts';
import { verifySigV4 } from './sigv4.ts';

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
export interface Caller {
  mode: AuthMode;
  identity: IamIdentity | null;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; message: string };

/** What the local endpoint accepts as credentials. */
export interface AuthConfig {
  apiKey: string;
  iam: SigV4Credentials & { accountId?: string };
  region: string;
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

/**
 * Authorizes one request (an HTTP call, a websocket connect or a subscription start) with the
 * two modes this API has: AWS_IAM when an `authorization: AWS4-HMAC-SHA256 …` header is present,
 * else API_KEY when `x-api-key` is. Anything else is refused, as AppSync refuses it.
 */
export async function authenticate(
  request: SignedRequest,
  config: AuthConfig,
  sourceIp: string,
): Promise<AuthResult> {
  const authorization = first(request.headers.authorization);
  if (authorization?.trimStart().startsWith('AWS4-HMAC-SHA256')) {
    const result = await verifySigV4(request, {
      credentials: config.iam,
      region: config.region,
      service: 'appsync',
    });
    if (!result.ok) return { ok: false, message: result.message };
    const accountId = config.iam.accountId ?? '000000000000';
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
  const apiKey = first(request.headers['x-api-key']);
  if (apiKey !== undefined) {
    if (sameString(apiKey, config.apiKey)) return { ok: true, caller: API_KEY_CALLER };
    return { ok: false, message: UNAUTHORIZED_MESSAGE };
  }
  return { ok: false, message: UNAUTHORIZED_MESSAGE };
}

const API_KEY_CALLER: Caller = Object.freeze({ mode: 'API_KEY', identity: null });
