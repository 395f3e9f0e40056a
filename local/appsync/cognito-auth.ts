import { JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, JwtParseError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { UNAUTHORIZED_MESSAGE } from './appsync-errors.ts';

/** A user pool as the API's AMAZON_COGNITO_USER_POOLS mode knows it. */
export interface CognitoUserPoolConfig {
  /** The tokens' `iss`, e.g. `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  issuer: string;
  /** Where the pool's signing keys are; default `<issuer>/.well-known/jwks.json` (http or https). */
  jwksUri?: string;
  /** The pool's signing keys, if known up front (then nothing is fetched while they match). */
  jwks?: Jwks;
  /**
   * App clients whose tokens are accepted (`aud` of an ID token, `client_id` of an access
   * token); absent: any client of the pool, as AppSync without an app id client regex.
   */
  appClientIds?: readonly string[];
}

/** The identity AppSync hands resolvers for a user-pool caller. */
export interface CognitoIdentity {
  sub: string;
  issuer: string;
  username: string;
  claims: Record<string, unknown>;
  sourceIp: string[];
  defaultAuthStrategy: 'ALLOW';
  groups: string[] | null;
}

export type CognitoResult =
  { ok: true; identity: CognitoIdentity } | { ok: false; message: string };

/** AppSync's answers to a user-pool token it cannot use. */
export const TOKEN_EXPIRED_MESSAGE = 'Token has expired.';
export const UNPARSABLE_TOKEN_MESSAGE = 'Unable to parse JWT token.';

const JWKS_FETCH_TIMEOUT_MS = 5000;

/** Fetches a JWKS over http or https (the library's own fetcher speaks https only). */
const jwksFetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS) });
    if (response.status !== 200) {
      throw new NonRetryableFetchError(uri, `Status code is ${response.status}, expected 200`);
    }
    return response.arrayBuffer();
  },
};

function checkCognitoClaims(payload: JwtPayload, appClientIds: ReadonlySet<string> | undefined) {
  const tokenUse = payload.token_use;
  if (tokenUse !== 'id' && tokenUse !== 'access') throw new Error('token_use is not id or access');
  if (typeof payload.exp !== 'number') throw new Error('The token has no expiry');
  if (typeof payload.sub !== 'string') throw new Error('The token has no sub');
  const clientId = tokenUse === 'id' ? payload.aud : payload.client_id;
  if (appClientIds && (typeof clientId !== 'string' || !appClientIds.has(clientId))) {
    throw new Error('The token is for another app client');
  }
}

function groupsOf(payload: JwtPayload): string[] | null {
  const groups = payload['cognito:groups'];
  if (!Array.isArray(groups)) return null;
  return groups.filter((group): group is string => typeof group === 'string');
}

/**
 * Verifies user-pool tokens as AppSync does, with the maintained `aws-jwt-verify`: signature
 * against the pool's JWKS (RS256 and the other asymmetric algorithms; never `none`), issuer,
 * expiry, `token_use` (ID and access tokens) and the app client; groups from `cognito:groups`.
 */
export function createCognitoVerifier(
  config: CognitoUserPoolConfig,
): (token: string, sourceIp: string) => Promise<CognitoResult> {
  const appClientIds = config.appClientIds ? new Set(config.appClientIds) : undefined;
  const verifier = JwtVerifier.create(
    {
      issuer: config.issuer,
      audience: null,
      jwksUri: config.jwksUri ?? `${config.issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) => checkCognitoClaims(payload, appClientIds),
    },
    { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher }) },
  );
  if (config.jwks) verifier.cacheJwks(config.jwks);

  return async (token, sourceIp) => {
    let payload: JwtPayload;
    try {
      payload = await verifier.verify(token);
    } catch (error) {
      if (error instanceof JwtExpiredError) return { ok: false, message: TOKEN_EXPIRED_MESSAGE };
      if (error instanceof JwtParseError) return { ok: false, message: UNPARSABLE_TOKEN_MESSAGE };
      return { ok: false, message: UNAUTHORIZED_MESSAGE };
    }
    const claims = payload as Record<string, unknown>;
    const username = claims['cognito:username'] ?? claims.username ?? claims.sub;
    return {
      ok: true,
      identity: {
        sub: String(claims.sub),
        issuer: String(claims.iss),
        username: String(username),
        claims,
        sourceIp: [sourceIp],
        defaultAuthStrategy: 'ALLOW',
        groups: groupsOf(payload),
      },
    };
  };
}
