// The agent runs on satellites with no database: on top of the workspace rules, its code may never
// import the backend or any database library (the bundle would carry them, and the design forbids
// it). Its integration tests may: they start real core instances on a fresh PostgreSQL database.
import root from '../../eslint.config.mjs';

const why = 'spk-agent runs on satellites without a database: it talks to a core only through the contract client.';
const tests = ['**/*.test.ts', '**/src/test-support/**/*.ts'];

export default [
  ...root,
  {
    files: ['**/*.ts'],
    ignores: tests,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@spk/backend', '@spk/backend/*', '@spk/server', '@spk/server/*'], message: why },
            { group: ['drizzle-orm', 'drizzle-orm/*', 'drizzle-kit', 'postgres', 'pg', '@electric-sql/pglite', '@electric-sql/pglite/*'], message: why },
            { group: ['@orpc/server', '@orpc/server/*'], message: why },
          ],
        },
      ],
    },
  },
  {
    files: tests,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [{ sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler', 'scope:backend', 'type:tools'] }],
        },
      ],
    },
  },
];
