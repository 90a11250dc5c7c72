// The declaration-file closure of one installed package: its own types and its `@types` companion,
// then breadth-first everything their declarations refer to, read from a materialized tree and
// served under the logical path (`file:///node_modules/...`) an editor's TypeScript resolves. A
// content ceiling drops files that would pass it and keeps walking with the rest.
import { atTypesName, checkPackageName, DEFAULT_TYPES_MAX_BYTES, NODE_TYPES_PACKAGE, SpkError, TYPES_VIRTUAL_ROOT, type TypeClosure, type TypeFile } from '@spk/common';
import { mapConcurrent } from '@spk/reconciler';
import { createTreeFiles, type TreeFiles } from './tree-files.ts';
import { createTypeReferences, type ClosureItem } from './type-references.ts';

/**
 * The version of what computeTypeClosure answers for a given tree. Bump it whenever a change here
 * (or in the modules it uses) may answer differently: stored closures of another version are then
 * computed again instead of served.
 */
export const CLOSURE_FORMAT_VERSION = 2;

export interface TypeClosureOptions {
  /** The tree's root directory (the one holding `node_modules/`). */
  treeDir: string;
  /** A top-level package of the tree. */
  name: string;
  maxBytes?: number;
  /**
   * Directories a file's real path may lie in (default: the tree). A linked-packages tree also needs
   * the extracted store its package links point into.
   */
  allowedRoots?: readonly string[];
}

const READ_CONCURRENCY = 32;

/**
 * Which of `sizes` (in order; null for a file left out anyway) fit in `remaining` bytes, each
 * admitted only if it fits in what the ones before it left: a big file is dropped, smaller ones
 * after it still get in.
 */
export function admitInOrder(sizes: ReadonlyArray<number | null>, remaining: number): { admitted: boolean[]; truncated: boolean } {
  let left = remaining;
  let truncated = false;
  const admitted = sizes.map((size) => {
    if (size === null) return false;
    if (size > left) {
      truncated = true;
      return false;
    }
    left -= size;
    return true;
  });
  return { admitted, truncated };
}

/**
 * Whether a package dir is one of its own logical ancestors again (a package that links
 * `node_modules/self -> ..`): its files are already served under the ancestor, and following it
 * would only nest the same package deeper and deeper.
 */
async function loopsBack(files: TreeFiles, root: string, roots: ReadonlyMap<string, Promise<string | null>>): Promise<boolean> {
  const real = await files.realDir(root);
  if (real === null) return false;
  for (let cut = root.lastIndexOf('/'); cut > 0; cut = root.lastIndexOf('/', cut - 1)) {
    if ((await roots.get(root.slice(0, cut))) === real) return true;
  }
  return false;
}

export async function computeTypeClosure(options: TypeClosureOptions): Promise<TypeClosure> {
  const { treeDir, name } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_TYPES_MAX_BYTES;
  // The name becomes part of a path: only a valid (or legacy) npm name, never `..`-led or with extra segments.
  const problem = checkPackageName(name);
  if (problem !== null) throw new SpkError('INVALID_INPUT', problem);
  const files = createTreeFiles(treeDir, options.allowedRoots ?? [treeDir]);
  // The top-level @types/node is served on its own (the index's `nodeTypes`); other closures only point at it.
  const references = createTypeReferences(files, name === NODE_TYPES_PACKAGE ? null : `node_modules/${NODE_TYPES_PACKAGE}`);

  const rootDir = `node_modules/${name}`;
  const root = await references.packageAt(rootDir);
  if (root === null) throw new SpkError('NOT_FOUND', `${name} is not installed in this tree (no readable node_modules/${name}/package.json)`);
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
  // Logical paths already queued, and files already taken: one real file is served once per package
  // dir, under the first logical path that reached it (links inside a package may give it many).
  const queued = new Set<string>();
  const taken = new Set<string>();
  /** Package dirs with served files -> their real dir. */
  const roots = new Map<string, Promise<string | null>>();
  let bytes = 0;
  let truncated = false;
  const fresh = (items: readonly ClosureItem[]) =>
    items.filter((item) => {
      if (queued.has(item.path)) return false;
      queued.add(item.path);
      return true;
    });

  let level = fresh([...entries, ...companion]);
  while (level.length > 0) {
    // Per level: look at sizes first, admit in order against what is left of the ceiling, and read
    // and parse only the admitted files. Lookups run in parallel; admitting runs in order, so the
    // output (and its ETag) is stable.
    const sized = await mapConcurrent(level, READ_CONCURRENCY, async (item) => {
      if (await loopsBack(files, item.root, roots)) return null;
      const found = await files.file(item.path);
      if (found === null) return null;
      return { key: `${item.root}\0${found.real}`, size: item.content === undefined ? found.size : Buffer.byteLength(item.content, 'utf8') };
    });
    const sizes = sized.map((entry) => {
      if (entry === null || taken.has(entry.key)) return null;
      taken.add(entry.key);
      return entry.size;
    });
    const admission = admitInOrder(sizes, maxBytes - bytes);
    truncated ||= admission.truncated;
    const picked = level.flatMap((_, i) => (admission.admitted[i] ? [i] : []));
    const admitted = picked.map((i) => level[i]!);
    const reserved = picked.map((i) => sizes[i]!);
    bytes += reserved.reduce((sum, size) => sum + size, 0);

    const loaded = await mapConcurrent(admitted, READ_CONCURRENCY, async (item) => {
      if (item.content !== undefined) return { text: item.content, refs: [] };
      const text = await files.read(item.path);
      return { text, refs: text === null ? [] : await references.referencesOf(item, text) };
    });
    const next: ClosureItem[] = [];
    admitted.forEach((item, i) => {
      const { text, refs } = loaded[i]!;
      // The text may differ from the size looked at (a file that changed, bytes that are not UTF-8): the ceiling holds for what is served.
      bytes -= reserved[i]!;
      if (text === null) return;
      const size = Buffer.byteLength(text, 'utf8');
      if (bytes + size > maxBytes) {
        truncated = true;
        return;
      }
      bytes += size;
      served.push({ path: `${TYPES_VIRTUAL_ROOT}${item.path}`, content: text });
      if (!roots.has(item.root)) roots.set(item.root, files.realDir(item.root));
      next.push(...fresh(refs));
    });
    level = next;
  }
  return { name, version, files: served, hasOwnTypes: own.length > 0, hasAtTypes: companion.length > 0, notFound: false, truncated, bytes };
}
