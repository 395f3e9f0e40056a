import {
  createPrivateKey,
  createPublicKey,
  createHash,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import { notAuthorized } from './user-pool-errors.ts';
import type { StoredSession, StoredUser } from './user-pool-store.ts';

/** A public key as the pool's JWKS lists it. */
export type SigningJwk = JsonWebKey & { kid: string; alg: 'RS256'; use: 'sig' };

export interface IssuedTokens {
  IdToken: string;
  AccessToken: string;
  /** Seconds the access token is valid for. */
  ExpiresIn: number;
  TokenType: 'Bearer';
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs the pool's ID and access tokens (RS256) with the claims Cognito puts in them, and
 * publishes the public key as a JWKS, so any Cognito-aware verifier (AppSync, aws-jwt-verify)
 * accepts them given this issuer and JWKS address.
 */
export class TokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly jwk: SigningJwk;
  readonly issuer: string;

  constructor(privateKeyPem: string, issuer: string) {
    this.issuer = issuer;
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    const { kty, n, e } = this.publicKey.export({ format: 'jwk' });
    // RFC 7638 thumbprint: the key id changes only when the key does.
    const kid = createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
    this.jwk = { kty, n, e, kid, alg: 'RS256', use: 'sig' };
  }

  /** The ID and access tokens of a session, with the user's current attributes and groups. */
  issue(
    user: StoredUser,
    groups: string[],
    session: StoredSession,
    validity: { idTokenSeconds: number; accessTokenSeconds: number },
  ): IssuedTokens {
    const iat = Math.floor(Date.now() / 1000);
    const common = {
      sub: user.attributes.sub,
      ...(groups.length > 0 ? { 'cognito:groups': groups } : {}),
      iss: this.issuer,
      origin_jti: session.originJti,
      event_id: randomUUID(),
      auth_time: session.authTime,
      iat,
    };
    const { sub: _sub, ...attributes } = user.attributes;
    const idToken = {
      ...common,
      ...attributes,
      email_verified: attributes.email_verified === 'true',
      'cognito:username': user.username,
      aud: session.clientId,
      token_use: 'id',
      exp: iat + validity.idTokenSeconds,
      jti: randomUUID(),
    };
    const accessToken = {
      ...common,
      client_id: session.clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      exp: iat + validity.accessTokenSeconds,
      jti: randomUUID(),
      username: user.username,
    };
    return {
      IdToken: this.sign(idToken),
      AccessToken: this.sign(accessToken),
      ExpiresIn: validity.accessTokenSeconds,
      TokenType: 'Bearer',
    };
  }

  /**
   * The claims of an access token this pool signed and that has not expired, for the actions
   * that take one (GetUser, GlobalSignOut); anything else is refused as Cognito refuses it.
   */
  verifyAccessToken(token: string): { username: string; originJti: string; clientId: string } {
    const [header = '', payload = '', signature = ''] = token.split('.');
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) throw notAuthorized('Invalid Access Token');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (claims.token_use !== 'access' || claims.iss !== this.issuer) {
      throw notAuthorized('Invalid Access Token');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      throw notAuthorized('Access Token has expired');
    }
    return {
      username: String(claims.username),
      originJti: String(claims.origin_jti),
      clientId: String(claims.client_id),
    };
  }

  private sign(claims: object): string {
    const unsigned = `${base64url({ kid: this.jwk.kid, alg: 'RS256' })}.${base64url(claims)}`;
    const signature = sign('sha256', Buffer.from(unsigned), this.privateKey);
    return `${unsigned}.${signature.toString('base64url')}`;
  }
}
