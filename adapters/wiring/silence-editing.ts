import { setting } from '../config.ts';
import { evaluationQueue } from './evaluation-queue.ts';

export { silences } from './silences.ts';

/* The silences resolver's adapters, built once per cold start. */

/** An expired silence or a deleted window tells the worker to release what it held. */
export const work = evaluationQueue();

/** How old a worker's mutes may be: the release is sent again after it. */
export const refreshMs = setting('RULES_REFRESH_MS');
