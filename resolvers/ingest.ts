import { randomUUID } from 'node:crypto';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { sqs } from '../adapters/clients/sqs.ts';
import { integerEnv, requireEnv } from '../adapters/environment.ts';
import { SqsEvaluationQueue } from '../adapters/sqs-evaluation-queue.ts';
import { ingestBatch, ingestOne } from '../domain/ingest.ts';
import type { ReadingDefaults } from '../domain/reading.ts';
import type { MutationIngestEventArgs, MutationIngestEventsArgs } from '../generated/graphql.ts';
import { defaultRetentionDays, evaluationQueue } from '../infra/resources.ts';

const queue = new SqsEvaluationQueue(sqs, requireEnv(evaluationQueue.envVar));
const retentionMs = integerEnv('RETENTION_DAYS', defaultRetentionDays) * 24 * 3600 * 1000;

function defaults(): ReadingDefaults {
  const receivedAt = Date.now();
  return { receivedAt, newId: randomUUID, oldestAcceptedAt: receivedAt - retentionMs };
}

/** `ingestEvent` and `ingestEvents`: validate readings and hand them to the queue. */
export const handler = appSyncResolver({
  'Mutation.ingestEvent': ({ input }: MutationIngestEventArgs) =>
    ingestOne(input, queue, defaults()),
  'Mutation.ingestEvents': ({ input }: MutationIngestEventsArgs) =>
    ingestBatch(input, queue, defaults()),
});
