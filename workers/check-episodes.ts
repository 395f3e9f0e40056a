import { checkEpisodes } from '../domain/evaluation.ts';
import { evaluationDeps, ruleStore } from '../adapters/evaluation-wiring.ts';
import { logger } from '../adapters/logger.ts';

/**
 * Scheduled check (EventBridge in AWS, a timer in the local stack): fires NO_DATA for
 * devices gone silent and repeats notifications of alerts still firing.
 */
export async function handler(): Promise<{ moved: number }> {
  const moved = await checkEpisodes(await ruleStore.all(), evaluationDeps);
  if (moved > 0) logger.info('Episodes moved by the scheduled check', { moved });
  return { moved };
}
