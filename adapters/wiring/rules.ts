import { setting } from '../config.ts';
import { evaluationQueue } from './evaluation-queue.ts';
import { ruleStore } from './stores.ts';

/* The rules resolver's adapters, built once per cold start. */

export const rules = ruleStore();

/** Rule changes that resolve alerts go to the worker, which delivers every alert change. */
export const work = evaluationQueue();

/** How old the worker's rules and device labels may be: a change is handed to it again after it. */
export const refreshMs = setting('RULES_REFRESH_MS');
