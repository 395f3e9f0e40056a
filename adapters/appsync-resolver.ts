import type { AppSyncResolverEvent } from 'aws-lambda';
import { ClientError, clientFailure } from '../domain/errors.ts';
import { instrumented } from './instrumentation.ts';
import { logger } from './logger.ts';
import { tracer } from './tracer.ts';

/** The error a client sees for anything unexpected; details stay in the logs. */
export class InternalFailure extends Error {
  override readonly name = 'InternalFailure';
}

type FieldResolver = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each field resolver declares its own argument type
  args: any,
  event: AppSyncResolverEvent<Record<string, unknown>>,
) => Promise<unknown>;

/** How an expected error travels back to AppSync; infra/appsync/invoke-lambda.js raises it. */
export interface ResolverFailure {
  __error: { errorType: string; message: string };
}

/**
 * Makes a Lambda resolver handler from one function per GraphQL field. AppSync reports
 * every thrown error as `Lambda:Unhandled`, so an expected error (a `ClientError`) is
 * returned as a value and the resolver code turns it into a GraphQL error with its own
 * errorType. Anything else is logged with its context and thrown, so it counts as a
 * function error; the client sees only a generic InternalFailure. Each invocation is
 * instrumented (adapters/instrumentation.ts), its trace annotated with the field.
 */
export function appSyncResolver(fields: Record<string, FieldResolver>) {
  return instrumented('resolver', async (event: AppSyncResolverEvent<Record<string, unknown>>) => {
    const field = `${event.info.parentTypeName}.${event.info.fieldName}`;
    tracer?.putAnnotation('field', field);
    const resolve = fields[field];
    if (!resolve) {
      logger.error('No resolver for field', { field });
      throw new InternalFailure(`${field} is not served by this function`);
    }
    try {
      return await resolve(event.arguments, event);
    } catch (error) {
      if (error instanceof ClientError) {
        const failure: ResolverFailure = { __error: clientFailure(error) };
        return failure;
      }
      logger.error('Resolver failed', { field, error });
      throw new InternalFailure(`${field} failed`);
    }
  });
}
