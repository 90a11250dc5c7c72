// fsck's first half: every package of the extracted store (and of the current tree's manifest)
// against a fresh, write-free read of its tarball, the tarball itself re-verified first and
// fetched again through `fetchBlob` when the cached copy is missing or corrupt. It remembers
// what the tree checks need: each package's expected contents, which store inodes are sound,
// and which were damaged (trees hard-linking those must be relinked).
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { isSpkError, type FsckProblem } from '@spk/common';
import type { BlobCache, BlobSource } from './blob-cache.ts';
import type { Difference } from './contents-diff.ts';
import type { DataLayout } from './data-layout.ts';
import type { ExtractedStore } from './extracted-store.ts';
import { mapConcurrent } from './map-concurrent.ts';
import { safeExtract } from './safe-extract.ts';
import { inspectStoreEntry, repairStoreEntry } from './store-repair.ts';
import { readTarballContents, type PackageContents, type TarballContents } from './tarball-contents.ts';
import { tempName } from './temp-names.ts';
import type { DamagedStoreFile } from './tree-repair.ts';

export interface StoreCheckOptions {
  layout: DataLayout;
  blobs: BlobCache;
  store: ExtractedStore;
  fetchBlob(integrity: string): Promise<BlobSource>;
  maxEntryBytes?: number;
  repair: boolean;
}

export interface StoreCheck {
  damaged: FsckProblem[];
  packages: number;
  files: number;
  contents: Map<string, PackageContents>;
  /** integrity -> path in the package -> inode, for store files that hold the right bytes now. */
  soundInodes: Map<string, Map<string, string>>;
  /** inode -> store file, for store files found damaged. */
  damagedInodes: Map<string, DamagedStoreFile>;
  /** `integrity\0file` of damaged store files that were repaired. */
  repairedFiles: Set<string>;
}

export const fileCount = (entries: ReadonlyMap<string, { kind: string }>) => [...entries.values()].filter((entry) => entry.kind === 'file').length;

export function fsckProblem(
  integrity: string,
  label: string,
  fields: Pick<FsckProblem, 'location' | 'file' | 'kind' | 'problem'>,
  lockfileHash: string | null = null,
): FsckProblem {
  return { package: label, integrity, lockfileHash, repaired: false, ...fields };
}

/** After a repair, a problem counts as repaired when its path no longer differs. */
export function markRepaired(found: FsckProblem[], left: readonly Difference[]): void {
  const still = new Set(left.map((difference) => difference.file));
  for (const each of found) each.repaired = !still.has(each.file);
}

/** `labels` names the packages of the current manifest; others are named from their package.json. */
export async function checkStore(options: StoreCheckOptions, integrities: readonly string[], labels: ReadonlyMap<string, string>): Promise<StoreCheck> {
  const { layout, blobs, store, repair } = options;
  const maxEntryBytes = options.maxEntryBytes === undefined ? {} : { maxEntryBytes: options.maxEntryBytes };
  const result: StoreCheck = { damaged: [], packages: 0, files: 0, contents: new Map(), soundInodes: new Map(), damagedInodes: new Map(), repairedFiles: new Set() };

  /** The verified tarball; null (and a problem recorded) when it cannot be had. */
  async function verifiedBlob(integrity: string, label: string): Promise<Buffer | null> {
    let corrupt: FsckProblem | null = null;
    try {
      return await blobs.read({ integrity, label });
    } catch (error) {
      if (!isSpkError(error, 'INTEGRITY_MISMATCH') && !isSpkError(error, 'BLOB_MISSING')) throw error;
      if (isSpkError(error, 'INTEGRITY_MISMATCH')) {
        corrupt = fsckProblem(integrity, label, { location: 'blob', file: '', kind: 'blob', problem: 'the cached tarball does not match its integrity; it was discarded' });
        result.damaged.push(corrupt);
      }
    }
    try {
      await blobs.store({ integrity, label }, await options.fetchBlob(integrity));
      const bytes = await blobs.read({ integrity, label });
      if (corrupt) corrupt.repaired = true;
      return bytes;
    } catch (error) {
      const problem = `cannot be checked: its tarball is not cached and fetching it failed: ${(error as Error).message}`;
      result.damaged.push(fsckProblem(integrity, label, { location: 'store', file: '', kind: 'unverifiable', problem }));
      return null;
    }
  }

  async function checkPackage(integrity: string): Promise<void> {
    const known = labels.get(integrity) ?? integrity;
    const bytes = await verifiedBlob(integrity, known);
    if (!bytes) return;
    let read: TarballContents;
    try {
      read = await readTarballContents({ bytes, label: known, ...maxEntryBytes });
    } catch (error) {
      result.damaged.push(fsckProblem(integrity, known, { location: 'store', file: '', kind: 'unverifiable', problem: (error as Error).message }));
      return;
    }
    const label = labels.get(integrity) ?? read.label ?? integrity;
    result.contents.set(integrity, read.contents);
    result.packages++;
    result.files += fileCount(read.contents);

    const dir = layout.extractedPath(integrity);
    let state = await inspectStoreEntry(dir, read.contents);
    const found = state.differences.map((difference) => fsckProblem(integrity, label, { location: 'store', ...difference }));
    for (const { file } of state.differences) {
      const entry = state.disk.get(file);
      if (entry?.kind === 'file') result.damagedInodes.set(entry.inode, { integrity, label, file });
    }
    if (repair && found.length > 0) {
      const fresh = path.join(layout.extractedDir, tempName('fsck'));
      await safeExtract({ bytes, dest: fresh, label, ...maxEntryBytes });
      await repairStoreEntry(dir, fresh, state);
      store.forget(integrity);
      state = await inspectStoreEntry(dir, read.contents);
      markRepaired(found, state.differences);
      for (const each of found) if (each.repaired) result.repairedFiles.add(`${integrity}\0${each.file}`);
    }
    result.damaged.push(...found);

    const bad = new Set(state.differences.map((difference) => difference.file));
    const sound = new Map<string, string>();
    for (const [rel, entry] of state.disk) if (entry.kind === 'file' && !bad.has(rel)) sound.set(rel, entry.inode);
    result.soundInodes.set(integrity, sound);
  }

  // Hashing and gunzip are CPU work: one package per core.
  await mapConcurrent(integrities, availableParallelism(), checkPackage);
  return result;
}
