import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
    pool: 'forks',
    globalSetup: ['./test/support/pglite-template.ts'],
  },
});
