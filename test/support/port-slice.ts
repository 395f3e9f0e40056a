import { drawPortsFromSlice } from '../../local/free-ports.ts';

/*
 * Run before every test file (vitest.config.ts `setupFiles`): vitest's workers run files side
 * by side, each starting stacks on free ports, so each worker draws its ports from a slice of
 * its own, by its pool id (1 and up).
 */
const SLICES = 4;
const pool = Number(process.env.VITEST_POOL_ID);
if (Number.isInteger(pool) && pool >= 1) drawPortsFromSlice((pool - 1) % SLICES, SLICES);
