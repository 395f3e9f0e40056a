import type { AuthorizerDeps } from '../../domain/device-credential.ts';
import { deviceAuthorizer } from '../../infra/resources.ts';
import { setting } from '../config.ts';
import { logger } from '../logger.ts';
import { credentialStore } from './stores.ts';

/* The device authorizer's adapters and policy, built once per cold start. */

export const authorizerDeps: AuthorizerDeps = {
  credentials: credentialStore(),
  now: Date.now,
  policy: {
    ttlSeconds: setting('DEVICE_AUTH_CACHE_SECONDS'),
    lastUsedGranularitySeconds: deviceAuthorizer.lastUsedGranularitySeconds,
  },
  onLastUseFailure: (error, credentialId) =>
    logger.warn('Could not record the use of a device credential', { credentialId, error }),
};
