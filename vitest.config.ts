import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    // A temp GONDOLA_DATA_DIR per test file (wallet journals live per address in the data dir).
    setupFiles: ['test/setup.ts'],
    // Generous: CLI tests spawn several tsx subprocesses, slow on a loaded 2-core machine. Tests never assert durations.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
})
