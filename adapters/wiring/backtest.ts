import { setting } from '../config.ts';
import { deviceStore, readingStore } from './stores.ts';

/* The backtest resolver's adapters, built once per cold start: it only reads. */

/** Stored readings, read block by block, oldest first. */
export const history = readingStore();

/** The inventory: the device asked for, or the devices the draft targets. */
export const devices = deviceStore();

/** Readings one call replays at most (the deployment may set fewer than the limit). */
export const maxReadings = setting('BACKTEST_MAX_READINGS');
