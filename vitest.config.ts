import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Before any worker starts: the Debian corpus, Chromium and the console build.
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Generous: end-to-end tests spawn the CLI and servers, slow on a loaded 2-core machine.
    testTimeout: 90_000,
    hookTimeout: 600_000,
    // End-to-end suites start servers and run cargo; two cores, so keep parallelism modest.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
