import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code, the console's component tests (`*.test.tsx`, in
// happy-dom), and integration tests (`*.int.test.ts`) that share one Verdaccio registry started by
// the global setup and make their own databases (the console's browser test among them).
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
          name: 'web',
          include: ['apps/web/src/**/*.test.tsx'],
          environment: 'happy-dom',
          setupFiles: ['apps/web/src/component-test-setup.ts'],
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
