import { tables } from '../../infra/resources.ts';
import { dynamodb } from '../clients/dynamodb.ts';
import { setting } from '../config.ts';
import { DynamoDbSilenceStore } from '../dynamodb-silence-store.ts';
import { evaluationQueue } from './evaluation-queue.ts';
import { alertStore, readingStore } from './stores.ts';

/* The queries resolver's adapters, built once per cold start. */

export const readings = readingStore();
export const alerts = alertStore();

/**
 * The worker applies acknowledgements and resets to the alerts' episodes, and delivers every
 * alert change.
 */
export const work = evaluationQueue();

/** Where a snooze writes its silence (PutItem only: the silences resolver lists and expires them). */
export const silences = new DynamoDbSilenceStore(dynamodb, setting(tables.silences.envVar));
