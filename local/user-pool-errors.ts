/**
 * An error the local user pool answers with, named as Cognito names it: the AWS SDK and
 * Amplify turn `name` (sent as `__type`) into their exception classes, e.g. the SDK's
 * `NotAuthorizedException`.
 */
export class CognitoError extends Error {
  /** The HTTP status Cognito answers with. */
  readonly status: number;

  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** Wrong or unknown user name or password, or a token the pool did not issue or revoked. */
export const notAuthorized = (message = 'Incorrect username or password.') =>
  new CognitoError('NotAuthorizedException', message);

export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');

export const invalidParameter = (message: string) =>
  new CognitoError('InvalidParameterException', message);

export const resourceNotFound = (message: string) =>
  new CognitoError('ResourceNotFoundException', message);
