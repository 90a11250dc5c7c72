import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The root of @spk/common is bundled for browsers: no Node built-in under either spelling, and not
// npm's spec parsers (they need Node built-ins). Node-only helpers live in src/node/ (@spk/common/node).
const commonBrowserMessage = 'The root of @spk/common runs in browsers: no Node APIs. Put Node-only code in src/node/ (imported as @spk/common/node).';
const commonBrowserImports = {
  paths: [
    ...builtinModules.map((name) => ({ name, message: commonBrowserMessage })),
    ...['npm-package-arg', 'validate-npm-package-name'].map((name) => ({
      name,
      message: `${name} needs Node built-ins; use the pure checks in package-spec.ts, or put npm-backed code in src/node/ (@spk/common/node).`,
    })),
  ],
  patterns: [
    { group: ['node:*'], message: commonBrowserMessage },
    { group: ['npm-package-arg/*', 'validate-npm-package-name/*'], message: commonBrowserMessage },
  ],
};
const typeAcquisitionMessage =
  '@spk/type-acquisition runs in browsers: no Node built-ins, no npm spec parsers (they need Node), nothing from @spk/common/node; use the root of @spk/common.';
const webMessage = 'The console (apps/web) runs in browsers: no Node built-ins, nothing from @spk/common/node; talk to the server through the contract.';
const dbAndServer = ['drizzle-orm', 'drizzle-orm/*', 'postgres', '@electric-sql/pglite', '@orpc/server', '@orpc/server/*'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.data/**', 'tools/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:common', onlyDependOnLibsWithTags: [], bannedExternalImports: dbAndServer },
            { sourceTag: 'scope:reconciler', onlyDependOnLibsWithTags: ['scope:common'], bannedExternalImports: dbAndServer },
            { sourceTag: 'scope:backend', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler'] },
            { sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler'] },
            { sourceTag: 'scope:browser', onlyDependOnLibsWithTags: ['scope:common'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler', 'scope:backend', 'scope:agent', 'scope:browser', 'type:tools'] },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['scope:common'] },
            { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['scope:common', 'scope:browser'], bannedExternalImports: dbAndServer },
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler', 'scope:backend', 'scope:browser', 'type:tools'] },
          ],
        },
      ],
    },
  },
  {
    // Tests and their support modules may use the shared test tooling (fixture registry, server
    // spawner, tarball builder); production code may not.
    files: ['**/*.test.ts', '**/*.test.tsx', '**/src/test-support/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'scope:common', onlyDependOnLibsWithTags: ['type:tools'] },
            { sourceTag: 'scope:reconciler', onlyDependOnLibsWithTags: ['scope:common', 'type:tools'] },
            { sourceTag: 'scope:backend', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler', 'type:tools'] },
            { sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler', 'type:tools'] },
            { sourceTag: 'scope:browser', onlyDependOnLibsWithTags: ['scope:common', 'type:tools'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['scope:common', 'scope:reconciler', 'scope:backend', 'scope:agent', 'scope:browser', 'type:tools'] },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['scope:common', 'type:tools'] },
            { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['scope:common', 'scope:browser', 'type:tools'] },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/common/src/**/*.ts'],
    ignores: ['packages/common/src/node/**', 'packages/common/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', commonBrowserImports] },
  },
  {
    // The editor client runs in browsers: the same bans as the root of @spk/common (Node built-ins
    // under either spelling, npm's spec parsers), and not @spk/common's Node-only subpath either.
    files: ['packages/type-acquisition/src/**/*.ts'],
    ignores: ['packages/type-acquisition/src/**/*.test.ts', 'packages/type-acquisition/src/test-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...commonBrowserImports.paths, { name: '@spk/common/node' }].map(({ name }) => ({ name, message: typeAcquisitionMessage })),
          patterns: [...commonBrowserImports.patterns, { group: ['@spk/common/node/*'] }].map(({ group }) => ({ group, message: typeAcquisitionMessage })),
        },
      ],
    },
  },
  {
    // The console runs in browsers: no Node built-ins, nothing Node-only from @spk/common.
    files: ['apps/web/src/**/*.ts', 'apps/web/src/**/*.tsx'],
    ignores: ['apps/web/src/**/*.test.ts', 'apps/web/src/**/*.test.tsx', 'apps/web/src/test-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...commonBrowserImports.paths, { name: '@spk/common/node' }].map(({ name }) => ({ name, message: webMessage })),
          patterns: [...commonBrowserImports.patterns, { group: ['@spk/common/node/*'] }].map(({ group }) => ({ group, message: webMessage })),
        },
      ],
    },
  },
);
