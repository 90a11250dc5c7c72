// Compiler options under which the served closures resolve the way Node resolves the script at run
// time: `file:///script.ts` finds `file:///node_modules/<pkg>` by walking up, exactly like the tree
// the core serves. The same object suits Monaco's `setCompilerOptions` and a language-service host;
// enum fields are TypeScript's numeric values, written as literals so that this module does not put
// a second TypeScript into the page (Monaco's worker has its own, with the same numbers).
import type ts from 'typescript';
import type { TypesIndex } from '@spk/common';

/** Where served files live: `file:///node_modules/...`, with `@types` packages under the usual root. */
const VIRTUAL_TYPE_ROOT = 'file:///node_modules/@types';

/** Options for a tree whose index is not known yet, or that has no `@types/node`. */
export const recommendedCompilerOptions: Readonly<ts.CompilerOptions> = Object.freeze({
  module: 99, // ModuleKind.ESNext
  // Bundler: `exports` maps and extensionless relative imports inside declarations both resolve,
  // for `import` and `require` alike; the `node` condition is what the script runtime matches.
  moduleResolution: 100, // ModuleResolutionKind.Bundler
  customConditions: ['node'],
  target: 9, // ScriptTarget.ES2022
  // A script with no import is still a module: its top-level `await` and names stay its own.
  moduleDetection: 3, // ModuleDetectionKind.Force
  baseUrl: 'file:///',
  typeRoots: [VIRTUAL_TYPE_ROOT],
  // Only what a script imports is typed; nothing else under typeRoots is pulled in implicitly.
  types: [],
  allowJs: true,
  checkJs: true,
  strict: true,
  noEmit: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  // Served declarations are third-party code the script author cannot fix, written for whatever
  // TypeScript version the package chose, and a closure over the size ceiling is deliberately
  // incomplete: checking them would only add errors the author can do nothing about.
  skipLibCheck: true,
});

/**
 * The ECMAScript library of the Node major `@types/node` is for: what its V8 implements, so that
 * `toSorted` (Node 20), `Object.groupBy` and `Promise.withResolvers` (Node 22) are known exactly
 * where the hosts have them. An unreadable version gets the oldest, the safe side.
 */
function libForNodeTypes(version: string): string {
  const major = Number.parseInt(version, 10);
  if (major >= 22) return 'lib.es2024.d.ts';
  if (major >= 20) return 'lib.es2023.d.ts';
  return 'lib.es2022.d.ts';
}

/**
 * The options for one tree: with `@types/node` installed, Node's globals (`process`, `Buffer`,
 * `console`, `fetch`) come from it, the ECMAScript library follows its Node major and the DOM
 * library is left out, since a script never runs in a page; without it, the default library
 * (which includes the DOM, the only other `console`) stays.
 */
export function compilerOptionsFor(index: Pick<TypesIndex, 'nodeTypes'> | null): ts.CompilerOptions {
  const fresh = { ...recommendedCompilerOptions, customConditions: ['node'], typeRoots: [VIRTUAL_TYPE_ROOT] };
  if (index?.nodeTypes == null) return { ...fresh, types: [] };
  return { ...fresh, types: ['node'], lib: [libForNodeTypes(index.nodeTypes.version)] };
}
