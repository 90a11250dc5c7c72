// What a host's trees and package cache take on disk: the sizes of the files below the given
// directories, each inode counted once, since a tree's files are mostly hard links into the
// extracted store and counting every link would report many times the real usage.
import { readDiskEntries } from '../disk-entries.ts';

export async function measureDiskBytes(roots: readonly string[]): Promise<number> {
  const seen = new Set<string>();
  let bytes = 0;
  for (const root of roots) {
    for (const entry of (await readDiskEntries(root, { hash: () => false })).values()) {
      if (entry.kind !== 'file' || seen.has(entry.inode)) continue;
      seen.add(entry.inode);
      bytes += entry.size;
    }
  }
  return bytes;
}
