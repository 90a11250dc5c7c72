import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and integration tests (`*.int.test.ts`) that
// share one Verdaccio registry started by the global setup and make their own databases.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts', 'apps/*/src/**/*.int.test.ts', 'tools/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['tools/src/test-registry/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
