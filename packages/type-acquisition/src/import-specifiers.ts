// Which installed packages a script names: the TypeScript scanner's view of its imports, exports,
// `import()` and `require()` calls, `/// <reference types>` directives and JSDoc `import("x")` /
// `@import` types, reduced to package names. Relative, URL and `node:` specifiers name no package
// the server serves (Node's built-ins come with `@types/node`), so they drop out. TypeScript is
// loaded on first use, not at page load: an editor page already carries Monaco's copy in a worker.
import type ts from 'typescript';
import { packageNameOfSpecifier } from '@spk/common';

export type TypeScriptModule = typeof ts;

/**
 * Loads the `typescript` package. `import()` of a CommonJS module gives its exports as `default`
 * (Node, bundlers) or as the namespace itself (some bundlers' interop): either is accepted.
 */
export async function loadTypeScript(): Promise<TypeScriptModule> {
  const loaded: TypeScriptModule | { default: TypeScriptModule } = await import('typescript');
  return 'preProcessFile' in loaded ? loaded : loaded.default;
}

/**
 * The bodies of the script's `/** ... *\/` comments. preProcessFile skips comments, but in a checkJs
 * script JSDoc types are real imports (`@type {import('pg').Pool}`, `@import { Pool } from 'pg'`).
 */
function jsDocBodies(typescript: TypeScriptModule, sourceText: string): string[] {
  const { SyntaxKind } = typescript;
  const scanner = typescript.createScanner(typescript.ScriptTarget.Latest, false, typescript.LanguageVariant.Standard, sourceText);
  const bodies: string[] = [];
  for (let token = scanner.scan(); token !== SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token !== SyntaxKind.MultiLineCommentTrivia) continue;
    const text = scanner.getTokenText();
    if (text.startsWith('/**') && text !== '/**/') bodies.push(text.slice(3, text.endsWith('*/') ? -2 : undefined));
  }
  return bodies;
}

/** Package names `sourceText` imports, each once, in first-seen order: `lodash/fp` and `lodash` both give `lodash`. */
export function packageNamesIn(typescript: TypeScriptModule, sourceText: string): string[] {
  // readImportFiles: static imports/exports; detectJavaScriptImports: `require()` and `import()` too.
  const { importedFiles, typeReferenceDirectives } = typescript.preProcessFile(sourceText, true, true);
  const fromJsDoc = jsDocBodies(typescript, sourceText).flatMap((body) => typescript.preProcessFile(body, true, true).importedFiles);
  const names = new Set<string>();
  for (const { fileName } of [...importedFiles, ...typeReferenceDirectives, ...fromJsDoc]) {
    const name = packageNameOfSpecifier(fileName);
    if (name !== null) names.add(name);
  }
  return [...names];
}

/** `packageNamesIn` with TypeScript loaded on demand. */
export async function packagesImportedBy(sourceText: string): Promise<string[]> {
  return packageNamesIn(await loadTypeScript(), sourceText);
}
