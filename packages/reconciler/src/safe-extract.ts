// Unpacks one verified package tarball into a fresh directory. The tar-entry reader checks
// every entry against the policy before anything is written, and this module only ever
// creates the paths the policy approved (each directory once, files with O_EXCL), so nothing
// is written through a link or outside the directory. A refusal is an error, never a silent
// skip; on any failure the directory is removed, so a partial package never survives. A
// finished package is read-only: files 0444 (0555 if executable), directories sealed 0555.
// Every entry's write starts as soon as the reader passes it and runs in the thread pool
// alongside the others; only a file's wait for its own parent directory orders anything.
import { chmod, link, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { ReadEntry } from 'tar';
import { SpkError } from '@spk/common';
import { createFile } from './create-file.ts';
import { mapConcurrent } from './map-concurrent.ts';
import type { PackageListing } from './package-listing.ts';
import { removeSealed, SEALED_DIR_MODE } from './sealed-dirs.ts';
import { readTarEntries, type AllowedEntry } from './tar-entries.ts';

export interface SafeExtractOptions {
  bytes: Uint8Array;
  /** Must not exist yet; created here. */
  dest: string;
  /** `name@version`, for messages. */
  label: string;
  maxEntryBytes?: number;
}

// Store files are shared by every tree through hard links, so nobody may write them; packages
// never need setuid/setgid/sticky bits either. Only the exec bit survives from the tarball.
export const READ_ONLY_FILE = 0o444;
export const READ_ONLY_EXECUTABLE = 0o555;
const storeFileMode = (mode: number | undefined) => ((mode ?? 0) & 0o111 ? READ_ONLY_EXECUTABLE : READ_ONLY_FILE);
const parentDir = (rel: string) => {
  const slash = rel.lastIndexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
};

/** Resolves to what was extracted (the same listing a walk of `dest` would give). */
export async function safeExtract({ bytes, dest, label, maxEntryBytes }: SafeExtractOptions): Promise<PackageListing> {
  await mkdir(dest);
  const listing: PackageListing = { dirs: [], files: [], symlinks: [] };
  const within = (rel: string) => path.join(dest, rel);
  const dirs = new Map<string, Promise<unknown>>([['', Promise.resolve()]]);
  // Parents are made (and listed) before their children, each exactly once.
  const ensureDir = (rel: string): Promise<unknown> => {
    let made = dirs.get(rel);
    if (!made) {
      made = ensureDir(parentDir(rel)).then(() => mkdir(within(rel), 0o755));
      dirs.set(rel, made);
      listing.dirs.push(rel);
    }
    return made;
  };
  // A file is written once its body has been read; if reading stops first (a refusal, an
  // archive cut off mid-entry), the body never ends and its write must give up instead.
  let stopReading!: (error: unknown) => void;
  const readingStopped = new Promise<never>((_, reject) => (stopReading = reject));
  readingStopped.catch(() => undefined);
  const files = new Map<string, Promise<unknown>>();
  const writes: Array<Promise<unknown>> = [];
  const started = (rel: string, write: Promise<unknown>) => {
    files.set(rel, write);
    writes.push(write);
  };

  const onEntry = (verdict: AllowedEntry, entry: ReadEntry) => {
    const rel = verdict.path;
    if (verdict.kind === 'dir') {
      writes.push(ensureDir(rel));
    } else if (verdict.kind === 'symlink') {
      listing.symlinks.push({ path: rel, target: verdict.target });
      writes.push(ensureDir(parentDir(rel)).then(() => symlink(verdict.target, within(rel))));
    } else if (verdict.kind === 'hardlink') {
      listing.files.push(rel);
      started(rel, Promise.all([ensureDir(parentDir(rel)), files.get(verdict.target)]).then(() => link(within(verdict.target), within(rel))));
    } else {
      listing.files.push(rel);
      // Kept as the reader hands them over (slices of the decompressed archive), written in one writev.
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      const body = Promise.race([new Promise<void>((resolve) => entry.on('end', resolve)), readingStopped]);
      const mode = storeFileMode(entry.mode);
      started(rel, Promise.all([body, ensureDir(parentDir(rel))]).then(() => createFile(within(rel), chunks, mode)));
    }
  };

  try {
    // A refused or damaged tarball throws here; the catch below lets started writes settle first.
    await readTarEntries({ bytes, label, maxEntryBytes, refusalPrefix: `refusing to extract ${label}`, onEntry });
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw new SpkError('INTERNAL', `extracting ${label} failed: ${(failed.reason as Error).message}`, { package: label }, { cause: failed.reason });
    // mapConcurrent lets every started chmod settle before a failure reaches the cleanup below.
    await mapConcurrent([...dirs.keys()], 64, (rel) => chmod(within(rel), SEALED_DIR_MODE));
    return listing;
  } catch (error) {
    stopReading(error);
    await Promise.allSettled(writes);
    await removeSealed(dest);
    throw error;
  }
}
