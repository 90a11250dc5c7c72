// Checks one package dir of the extracted store against its tarball and repairs it in place:
// each differing path is replaced by rename from a fresh extraction in the same parent, so the
// package dir never disappears (linked-packages trees point straight at it) and every path is
// either the old or the new entry. Only damaged paths get new inodes; trees that hard-link
// those are relinked by the caller.
import { chmod, lstat, rename } from 'node:fs/promises';
import path from 'node:path';
import { diffContents, type Difference } from './contents-diff.ts';
import { readDiskEntries, type DiskEntries } from './disk-entries.ts';
import { READ_ONLY_EXECUTABLE } from './safe-extract.ts';
import { removeSealed, sealDirs, unsealDirs } from './sealed-dirs.ts';
import type { PackageContents } from './tarball-contents.ts';

export interface StoreEntryState {
  disk: DiskEntries;
  differences: Difference[];
}

export async function inspectStoreEntry(dir: string, contents: PackageContents): Promise<StoreEntryState> {
  const disk = await readDiskEntries(dir);
  // Sealed: no write bit for anybody, on files and directories alike.
  return { disk, differences: diffContents(contents, disk, { dirWriteMask: 0o222 }) };
}

/**
 * `fresh` is a complete, sealed extraction of the same tarball in the same parent dir as
 * `dir`; it is consumed (moved from, then removed).
 */
export async function repairStoreEntry(dir: string, fresh: string, state: StoreEntryState): Promise<void> {
  const root = state.differences.find((difference) => difference.file === '' && difference.kind !== 'mode');
  if (root) {
    // The package dir itself is gone or is not a directory: put the whole fresh one there.
    if (state.disk.has('')) await removeSealed(dir);
    await rename(fresh, dir);
    return;
  }
  await Promise.all([unsealDirs(fresh), unsealDirs(dir)]);
  try {
    for (const { file, kind } of state.differences) {
      const target = path.join(dir, file);
      const source = path.join(fresh, file);
      const old = state.disk.get(file);
      if (kind === 'unexpected') {
        await removeSealed(target);
        continue;
      }
      if (kind === 'type') await removeSealed(target);
      // A directory's own mode: sealing below fixes it.
      else if (old?.kind === 'dir') continue;
      // Keep the read and exec bits the old file had (a tree marks bin targets executable, a
      // run user may have been given read access), never its write or special bits.
      if (kind !== 'type' && old?.kind === 'file') await chmod(source, ((await lstat(source)).mode | old.mode) & READ_ONLY_EXECUTABLE);
      await rename(source, target);
    }
  } finally {
    await sealDirs(dir);
    await removeSealed(fresh);
  }
}
