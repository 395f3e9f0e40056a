import { evaluationQueue } from './evaluation-queue.ts';
import { alertStore, readingStore } from './stores.ts';

/* The queries resolver's adapters, built once per cold start. */

export const readings = readingStore();
export const alerts = alertStore();

/** An acknowledged alert is pushed to subscribers by the worker, which delivers every alert change. */
export const work = evaluationQueue();
