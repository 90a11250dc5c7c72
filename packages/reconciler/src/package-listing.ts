// What a package dir of the extracted store holds, for tree building. The listing is recorded
// while the package is extracted and kept in cache/listings/<digest>.json, so later processes
// read one small file instead of walking the package again. The contents of a package dir are
// a function of its tarball alone, so a recorded listing never goes stale; a missing, damaged
// or foreign file is ignored and the package walked instead.
import { readdir, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { integrityToHex } from '@spk/common';
import type { DataLayout } from './data-layout.ts';
import { readDirIfPresent, readFileIfPresent } from './read-if-present.ts';
import { writeFileAtomically } from './temp-names.ts';

/** A package's contents, relative to its directory; dirs are listed parents first. */
export interface PackageListing {
  dirs: string[];
  files: string[];
  symlinks: Array<{ path: string; target: string }>;
}

/** A path inside the package: relative, no empty, `.` or `..` segment, so joining it never leaves the dir. */
const confined = (rel: string) => rel.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
const relPath = z.string().refine(confined, 'not a path inside the package');
/** As the tar-entry policy allowed it at extraction: relative and, resolved from its own dir, inside the package. */
const linkInside = ({ path: rel, target }: { path: string; target: string }) => {
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
  return target !== '' && !target.startsWith('/') && resolved !== '..' && !resolved.startsWith('../');
};
const listingFileSchema = z.object({
  integrity: z.string(),
  dirs: z.array(relPath),
  files: z.array(relPath),
  symlinks: z.array(z.object({ path: relPath, target: z.string() }).refine(linkInside, 'a link out of the package')),
});

/** The listings dir sits beside the extracted store, so a package dir holds nothing but the package. */
export const listingsDir = (layout: DataLayout) => path.join(path.dirname(layout.extractedDir), 'listings');
const LISTING_NAME = /^[a-f0-9]{128}\.json$/;
const listingFile = (layout: DataLayout, integrity: string) => path.join(listingsDir(layout), `${integrityToHex(integrity)}.json`);

/** Records a freshly extracted package's listing; readers see the whole file or none. */
export async function writeListing(layout: DataLayout, integrity: string, listing: PackageListing): Promise<void> {
  await writeFileAtomically(listingFile(layout, integrity), JSON.stringify({ integrity, ...listing }));
}

/** The recorded listing, or null when there is none or it cannot be trusted (then walk). */
export async function readListing(layout: DataLayout, integrity: string): Promise<PackageListing | null> {
  const text = await readFileIfPresent(listingFile(layout, integrity));
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const result = listingFileSchema.safeParse(parsed);
  if (!result.success || result.data.integrity !== integrity) return null;
  const { dirs, files, symlinks } = result.data;
  return { dirs, files, symlinks };
}

/**
 * Removes the listings of packages no longer in the store (run by tree GC, which deletes package dirs). The
 * listings are read before the store, and a listing is written only after its package dir is
 * renamed in, so a listing seen here whose package is missing was not just being made.
 */
export async function sweepOrphanListings(layout: DataLayout): Promise<number> {
  const names = (await readDirIfPresent(listingsDir(layout))).filter((name) => LISTING_NAME.test(name));
  if (names.length === 0) return 0;
  const extracted = new Set(await readDirIfPresent(layout.extractedDir));
  const orphans = names.filter((name) => !extracted.has(name.slice(0, -'.json'.length)));
  await Promise.all(orphans.map((name) => rm(path.join(listingsDir(layout), name), { force: true })));
  return orphans.length;
}

/** What is on disk below `root`, by readdir (links are never followed). */
export async function walkListing(root: string): Promise<PackageListing> {
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
