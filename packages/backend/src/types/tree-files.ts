// Confined reads of a materialized tree for the type closure. Callers speak in logical tree paths
// (`node_modules/a/index.d.ts`, what editors are served); a file is read only when its real path
// lies inside one of the allowed roots (the tree, and the extracted store that linked-packages
// trees point into). A link planted to point anywhere else reads as absent.
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { byCodeUnit } from './code-unit-order.ts';

export type EntryKind = 'file' | 'dir';

interface EntryInfo {
  kind: EntryKind;
  real: string;
  size: number;
}

export interface TreeFiles {
  /** What a logical path is, or null when absent, unreadable or outside the allowed roots. */
  kind(logical: string): Promise<EntryKind | null>;
  /** A file's real path (what it is, whatever links lead to it) and byte size; null when `kind` is not 'file'. */
  file(logical: string): Promise<{ real: string; size: number } | null>;
  /** A directory's real path; null when `kind` is not 'dir'. */
  realDir(logical: string): Promise<string | null>;
  /** A file's text, or null when `kind` is not 'file'. */
  read(logical: string): Promise<string | null>;
  /**
   * Files below a logical dir (paths relative to it, in a stable order), not descending into nested
   * node_modules nor through links to directories (a package may link `lib/self -> .`, which
   * would list every file again at every depth). Links to files are listed.
   */
  list(logicalDir: string): Promise<string[]>;
}

/** Bounds of one directory walk (one `*` pattern's expansion): a pattern never turns into a scan of a huge package. */
export interface ListLimits {
  /** Directory entries visited. */
  entries: number;
  /** Files returned. */
  files: number;
}
export const DEFAULT_LIST_LIMITS: ListLimits = { entries: 20_000, files: 10_000 };

/** A logical tree path: relative, normalized, under node_modules/. Anything else is refused outright. */
export function isLogicalTreePath(logical: string): boolean {
  return (logical === 'node_modules' || logical.startsWith('node_modules/')) && path.posix.normalize(logical) === logical && !logical.endsWith('/');
}

function inside(real: string, root: string): boolean {
  return real === root || real.startsWith(`${root}${path.sep}`);
}

export function createTreeFiles(treeDir: string, allowedRoots: readonly string[], limits: ListLimits = DEFAULT_LIST_LIMITS): TreeFiles {
  const base = path.resolve(treeDir);
  // Roots compared by their real paths (a temp dir or data dir may itself sit behind a link).
  const roots = Promise.all(allowedRoots.map((root) => realpath(path.resolve(root)).catch(() => null))).then((all) =>
    all.filter((root): root is string => root !== null),
  );
  const infos = new Map<string, Promise<EntryInfo | null>>();
  const listings = new Map<string, Promise<string[]>>();

  async function lookup(logical: string): Promise<EntryInfo | null> {
    if (!isLogicalTreePath(logical)) return null;
    let real: string;
    try {
      real = await realpath(path.join(base, ...logical.split('/')));
    } catch {
      return null;
    }
    if (!(await roots).some((root) => inside(real, root))) return null;
    const stats = await stat(real).catch(() => null);
    if (stats?.isFile()) return { kind: 'file', real, size: stats.size };
    if (stats?.isDirectory()) return { kind: 'dir', real, size: 0 };
    return null;
  }

  function info(logical: string): Promise<EntryInfo | null> {
    let found = infos.get(logical);
    if (!found) infos.set(logical, (found = lookup(logical)));
    return found;
  }

  async function walk(logicalDir: string): Promise<string[]> {
    const out: string[] = [];
    let visited = 0;
    const pending = [''];
    while (pending.length > 0 && visited < limits.entries && out.length < limits.files) {
      const rel = pending.shift()!;
      const dir = rel === '' ? logicalDir : `${logicalDir}/${rel}`;
      const dirInfo = await info(dir);
      if (dirInfo?.kind !== 'dir') continue;
      const entries = await readdir(dirInfo.real, { withFileTypes: true }).catch(() => []);
      entries.sort((a, b) => byCodeUnit(a.name, b.name));
      for (const entry of entries) {
        if (++visited > limits.entries || out.length >= limits.files) break;
        if (entry.name === 'node_modules') continue;
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) pending.push(child);
        // A link to a file is judged by where it leads, through the same confinement as any other path.
        else if (entry.isFile() || (entry.isSymbolicLink() && (await info(`${logicalDir}/${child}`))?.kind === 'file')) out.push(child);
      }
    }
    return out;
  }

  return {
    kind: async (logical) => (await info(logical))?.kind ?? null,
    async file(logical) {
      const found = await info(logical);
      return found?.kind === 'file' ? { real: found.real, size: found.size } : null;
    },
    async realDir(logical) {
      const found = await info(logical);
      return found?.kind === 'dir' ? found.real : null;
    },
    async read(logical) {
      const found = await info(logical);
      return found?.kind === 'file' ? readFile(found.real, 'utf8') : null;
    },
    list(logicalDir) {
      let listed = listings.get(logicalDir);
      if (!listed) listings.set(logicalDir, (listed = walk(logicalDir)));
      return listed;
    },
  };
}
