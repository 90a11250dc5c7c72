// What a package directory extracted from a tarball must contain, read from the tarball
// without writing anything: every path the extraction policy lets through, with each file's
// sha256 and exec bit. fsck compares the extracted store against this, entry for entry.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ReadEntry } from 'tar';
import { readTarEntries, type AllowedEntry } from './tar-entries.ts';

export type ExpectedEntry =
  | { kind: 'dir' }
  | { kind: 'file'; size: number; sha256: string; executable: boolean }
  | { kind: 'symlink'; target: string };

/** Keyed by path relative to the package dir; '' is the package dir itself. */
export type PackageContents = Map<string, ExpectedEntry>;

export interface TarballContents {
  contents: PackageContents;
  /** `name@version` from the tarball's package.json, when it has a readable one. */
  label: string | null;
}

function labelOf(packageJson: Buffer | null): string | null {
  try {
    const { name, version } = JSON.parse(packageJson?.toString('utf8') ?? 'null') as { name?: unknown; version?: unknown };
    return typeof name === 'string' && typeof version === 'string' ? `${name}@${version}` : null;
  } catch {
    return null;
  }
}

export async function readTarballContents(options: { bytes: Uint8Array; label: string; maxEntryBytes?: number }): Promise<TarballContents> {
  const { bytes, label, maxEntryBytes } = options;
  const contents: PackageContents = new Map([['', { kind: 'dir' }]]);
  const addParents = (rel: string) => {
    for (let dir = path.posix.dirname(rel); dir !== '.' && !contents.has(dir); dir = path.posix.dirname(dir)) contents.set(dir, { kind: 'dir' });
  };
  let packageJson: Buffer | null = null;

  const onEntry = (allowed: AllowedEntry, entry: ReadEntry) => {
    addParents(allowed.path);
    if (allowed.kind === 'dir') contents.set(allowed.path, { kind: 'dir' });
    else if (allowed.kind === 'symlink') contents.set(allowed.path, { kind: 'symlink', target: allowed.target });
    // Extraction makes a hard link, so the path holds exactly the target's bytes and mode.
    else if (allowed.kind === 'hardlink') contents.set(allowed.path, contents.get(allowed.target)!);
    else {
      const hash = createHash('sha256');
      let size = 0;
      const executable = ((entry.mode ?? 0) & 0o111) !== 0;
      const keep: Buffer[] | null = allowed.path === 'package.json' ? [] : null;
      entry.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        keep?.push(chunk);
      });
      // Set now, filled in at the end of the body: a later hard link to it shares this object.
      const file = { kind: 'file' as const, size: 0, sha256: '', executable };
      contents.set(allowed.path, file);
      entry.on('end', () => {
        Object.assign(file, { size, sha256: hash.digest('hex') });
        if (keep) packageJson = Buffer.concat(keep);
      });
    }
  };

  await readTarEntries({ bytes, label, maxEntryBytes, refusalPrefix: `the tarball of ${label} is refused`, onEntry });
  return { contents, label: labelOf(packageJson) };
}
