// The extract-once store: each verified tarball is unpacked a single time into
// cache/extracted/<digest>/ and every tree links its files from there, so building a tree
// never decompresses anything. A package dir appears only by rename, complete and read-only,
// or not at all.
import { access, mkdir, readdir, readlink, rename } from 'node:fs/promises';
import path from 'node:path';
import type { BlobCache, BlobRef } from './blob-cache.ts';
import type { DataLayout } from './data-layout.ts';
import { safeExtract } from './safe-extract.ts';
import { removeSealed } from './sealed-dirs.ts';
import { tempName } from './temp-names.ts';

/** A package's contents, relative to its directory; dirs are listed parents first. */
export interface PackageListing {
  dirs: string[];
  files: string[];
  symlinks: Array<{ path: string; target: string }>;
}

export interface ExtractedStore {
  dir(integrity: string): string;
  /** Extracts the blob unless already done; true when it extracted now. */
  ensure(blob: BlobRef): Promise<boolean>;
  listing(integrity: string): Promise<PackageListing>;
  /** Drops the remembered listing of a package whose directory was repaired. */
  forget(integrity: string): void;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function walk(root: string): Promise<PackageListing> {
  const listing: PackageListing = { dirs: [], files: [], symlinks: [] };
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true });
    const subdirs: string[] = [];
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) subdirs.push(child);
      else if (entry.isFile()) listing.files.push(child);
      else if (entry.isSymbolicLink()) listing.symlinks.push({ path: child, target: await readlink(path.join(root, child)) });
    }
    listing.dirs.push(...subdirs);
    await Promise.all(subdirs.map(visit));
  };
  await visit('');
  return listing;
}

export function createExtractedStore(options: { layout: DataLayout; blobs: BlobCache; maxEntryBytes?: number }): ExtractedStore {
  const { layout, blobs, maxEntryBytes } = options;
  // The store is immutable once a package is renamed in, so a listing goes stale only when
  // fsck repairs a package (it calls forget).
  const listings = new Map<string, Promise<PackageListing>>();

  return {
    dir: (integrity) => layout.extractedPath(integrity),

    async ensure(blob) {
      const final = layout.extractedPath(blob.integrity);
      if (await exists(final)) return false;
      // Not remembered: an operator may delete cache/ while the process runs.
      await mkdir(layout.extractedDir, { recursive: true });
      const bytes = await blobs.read(blob);
      // The temp dir shares the final dir's parent: renaming a sealed (0555) directory into
      // another parent would need write permission on it, which only root has.
      const temp = path.join(layout.extractedDir, tempName('extract'));
      await safeExtract({ bytes, dest: temp, label: blob.label, ...(maxEntryBytes === undefined ? {} : { maxEntryBytes }) });
      try {
        await rename(temp, final);
      } catch (error) {
        await removeSealed(temp);
        // Another process finished the same package first: its copy is as good as ours.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      }
      return true;
    },

    listing(integrity) {
      let listing = listings.get(integrity);
      if (!listing) {
        listing = walk(layout.extractedPath(integrity));
        listings.set(integrity, listing);
        listing.catch(() => listings.delete(integrity));
      }
      return listing;
    },

    forget: (integrity) => void listings.delete(integrity),
  };
}
