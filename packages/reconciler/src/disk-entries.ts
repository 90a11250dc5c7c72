// What is actually on disk below a directory, for fsck: every entry by lstat (links are never
// followed), with each regular file's sha256 unless the caller already knows its bytes.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { limitConcurrency } from './map-concurrent.ts';

export type DiskEntry =
  | { kind: 'dir'; mode: number }
  /** `sha256` is null when the caller chose not to hash the file. */
  | { kind: 'file'; mode: number; size: number; inode: string; sha256: string | null }
  | { kind: 'symlink'; target: string }
  | { kind: 'other'; mode: number };

/** Keyed by path relative to the root; '' is the root itself. */
export type DiskEntries = Map<string, DiskEntry>;

/** dev:ino, which names one inode across the whole host. */
export const inodeKey = (stats: Pick<Stats, 'dev' | 'ino'>) => `${stats.dev}:${stats.ino}`;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Empty when `root` does not exist. */
export async function readDiskEntries(root: string, options: { hash?: (rel: string, stats: Stats) => boolean } = {}): Promise<DiskEntries> {
  const entries: DiskEntries = new Map();
  const wantHash = options.hash ?? (() => true);
  // At most 32 files open at once: hashing a big tree must not open every file together.
  const io = limitConcurrency(32);
  const visit = async (rel: string): Promise<void> => {
    const full = rel === '' ? root : path.join(root, rel);
    let stats: Stats;
    try {
      stats = await io(() => lstat(full));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const mode = stats.mode & 0o7777;
    if (stats.isSymbolicLink()) {
      entries.set(rel, { kind: 'symlink', target: await io(() => readlink(full)) });
    } else if (stats.isFile()) {
      const sha256 = wantHash(rel, stats) ? await io(() => sha256File(full)) : null;
      entries.set(rel, { kind: 'file', mode, size: stats.size, inode: inodeKey(stats), sha256 });
    } else if (stats.isDirectory()) {
      entries.set(rel, { kind: 'dir', mode });
      const names = await io(() => readdir(full));
      await Promise.all(names.map((name) => visit(rel === '' ? name : `${rel}/${name}`)));
    } else {
      entries.set(rel, { kind: 'other', mode });
    }
  };
  await visit('');
  return entries;
}
