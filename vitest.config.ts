import { defineConfig } from 'vitest/config';

// Four layers, one runner: `npm test` runs them all; `npm run test:<layer>` runs one.
// Integration tests share one set of local emulators started by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        // 30 s, not vitest's 5 s: the property tests run hundreds of cases, and on a loaded 2-core CI
        // machine a 5 s budget failed a correct run (speed is measured by `npm run bench`, not here).
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The emulators are shared: keep files sequential so their state is predictable.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        // Headless Chromium (Debian's chromium package) renders the HTML reports.
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      },
    ],
  },
});
