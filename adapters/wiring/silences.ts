import { MuteCache } from '../../domain/silence-cache.ts';
import { tables } from '../../infra/resources.ts';
import { dynamodb } from '../clients/dynamodb.ts';
import { setting } from '../config.ts';
import { DynamoDbSilenceStore } from '../dynamodb-silence-store.ts';
import { logger } from '../logger.ts';

/*
 * Silences and maintenance windows, built once per process: the store (the silences resolver
 * writes it; the worker's release reads a mute by id with `silences.get`, consistently) and
 * the worker's change-fed set of mutes (`mutes.current()`, domain/silence-cache.ts).
 */

export const silences = new DynamoDbSilenceStore(dynamodb, setting(tables.silences.envVar));

/** The silences and windows a worker decides deliveries with, as fresh as its rules. */
export const mutes = new MuteCache(silences, {
  maxAgeMs: setting('RULES_REFRESH_MS'),
  onError: (error) =>
    logger.warn('Silences not refreshed; the last ones are used meanwhile', { error }),
});
