import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { callerOf } from '../adapters/appsync-identity.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { logger } from '../adapters/logger.ts';
import { metrics } from '../adapters/metrics.ts';
import { queue, readingDefaults } from '../adapters/wiring/ingest.ts';
import { deviceScopeOf } from '../domain/caller.ts';
import { ingestBatch, ingestOne } from '../domain/ingest.ts';
import type { MutationIngestEventArgs, MutationIngestEventsArgs } from '../generated/graphql.ts';

/**
 * `ingestEvent` and `ingestEvents`: validate readings, keep a device credential to its own
 * devices, and hand them to the queue. A queued reading's id is its correlation id, in the
 * worker's log lines and its alert's eventId; debug lines (POWERTOOLS_LOGGER_SAMPLE_RATE)
 * say which readings went to the queue.
 */
export const handler = appSyncResolver({
  'Mutation.ingestEvent': async ({ input }: MutationIngestEventArgs, event) => {
    const scope = deviceScopeOf(callerOf(event.identity));
    const reading = await ingestOne(input, queue, readingDefaults(), scope, metrics);
    logger.setCorrelationId(reading.id);
    logger.debug('Reading queued', { deviceId: reading.deviceId });
    return reading;
  },
  'Mutation.ingestEvents': async ({ input }: MutationIngestEventsArgs, event) => {
    const scope = deviceScopeOf(callerOf(event.identity));
    const result = await ingestBatch(input, queue, readingDefaults(), scope, metrics);
    if (logger.level <= LogLevelThreshold.DEBUG) {
      const ids = result.results.flatMap(({ event: reading }) => (reading ? [reading.id] : []));
      logger.debug('Readings queued', { correlation_ids: ids, rejected: result.rejected });
    }
    return result;
  },
});
