import type { Context } from 'aws-lambda';
import { checkEpisodes } from '../domain/evaluation.ts';
import { evaluationDeps, ruleStore } from '../adapters/evaluation-wiring.ts';
import { logger } from '../adapters/logger.ts';

/**
 * Scheduled check (EventBridge in AWS, a timer in the local stack): fires NO_DATA for
 * devices gone silent and repeats notifications of alerts still firing.
 */
export async function handler(_event?: unknown, context?: Context): Promise<{ moved: number }> {
  const deps = context
    ? { ...evaluationDeps, invocationMs: context.getRemainingTimeInMillis() }
    : evaluationDeps;
  const moved = await checkEpisodes(await ruleStore.all(), deps);
  if (moved > 0) logger.info('Episodes moved by the scheduled check', { moved });
  return { moved };
}
