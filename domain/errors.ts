/**
 * The errors a client is meant to see, all in one place. Each carries the GraphQL
 * `errorType` AppSync reports (written here and nowhere else) and a message that tells a
 * person what to change. Anything that is not a `ClientError` is the system's own failure:
 * it is logged with its context and reaches the client only as a generic message.
 */
export abstract class ClientError extends Error {
  /** The `errorType` of the GraphQL error; stable, clients branch on it. */
  abstract readonly errorType: string;
}

/** The input is not acceptable as it is; the message says what to change. */
export class ValidationError extends ClientError {
  override readonly name = 'ValidationError';
  readonly errorType = 'ValidationError';
  /** The input field at fault, as a path such as `input.value` or `input[3].deviceId`. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** The rule or alert named does not exist (any more). */
export class NotFoundError extends ClientError {
  override readonly name = 'NotFoundError';
  readonly errorType = 'NotFound';
}

/**
 * The caller may not do this with what it asked for, although the API admitted it: a device
 * credential sending a reading of a device it does not cover.
 */
export class UnauthorizedError extends ClientError {
  override readonly name = 'UnauthorizedError';
  readonly errorType = 'Unauthorized';
}

/** The request asks for more work than one call may do; the message says how to narrow it. */
export class LimitExceededError extends ClientError {
  override readonly name = 'LimitExceededError';
  readonly errorType = 'LimitExceeded';
}

/** A reading could not be handed to the queue; the client should retry it. */
export class QueueUnavailableError extends ClientError {
  override readonly name = 'QueueUnavailableError';
  readonly errorType = 'QueueUnavailable';
}

/** A client error as a value: what GraphQL carries, per item of a batch or as the field's error. */
export function clientFailure(error: ClientError): { errorType: string; message: string } {
  return { errorType: error.errorType, message: error.message };
}
