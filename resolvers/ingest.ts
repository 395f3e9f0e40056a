import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { queue, readingDefaults } from '../adapters/wiring/ingest.ts';
import { ingestBatch, ingestOne } from '../domain/ingest.ts';
import type { MutationIngestEventArgs, MutationIngestEventsArgs } from '../generated/graphql.ts';

/** `ingestEvent` and `ingestEvents`: validate readings and hand them to the queue. */
export const handler = appSyncResolver({
  'Mutation.ingestEvent': ({ input }: MutationIngestEventArgs) =>
    ingestOne(input, queue, readingDefaults()),
  'Mutation.ingestEvents': ({ input }: MutationIngestEventsArgs) =>
    ingestBatch(input, queue, readingDefaults()),
});
