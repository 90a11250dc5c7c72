import { describe, expect, it } from 'vitest';
import { packagesImportedBy } from './import-specifiers.ts';

describe('packagesImportedBy', () => {
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
    expect(packagesImportedBy(source)).toEqual(['pg', 'lodash', '@scope/pkg', 'zod', 'semver']);
  });

  it('returns nothing for a script without package imports, or one that does not parse', () => {
    expect(packagesImportedBy('console.log(process.env.HOME);')).toEqual([]);
    expect(packagesImportedBy('import {')).toEqual([]);
  });
});
