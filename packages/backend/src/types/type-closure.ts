// The declaration-file closure of one installed package: its own types and its `@types` companion,
// then breadth-first everything their declarations refer to, read from a materialized tree and
// served under the logical path (`file:///node_modules/...`) an editor's TypeScript resolves. A
// content ceiling drops files that would pass it and keeps walking with the rest.
import path from 'node:path';
import { atTypesName, DEFAULT_TYPES_MAX_BYTES, NODE_TYPES_PACKAGE, SpkError, TYPES_VIRTUAL_ROOT, type TypeClosure, type TypeFile } from '@spk/common';
import { mapConcurrent } from '@spk/reconciler';
import { createTreeFiles } from './tree-files.ts';
import { createTypeReferences, type ClosureItem } from './type-references.ts';

export interface TypeClosureOptions {
  /** The tree's root directory (the one holding `node_modules/`). */
  treeDir: string;
  /** A top-level package of the tree. */
  name: string;
  maxBytes?: number;
  /**
   * Directories a file's real path may lie in. Default: the tree, plus `<dataDir>/cache/extracted`
   * when the tree sits at `<dataDir>/trees/<hash>` (linked-packages trees link into it).
   */
  allowedRoots?: readonly string[];
}

const READ_CONCURRENCY = 32;
/** One path segment (two when scoped), never `.`/`..`-led: the name becomes part of a path. Legacy names stay readable. */
const PACKAGE_NAME = /^(?:@[^/\\.\s][^/\\\s]*\/)?[^/\\.\s][^/\\\s]*$/;

/** The tree and, for a tree in a data dir, the extracted store its package links may point into (see reconciler's data-layout.ts). */
export function defaultAllowedRoots(treeDir: string): string[] {
  const tree = path.resolve(treeDir);
  const treesDir = path.dirname(tree);
  return path.basename(treesDir) === 'trees' ? [tree, path.join(path.dirname(treesDir), 'cache', 'extracted')] : [tree];
}

export async function computeTypeClosure(options: TypeClosureOptions): Promise<TypeClosure> {
  const { treeDir, name } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_TYPES_MAX_BYTES;
  if (!PACKAGE_NAME.test(name)) throw new SpkError('INVALID_INPUT', `"${name}" is not a package name`);
  const files = createTreeFiles(treeDir, options.allowedRoots ?? defaultAllowedRoots(treeDir));
  // The top-level @types/node is served on its own (the index's `nodeTypes`); other closures only point at it.
  const references = createTypeReferences(files, name === NODE_TYPES_PACKAGE ? null : `node_modules/${NODE_TYPES_PACKAGE}`);

  const rootDir = `node_modules/${name}`;
  const root = await references.packageAt(rootDir);
  if (root === null) {
    throw new SpkError('NOT_FOUND', `${name} is not installed in the tree at ${treeDir} (no readable node_modules/${name}/package.json)`);
  }
  const version = root.info.json.version ?? '';
  const own = references.packageItems(root);
  let companion: ClosureItem[] = [];
  if (!name.startsWith('@types/')) {
    // Resolved from the package's location: a companion nested under it wins over the top-level one.
    for (const dir of [`${rootDir}/node_modules/${atTypesName(name)}`, `node_modules/${atTypesName(name)}`]) {
      const typed = await references.packageAt(dir);
      if (typed === null) continue;
      companion = references.packageItems(typed);
      break;
    }
  }
  if (own.length === 0 && companion.length === 0) {
    return { name, version, files: [], hasOwnTypes: false, hasAtTypes: false, notFound: true, truncated: false, bytes: 0 };
  }
  // The package's own package.json is part of the closure even when only its companion has types.
  const entries = own.length > 0 ? own : [{ path: `${rootDir}/package.json`, root: rootDir, content: root.info.trimmed }];

  const served: TypeFile[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let truncated = false;
  const fresh = (items: readonly ClosureItem[]) =>
    items.filter((item) => {
      if (seen.has(item.path)) return false;
      seen.add(item.path);
      return true;
    });

  let level = fresh([...entries, ...companion]);
  while (level.length > 0) {
    // Reading and resolving run in parallel; accepting runs in order, so the output (and its ETag) is stable.
    const loaded = await mapConcurrent(level, READ_CONCURRENCY, async (item) => {
      if (item.content !== undefined) return { text: item.content, refs: [] };
      const size = await files.size(item.path);
      if (size === null || size > maxBytes) return { text: size === null ? null : undefined, refs: [] };
      const text = await files.read(item.path);
      return { text, refs: text === null ? [] : await references.referencesOf(item, text) };
    });
    const next: ClosureItem[] = [];
    level.forEach((item, i) => {
      const { text, refs } = loaded[i]!;
      if (text === null) return;
      if (text === undefined || bytes + Buffer.byteLength(text, 'utf8') > maxBytes) {
        truncated = true;
        return;
      }
      bytes += Buffer.byteLength(text, 'utf8');
      served.push({ path: `${TYPES_VIRTUAL_ROOT}${item.path}`, content: text });
      next.push(...fresh(refs));
    });
    level = next;
  }
  return { name, version, files: served, hasOwnTypes: own.length > 0, hasAtTypes: companion.length > 0, notFound: false, truncated, bytes };
}
