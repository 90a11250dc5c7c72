// Decides, entry by entry, whether a package tarball may be unpacked: every entry must land
// inside the package directory, and nothing may be written through or over a link. Pure
// string logic (no I/O), so each rule is tested directly; safe-extract.ts only ever creates
// the paths this policy approved.
import path from 'node:path';

export const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export interface TarEntryHeader {
  path: string;
  type: string;
  linkpath?: string | undefined;
  size: number;
}

export type EntryKind = 'dir' | 'file' | 'symlink' | 'hardlink';

export type EntryVerdict =
  /** Paths are relative to the package dir, the tarball's top folder stripped. */
  | { action: 'extract'; kind: 'dir' | 'file'; path: string }
  | { action: 'extract'; kind: 'symlink'; path: string; target: string }
  | { action: 'extract'; kind: 'hardlink'; path: string; target: string }
  | { action: 'skip' }
  | { action: 'refuse'; reason: string };

export interface TarEntryPolicy {
  check(header: TarEntryHeader): EntryVerdict;
  /** Rules that need the whole archive (symlink chains); null when everything is fine. */
  finish(): { path: string; reason: string } | null;
}

const KINDS: Record<string, EntryKind> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};
const SPECIAL_FILES: Record<string, string> = {
  CharacterDevice: 'is a character device',
  BlockDevice: 'is a block device',
  FIFO: 'is a FIFO (named pipe)',
};

const isAbsolute = (p: string) => p.startsWith('/') || /^[A-Za-z]:/.test(p);

/** Why a tar path may not be used, phrased to follow "which". */
function pathProblem(raw: string): string | null {
  if (isAbsolute(raw)) return 'is absolute';
  if (raw.includes('\\')) return 'contains a backslash';
  if (raw.split('/').includes('..')) return 'contains a ".." segment';
  return null;
}

/** Drops the tarball's top folder (`package/` or whatever it is called), as npm's strip does, and empty/`.` segments. */
function packageRelative(tarPath: string): string {
  return tarPath
    .split('/')
    .slice(1)
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}

export function createTarEntryPolicy(options: { maxEntryBytes?: number } = {}): TarEntryPolicy {
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  // Every path placed so far (directories implied by deeper entries included).
  const placed = new Map<string, EntryKind>();
  const symlinks = new Map<string, string>();

  /** Every ancestor must be a directory (or not exist yet): never a link, never a file. */
  const parentProblem = (rel: string): string | null => {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const kind = placed.get(prefix);
      if (kind === 'symlink') return `through the symbolic link "${prefix}"`;
      if (kind === 'file' || kind === 'hardlink') return `below "${prefix}", which is a file`;
    }
    return null;
  };
  const placeParents = (rel: string) => {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) placed.set(parts.slice(0, i).join('/'), 'dir');
  };

  const symlinkProblem = (rel: string, target: string): string | null => {
    if (target === '') return 'is a symbolic link with an empty target';
    if (isAbsolute(target)) return `is a symbolic link to the absolute path "${target}"`;
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
    if (resolved === '..' || resolved.startsWith('../')) return `is a symbolic link to "${target}", which resolves outside the package`;
    return null;
  };

  const hardLinkTarget = (target: string): { reason: string } | { target: string } => {
    const problem = pathProblem(target);
    if (problem) return { reason: `is a hard link to "${target}", which ${problem}` };
    const rel = packageRelative(target);
    const kind = placed.get(rel);
    // Only a regular file placed earlier in this archive: never a link, a directory or anything outside.
    if (kind !== 'file' && kind !== 'hardlink') return { reason: `is a hard link to "${target}", which is not a regular file earlier in the archive` };
    return { target: rel };
  };

  return {
    check(header) {
      const problem = pathProblem(header.path);
      if (problem) return { action: 'refuse', reason: `has a path which ${problem}` };
      const rel = packageRelative(header.path);
      // The top folder itself, or a stray file beside it: nothing to place in the package.
      if (rel === '') return { action: 'skip' };

      const special = SPECIAL_FILES[header.type];
      if (special) return { action: 'refuse', reason: special };
      const kind = KINDS[header.type];
      if (!kind) return { action: 'refuse', reason: `has the unsupported entry type ${header.type}` };
      if (header.size > maxEntryBytes) {
        return { action: 'refuse', reason: `is ${header.size} bytes, over the limit of ${maxEntryBytes} bytes per entry` };
      }
      const parent = parentProblem(rel);
      if (parent) return { action: 'refuse', reason: `would be written ${parent}` };
      const existing = placed.get(rel);
      if (existing !== undefined && !(existing === 'dir' && kind === 'dir')) {
        return { action: 'refuse', reason: 'appears more than once in the archive (it would replace an earlier entry)' };
      }

      let verdict: EntryVerdict;
      if (kind === 'symlink') {
        const target = header.linkpath ?? '';
        const reason = symlinkProblem(rel, target);
        if (reason) return { action: 'refuse', reason };
        symlinks.set(rel, target);
        verdict = { action: 'extract', kind, path: rel, target };
      } else if (kind === 'hardlink') {
        const link = hardLinkTarget(header.linkpath ?? '');
        if ('reason' in link) return { action: 'refuse', reason: link.reason };
        verdict = { action: 'extract', kind, path: rel, target: link.target };
      } else {
        verdict = { action: 'extract', kind, path: rel };
      }
      placeParents(rel);
      placed.set(rel, kind);
      return verdict;
    },

    finish() {
      // Each link was checked lexically against its own (real) directory. That is only exact
      // if its target never climbs ("..") after passing through another symlink, whose real
      // location may be shallower than its name suggests. Refuse that shape outright.
      for (const [rel, target] of symlinks) {
        const parts = path.posix.dirname(rel).split('/').filter((p) => p !== '.');
        let crossedLink: string | null = null;
        for (const segment of target.split('/')) {
          if (segment === '' || segment === '.') continue;
          if (segment === '..') {
            if (crossedLink) return { path: rel, reason: `is a symbolic link to "${target}", which climbs out of the symbolic link "${crossedLink}"` };
            parts.pop();
            continue;
          }
          parts.push(segment);
          const joined = parts.join('/');
          if (symlinks.has(joined)) crossedLink = joined;
        }
      }
      return null;
    },
  };
}
