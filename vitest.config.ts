import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: each integration file starts its own stacks, on free ports drawn
    // from its worker's own slice (test/support/port-slice.ts). The load test runs alone after the
    // rest (npm test).
    maxWorkers: 2,
    setupFiles: ['test/support/port-slice.ts'],
  },
});
