import { callerOf } from '../adapters/appsync-identity.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { queue, readingDefaults } from '../adapters/wiring/ingest.ts';
import { deviceScopeOf } from '../domain/caller.ts';
import { ingestBatch, ingestOne } from '../domain/ingest.ts';
import type { MutationIngestEventArgs, MutationIngestEventsArgs } from '../generated/graphql.ts';

/**
 * `ingestEvent` and `ingestEvents`: validate readings, keep a device credential to its own
 * devices, and hand them to the queue.
 */
export const handler = appSyncResolver({
  'Mutation.ingestEvent': ({ input }: MutationIngestEventArgs, event) =>
    ingestOne(input, queue, readingDefaults(), deviceScopeOf(callerOf(event.identity))),
  'Mutation.ingestEvents': ({ input }: MutationIngestEventsArgs, event) =>
    ingestBatch(input, queue, readingDefaults(), deviceScopeOf(callerOf(event.identity))),
});
