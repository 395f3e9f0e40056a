/**
 * Errors the product raises on purpose. Each has a stable `name`, which becomes the GraphQL
 * `errorType` a client sees; the message tells a person what to change.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  /** The input field at fault, as a path such as `input.value` or `input[3].deviceId`. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFound';
}

/** A malformed record reached the worker; retrying it cannot succeed. */
export class PoisonRecordError extends Error {
  override readonly name = 'PoisonRecordError';
}
