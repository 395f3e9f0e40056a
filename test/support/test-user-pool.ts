import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JSON Web Key Set as a user pool publishes it. */
export type TestJwks = { keys: RsaJwk[] };

type RsaJwk = { kid: string; kty: 'RSA'; alg: 'RS256'; use: 'sig'; n: string; e: string };

/** What a test token may say, beyond what the pool fills in. */
export interface TokenOptions {
  /** `id` (default) or `access`. */
  use?: 'id' | 'access';
  username?: string;
  groups?: string[];
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  clientId?: string;
  issuer?: string;
  /** Sign with a key the pool does not publish. */
  otherKey?: boolean;
  extraClaims?: Record<string, unknown>;
}

/** A user pool for tests: a key pair, its JWKS and tokens signed as Cognito signs them. */
export interface TestUserPool {
  issuer: string;
  clientId: string;
  jwks: TestJwks;
  token(options?: TokenOptions): string;
  /** An unsigned token (`alg: none`) with the pool's claims. */
  unsignedToken(options?: TokenOptions): string;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function rsaKey(kid: string): { privateKey: KeyObject; jwk: RsaJwk } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n = '', e = '' } = publicKey.export({ format: 'jwk' });
  return { privateKey, jwk: { kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e } };
}

/**
 * Creates a user pool's signing key and a second key it does not publish (for "signed with
 * another key"), and signs ID and access tokens with Cognito's claims (`token_use`,
 * `cognito:username`, `cognito:groups`, `aud` or `client_id`).
 */
export function createTestUserPool(
  issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test',
  clientId = 'test-client',
): TestUserPool {
  const poolKey = rsaKey(randomUUID());
  const otherKey = rsaKey(randomUUID());
  const claimsFor = (options: TokenOptions) => {
    const now = Math.floor(Date.now() / 1000);
    const use = options.use ?? 'id';
    const username = options.username ?? 'alice@example.com';
    return {
      sub: `sub-${username}`,
      iss: options.issuer ?? issuer,
      token_use: use,
      ...(use === 'id'
        ? { aud: options.clientId ?? clientId, 'cognito:username': username, email: username }
        : {
            client_id: options.clientId ?? clientId,
            username,
            scope: 'aws.cognito.signin.user.admin',
          }),
      ...(options.groups ? { 'cognito:groups': options.groups } : {}),
      auth_time: now,
      iat: now,
      exp: now + (options.expiresIn ?? 3600),
      ...options.extraClaims,
    };
  };
  return {
    issuer,
    clientId,
    jwks: { keys: [poolKey.jwk] },
    token(options = {}) {
      const key = options.otherKey ? otherKey : poolKey;
      const header = base64url({ kid: key.jwk.kid, alg: 'RS256' });
      const payload = base64url(claimsFor(options));
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey);
      return `${header}.${payload}.${signature.toString('base64url')}`;
    },
    unsignedToken(options = {}) {
      return `${base64url({ alg: 'none', kid: poolKey.jwk.kid })}.${base64url(claimsFor(options))}.`;
    },
  };
}

/** Replaces a token's claims without re-signing it: what a forger would send. */
export function tamperedToken(token: string, claims: Record<string, unknown>): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object;
  return `${header}.${base64url({ ...decoded, ...claims })}.${signature}`;
}

/** Serves a JWKS at `/.well-known/jwks.json` on 127.0.0.1, counting the fetches. */
export async function serveJwks(
  jwks: TestJwks,
): Promise<{ url: string; fetches: () => number; close(): Promise<void> }> {
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
