import { checkEpisodes, releaseHeld } from '../domain/evaluation.ts';
import { flushOverdueGroups } from '../domain/notification-groups.ts';
import {
  episodeStore,
  evaluationDeps,
  groupFlushing,
  rules,
} from '../adapters/wiring/evaluation.ts';
import { instrumented } from '../adapters/instrumentation.ts';
import { logger } from '../adapters/logger.ts';

/**
 * Scheduled check (EventBridge in AWS, a timer in the local stack): fires NO_DATA for
 * devices gone silent and repeats notifications of alerts still firing, for the rules that
 * have a no-data time or repeats; releases the alerts held by silences and maintenance
 * windows that ended; and sends the notification groups whose e-mail is overdue (their flush
 * message lost); and, once after an upgrade, files the episodes stored before the index of
 * open episodes existed (domain/open-episodes.ts), until which workers read every episode.
 * An episode, alert or group it could not move is logged and left to the next
 * check; the run itself succeeds, so EventBridge does not rerun the whole check on top of the
 * next one.
 */
export const handler = instrumented('check-episodes', check);

async function check(): Promise<{
  moved: number;
  released: number;
  failed: number;
  overdueGroups: number;
}> {
  // The same change-fed rules as the worker's: each run reads what changed since the last.
  const [{ moved, errors }, release, overdue, filing] = await Promise.all([
    checkEpisodes((await rules.current()).timed(), evaluationDeps),
    // Silences and maintenance windows that ended: their held alerts are told once.
    releaseHeld(evaluationDeps).catch((error: unknown) => ({ released: 0, errors: [error] })),
    flushOverdueGroups(groupFlushing).catch((error: unknown) => ({
      groups: 0,
      sent: 0,
      errors: [error],
    })),
    fileUnfiledEpisodes(),
  ]);
  if (moved > 0) logger.info('Episodes moved by the scheduled check', { moved });
  for (const error of errors) {
    logger.warn('Episode not checked; the next check retries it', { error });
  }
  if (release.released > 0) {
    logger.info('Held alerts released by the scheduled check', { released: release.released });
  }
  for (const error of release.errors) {
    logger.warn('Held alert not released; the next check retries it', { error });
  }
  if (overdue.groups > 0) logger.warn('Overdue notification groups flushed', { ...overdue });
  for (const error of overdue.errors) {
    logger.warn('Overdue notification group not sent; the next check retries it', { error });
  }
  if (filing.filed > 0) logger.info('Episodes filed in the open index', { filed: filing.filed });
  for (const error of filing.errors) {
    logger.warn('Episodes not filed in the open index; the next check resumes', { error });
  }
  return {
    moved,
    released: release.released,
    failed: errors.length + release.errors.length + overdue.errors.length + filing.errors.length,
    overdueGroups: overdue.groups,
  };
}

/**
 * Half the check's run at most, so the rest of the check runs; the second pass a quarter of
 * an hour after the first began: by then the workers of the version before have stopped
 * (a deployment updates them within minutes; a run of theirs lasts at most 30 s).
 */
const UNFILED = { budgetMs: 30_000, settleMs: 15 * 60_000 };

/** Files the episodes stored before the open index; once it is complete, one read a run. */
async function fileUnfiledEpisodes(): Promise<{ filed: number; errors: unknown[] }> {
  try {
    return { filed: await episodeStore.fileUnfiled(UNFILED), errors: [] };
  } catch (error) {
    return { filed: 0, errors: [error] };
  }
}
