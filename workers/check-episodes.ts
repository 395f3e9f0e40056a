import { checkEpisodes, releaseHeld } from '../domain/evaluation.ts';
import { evaluationDeps, rules } from '../adapters/wiring/evaluation.ts';
import { instrumented } from '../adapters/instrumentation.ts';
import { logger } from '../adapters/logger.ts';

/**
 * Scheduled check (EventBridge in AWS, a timer in the local stack): fires NO_DATA for
 * devices gone silent and repeats notifications of alerts still firing, for the rules that
 * have a no-data time or repeats, and releases the alerts held by silences and maintenance
 * windows that ended. An episode it could
 * not move is logged and left to the next check; the run itself succeeds, so EventBridge
 * does not rerun the whole check on top of the next one.
 */
export const handler = instrumented('check-episodes', check);

async function check(): Promise<{ moved: number; released: number; failed: number }> {
  // The same change-fed rules as the worker's: each run reads what changed since the last.
  const { moved, errors } = await checkEpisodes((await rules.current()).timed(), evaluationDeps);
  if (moved > 0) logger.info('Episodes moved by the scheduled check', { moved });
  for (const error of errors) {
    logger.warn('Episode not checked; the next check retries it', { error });
  }
  // Silences and maintenance windows that ended: their held alerts are told once.
  const release = await releaseHeld(evaluationDeps);
  if (release.released > 0) {
    logger.info('Held alerts released by the scheduled check', { released: release.released });
  }
  for (const error of release.errors) {
    logger.warn('Held alert not released; the next check retries it', { error });
  }
  return { moved, released: release.released, failed: errors.length + release.errors.length };
}
