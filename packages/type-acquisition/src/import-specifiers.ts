// Which installed packages a script names: the TypeScript scanner's view of its imports, exports,
// `import()` and `require()` calls, reduced to package names. Relative, URL and `node:` specifiers
// name no package the server serves (Node's built-ins come with `@types/node`), so they drop out.
import ts from 'typescript';
import { packageNameOfSpecifier } from '@spk/common';

/** Package names a script imports, each once, in first-seen order: `lodash/fp` and `lodash` both give `lodash`. */
export function packagesImportedBy(sourceText: string): string[] {
  // readImportFiles: static imports/exports; detectJavaScriptImports: `require()` and `import()` too.
  const { importedFiles } = ts.preProcessFile(sourceText, true, true);
  const names = new Set<string>();
  for (const { fileName } of importedFiles) {
    const name = packageNameOfSpecifier(fileName);
    if (name !== null) names.add(name);
  }
  return [...names];
}
