import { randomUUID } from 'node:crypto';
import type { ReadingDefaults } from '../../domain/reading.ts';
import { setting } from '../config.ts';
import { evaluationQueue } from './evaluation-queue.ts';

/* The ingest resolver's adapters and settings, built once per cold start. */

export const queue = evaluationQueue();

const retentionMs = setting('RETENTION_DAYS') * 24 * 3600 * 1000;

/** What a reading defaults to when received now: its id, its time and the oldest time accepted. */
export function readingDefaults(): ReadingDefaults {
  const receivedAt = Date.now();
  return { receivedAt, newId: randomUUID, oldestAcceptedAt: receivedAt - retentionMs };
}
