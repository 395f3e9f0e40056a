import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { Jwk, Jwks } from 'aws-jwt-verify/jwk';

/** A user pool stand-in for the endpoint comparison: who signs the tokens, and its keys. */
export interface BenchTokenIssuer {
  /** A Cognito-shaped user pool id (`<region>_<id>`). */
  userPoolId: string;
  /** The tokens' `iss`: the pool's, as Cognito names it. */
  issuer: string;
  /** The app client the tokens are for (an ID token's `aud`). */
  clientId: string;
  /** The public signing key, as the pool's `/.well-known/jwks.json` serves it. */
  jwks: Jwks;
  /** An ID token of a user in `groups`, valid for an hour. */
  idToken(groups: readonly string[]): string;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs Cognito-shaped ID tokens (RS256, as Cognito signs them) with an RSA key made for this
 * run, so that the endpoint comparison loads both servers with the credential the product's
 * clients now send, without a user pool behind it: the endpoints verify the signature
 * against the key's JWKS, the issuer, `token_use`, the app client and the expiry.
 */
export function createBenchTokenIssuer(): BenchTokenIssuer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as Jwk;
  const userPoolId = 'us-east-1_benchmark';
  const issuer = `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
  const clientId = 'benchmarkclient0000000000';
  return {
    userPoolId,
    issuer,
    clientId,
    jwks: { keys: [jwk] },
    idToken(groups) {
      const now = Math.floor(Date.now() / 1000);
      const sub = randomUUID();
      const header = encode({ kid, alg: 'RS256', typ: 'JWT' });
      const payload = encode({
        sub,
        iss: issuer,
        aud: clientId,
        token_use: 'id',
        auth_time: now,
        iat: now,
        exp: now + 3600,
        'cognito:username': sub,
        'cognito:groups': groups,
        email: 'bench@example.com',
        email_verified: true,
      });
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
      return `${header}.${payload}.${signature.toString('base64url')}`;
    },
  };
}
