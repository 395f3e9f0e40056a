import { alertStore, evaluationQueue, readingStore } from './components.ts';

/* The queries resolver's adapters, built once per cold start. */

export const readings = readingStore();
export const alerts = alertStore();

/** An acknowledged alert is pushed to subscribers by the worker, which delivers every alert change. */
export const work = evaluationQueue();
