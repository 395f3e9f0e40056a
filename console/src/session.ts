/**
 * Signing in to the user pool with AWS Amplify's Auth category, and the session's ID token
 * for the API. Amplify keeps the tokens in this browser's local storage and refreshes them:
 * `fetchAuthSession` hands out a token that is valid now, refreshing it first when it has
 * expired, so the API client asks for one before every request and every connect.
 */
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import type { AuthFlowType, SiteConfig } from './site-config.ts';
import type { SignedInUser } from './user.ts';
import { userFromClaims } from './user.ts';

let authFlowType: AuthFlowType | undefined;

/** Points Amplify at the site's user pool: Cognito in AWS, the local pool's endpoint locally. */
export function configureSession(config: SiteConfig): void {
  authFlowType = config.authFlowType;
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        ...(config.cognitoEndpoint ? { userPoolEndpoint: config.cognitoEndpoint } : {}),
      },
    },
  });
}

/** Where a sign-in stands after a step: signed in, or the pool asks for something more. */
export type SignInProgress =
  | { step: 'done'; user: SignedInUser }
  /** An admin created the account with a temporary password: the user must choose one. */
  | { step: 'new-password' }
  /** The user set up an authenticator app (MFA): the pool asks for its current code. */
  | { step: 'totp-code' };

/** A step the console does not offer (SMS codes, say), in words for the sign-in page. */
export class UnsupportedSignInStepError extends Error {
  override readonly name = 'UnsupportedSignInStepError';
}

/** The signed-in user, or null when nobody is signed in or the session cannot be refreshed. */
export async function currentUser(): Promise<SignedInUser | null> {
  const { tokens } = await fetchAuthSession();
  return tokens?.idToken ? userFromClaims(tokens.idToken.payload) : null;
}

/**
 * The ID token to send as `Authorization`, valid now; null when the session has ended (its
 * refresh token expired or was revoked). `forceRefresh` gets a new one even before expiry,
 * for a token the API has just refused.
 */
export async function idToken(forceRefresh = false): Promise<string | null> {
  const { tokens } = await fetchAuthSession({ forceRefresh });
  return tokens?.idToken?.toString() ?? null;
}

export async function startSignIn(email: string, password: string): Promise<SignInProgress> {
  const { nextStep } = await signIn({
    username: email,
    password,
    options: authFlowType ? { authFlowType } : {},
  });
  return progress(nextStep.signInStep);
}

/** Answers the step the pool asked for: the new password, or the authenticator's code. */
export async function continueSignIn(answer: string): Promise<SignInProgress> {
  const { nextStep } = await confirmSignIn({ challengeResponse: answer });
  return progress(nextStep.signInStep);
}

/** Signs out of this browser: the tokens are removed and the refresh token revoked. */
export async function endSession(): Promise<void> {
  try {
    await signOut();
  } catch {
    // The revocation could not be sent; the tokens are gone from this browser all the same.
  }
}

async function progress(step: string): Promise<SignInProgress> {
  switch (step) {
    case 'DONE': {
      const user = await currentUser();
      if (!user) throw new Error('Signed in, but the session holds no ID token.');
      return { step: 'done', user };
    }
    case 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED':
      return { step: 'new-password' };
    case 'CONFIRM_SIGN_IN_WITH_TOTP_CODE':
      return { step: 'totp-code' };
    default:
      throw new UnsupportedSignInStepError(
        `The user pool asks for a sign-in step the console does not offer (${step}). Ask an admin to check the account.`,
      );
  }
}
