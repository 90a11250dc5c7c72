// The extract-once store: each verified tarball is unpacked a single time into
// cache/extracted/<digest>/ and every tree links its files from there, so building a tree
// never decompresses anything. A package dir appears only by rename, complete and read-only,
// or not at all. Its listing is recorded during extraction (and kept on disk, see
// package-listing.ts), so tree building needs no walk of the store.
import { access, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { BlobCache, BlobRef } from './blob-cache.ts';
import type { DataLayout } from './data-layout.ts';
import { listingsDir, readListing, walkListing, writeListing, type PackageListing } from './package-listing.ts';
import { safeExtract } from './safe-extract.ts';
import { removeSealed } from './sealed-dirs.ts';
import { tempName } from './temp-names.ts';

export type { PackageListing } from './package-listing.ts';

export interface ExtractedStore {
  dir(integrity: string): string;
  /**
   * Extracts the blob unless already done; true when it extracted now. `verified` are the
   * blob's bytes, already checked against its integrity (e.g. just downloaded); without them
   * the blob is read from the blob cache, which verifies it again.
   */
  ensure(blob: BlobRef, verified?: Buffer): Promise<boolean>;
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

export function createExtractedStore(options: { layout: DataLayout; blobs: BlobCache; maxEntryBytes?: number }): ExtractedStore {
  const { layout, blobs, maxEntryBytes } = options;
  // The store is immutable once a package is renamed in, so a listing goes stale only when
  // fsck repairs a package (it calls forget).
  const listings = new Map<string, Promise<PackageListing>>();
  // One extraction per package at a time, whoever asks (a download finishing, the tree build).
  const extracting = new Map<string, Promise<boolean>>();
  const dir = (integrity: string) => layout.extractedPath(integrity);

  const extract = async (blob: BlobRef, verified: Buffer | undefined): Promise<boolean> => {
    const final = dir(blob.integrity);
    if (await exists(final)) return false;
    // Not remembered: an operator may delete cache/ while the process runs.
    await Promise.all([mkdir(layout.extractedDir, { recursive: true }), mkdir(listingsDir(layout), { recursive: true })]);
    const bytes = verified ?? (await blobs.read(blob));
    // The temp dir shares the final dir's parent: renaming a sealed (0555) directory into
    // another parent would need write permission on it, which only root has.
    const temp = path.join(layout.extractedDir, tempName('extract'));
    const listing = await safeExtract({ bytes, dest: temp, label: blob.label, ...(maxEntryBytes === undefined ? {} : { maxEntryBytes }) });
    try {
      await rename(temp, final);
    } catch (error) {
      await removeSealed(temp);
      // Another process finished the same package first: its copy is as good as ours.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
    // Either copy came from the same verified tarball, so this listing describes it.
    listings.set(blob.integrity, Promise.resolve(listing));
    await writeListing(layout, blob.integrity, listing);
    return true;
  };

  const load = async (integrity: string): Promise<PackageListing> =>
    (await readListing(layout, integrity)) ?? walkListing(dir(integrity));

  return {
    dir,

    ensure(blob, verified) {
      let running = extracting.get(blob.integrity);
      if (!running) {
        running = extract(blob, verified).finally(() => extracting.delete(blob.integrity));
        extracting.set(blob.integrity, running);
      }
      return running;
    },

    listing(integrity) {
      let listing = listings.get(integrity);
      if (!listing) {
        listing = load(integrity);
        listings.set(integrity, listing);
        listing.catch(() => listings.delete(integrity));
      }
      return listing;
    },

    forget: (integrity) => void listings.delete(integrity),
  };
}
