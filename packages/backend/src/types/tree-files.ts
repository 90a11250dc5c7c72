// Confined reads of a materialized tree for the type closure. Callers speak in logical tree paths
// (`node_modules/a/index.d.ts`, what editors are served); a file is read only when its real path
// lies inside one of the allowed roots (the tree, and the extracted store that linked-packages
// trees point into). A link planted to point anywhere else reads as absent.
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type EntryKind = 'file' | 'dir';

interface EntryInfo {
  kind: EntryKind;
  real: string;
  size: number;
}

export interface TreeFiles {
  /** What a logical path is, or null when absent, unreadable or outside the allowed roots. */
  kind(logical: string): Promise<EntryKind | null>;
  /** Byte size of a file (null when `kind` is not 'file'). */
  size(logical: string): Promise<number | null>;
  /** A file's text, or null when `kind` is not 'file'. */
  read(logical: string): Promise<string | null>;
  /** Files below a logical dir (paths relative to it), not descending into nested node_modules. */
  list(logicalDir: string): Promise<string[]>;
}

/** Bound on the entries one directory walk visits: a pattern never turns into a scan of a huge package. */
export const MAX_LISTED_ENTRIES = 20_000;

/** A logical tree path: relative, normalized, under node_modules/. Anything else is refused outright. */
export function isLogicalTreePath(logical: string): boolean {
  return (logical === 'node_modules' || logical.startsWith('node_modules/')) && path.posix.normalize(logical) === logical && !logical.endsWith('/');
}

function inside(real: string, root: string): boolean {
  return real === root || real.startsWith(`${root}${path.sep}`);
}

export function createTreeFiles(treeDir: string, allowedRoots: readonly string[]): TreeFiles {
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
    while (pending.length > 0 && visited < MAX_LISTED_ENTRIES) {
      const rel = pending.shift()!;
      const dir = rel === '' ? logicalDir : `${logicalDir}/${rel}`;
      const dirInfo = await info(dir);
      if (dirInfo?.kind !== 'dir') continue;
      const entries = await readdir(dirInfo.real, { withFileTypes: true }).catch(() => []);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (++visited > MAX_LISTED_ENTRIES) break;
        if (entry.name === 'node_modules') continue;
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
        // Links are judged by where they lead, through the same confinement as any other path.
        const kind = entry.isSymbolicLink() ? (await info(`${logicalDir}/${child}`))?.kind : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : undefined;
        if (kind === 'dir') pending.push(child);
        else if (kind === 'file') out.push(child);
      }
    }
    return out;
  }

  return {
    kind: async (logical) => (await info(logical))?.kind ?? null,
    async size(logical) {
      const found = await info(logical);
      return found?.kind === 'file' ? found.size : null;
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
