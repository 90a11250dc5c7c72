import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadTypeScript, packageNamesIn, packagesImportedBy } from './import-specifiers.ts';

describe('packageNamesIn', () => {
  it('finds imports, re-exports, dynamic imports and require calls, reduced to package names once each', () => {
    const source = [
      "import pg from 'pg';",
      "import type { Pool } from 'pg';",
      "import { fp } from 'lodash/fp';",
      "export * from '@scope/pkg/sub/deep.js';",
      "const z = await import('zod');",
      "const semver = require('semver');",
      "import './side-effect.js';",
      "import fs from 'node:fs';",
      "import x from 'https://cdn.example/x.js';",
      "const s = 'import notAnImport from \"nope\"';",
      '// require("commented-out")',
    ].join('\n');
    expect(packageNamesIn(ts, source)).toEqual(['pg', 'lodash', '@scope/pkg', 'zod', 'semver']);
  });

  it('finds /// <reference types> directives, import() types, and JSDoc import types of checkJs scripts', () => {
    const source = [
      '/// <reference types="dayjs" />',
      "let pool: import('pg').Pool;",
      "/** @type {import('mysql2/promise').Connection} */",
      'let connection;',
      '/**',
      " * @import { Schema } from '@scope/schemas'",
      ' * @param {import("undici").Dispatcher} dispatcher',
      " * @returns {Promise<import('ioredis').Redis>}",
      ' */',
      'async function connect(dispatcher) {}',
      "/* import('not-jsdoc') in a plain block comment */",
      "const text = '/** @type {import(\"in-a-string\")} */';",
    ].join('\n');
    expect(packageNamesIn(ts, source)).toEqual(['pg', 'dayjs', 'mysql2', '@scope/schemas', 'undici', 'ioredis']);
  });

  it('returns nothing for a script without package imports, or one that does not parse', () => {
    expect(packageNamesIn(ts, 'console.log(process.env.HOME);')).toEqual([]);
    expect(packageNamesIn(ts, 'import {')).toEqual([]);
    expect(packageNamesIn(ts, '/** @type {import(')).toEqual([]);
  });
});

describe('packagesImportedBy', () => {
  it('loads TypeScript on demand, whichever way import() hands over a CommonJS module', async () => {
    expect(await packagesImportedBy("import pg from 'pg';")).toEqual(['pg']);
    expect((await loadTypeScript()).preProcessFile).toBe(ts.preProcessFile);
  });
});
