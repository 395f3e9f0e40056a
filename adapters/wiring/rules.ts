import { evaluationQueue } from './evaluation-queue.ts';
import { ruleStore } from './stores.ts';

/* The rules resolver's adapters, built once per cold start. */

export const rules = ruleStore();

/** Rule changes that resolve alerts go to the worker, which delivers every alert change. */
export const work = evaluationQueue();
