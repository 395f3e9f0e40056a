import type { AppSyncAuthorizerEvent, AppSyncAuthorizerResult } from 'aws-lambda';
import { instrumented } from '../adapters/instrumentation.ts';
import { logger } from '../adapters/logger.ts';
import { authorizerDeps } from '../adapters/wiring/authorizer.ts';
import { authorizeDeviceToken, type DeviceResolverContext } from '../domain/device-credential.ts';

/**
 * AppSync's Lambda authorizer for device credentials: a token of a live credential may
 * ingest for its devices, and nothing else. The token is never logged. When the store
 * cannot be read the function fails, and AppSync refuses the request.
 */
export const handler = instrumented('device-authorizer', authorize);

async function authorize(
  event: AppSyncAuthorizerEvent,
): Promise<AppSyncAuthorizerResult<DeviceResolverContext>> {
  try {
    return await authorizeDeviceToken(event.authorizationToken, authorizerDeps);
  } catch (error) {
    logger.error('Device authorization failed', {
      requestId: event.requestContext?.requestId,
      error,
    });
    throw error;
  }
}
