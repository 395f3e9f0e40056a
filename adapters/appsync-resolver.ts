import type { AppSyncResolverEvent } from 'aws-lambda';
import { logger } from './logger.ts';

/** Errors whose name and message are meant for the client, as GraphQL `errorType`s. */
const CLIENT_ERRORS = new Set(['ValidationError', 'NotFound', 'QueueUnavailable']);

/** The error a client sees for anything unexpected; details stay in the logs. */
export class InternalFailure extends Error {
  override readonly name = 'InternalFailure';
}

type FieldResolver = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each field resolver declares its own argument type
  args: any,
  event: AppSyncResolverEvent<Record<string, unknown>>,
) => Promise<unknown>;

/**
 * Makes a direct Lambda resolver handler from one function per GraphQL field. AppSync turns
 * a thrown error's `name` and `message` into the GraphQL error's `errorType` and `message`,
 * so expected errors are thrown as they are and anything else becomes a generic
 * `InternalFailure`, logged with its context and never shown to the client.
 */
export function appSyncResolver(fields: Record<string, FieldResolver>) {
  return async (event: AppSyncResolverEvent<Record<string, unknown>>): Promise<unknown> => {
    const field = `${event.info.parentTypeName}.${event.info.fieldName}`;
    const resolve = fields[field];
    if (!resolve) {
      logger.error('No resolver for field', { field });
      throw new InternalFailure(`${field} is not served by this function`);
    }
    try {
      return await resolve(event.arguments, event);
    } catch (error) {
      if (error instanceof Error && CLIENT_ERRORS.has(error.name)) throw clientError(error);
      logger.error('Resolver failed', { field, error });
      throw new InternalFailure(
        'The request failed on our side; retry it, and report it if it persists',
      );
    }
  };
}

/** A copy without the stack, so nothing internal travels with the error. */
function clientError(error: Error): Error {
  const copy = new Error(error.message);
  copy.name = error.name;
  copy.stack = `${error.name}: ${error.message}`;
  return copy;
}
