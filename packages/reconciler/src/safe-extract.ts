// Unpacks one verified package tarball into a fresh directory. The tar-entry reader checks
// every entry against the policy before anything is written, and this module only ever
// creates the paths the policy approved (each directory once, files with O_EXCL), so nothing
// is written through a link or outside the directory. A refusal is an error, never a silent
// skip; on any failure the directory is removed, so a partial package never survives. A
// finished package is read-only: files 0444 (0555 if executable), directories sealed 0555.
import { chmod, link, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReadEntry } from 'tar';
import { SpkError } from '@spk/common';
import { mapConcurrent } from './map-concurrent.ts';
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

export async function safeExtract({ bytes, dest, label, maxEntryBytes }: SafeExtractOptions): Promise<void> {
  await mkdir(dest);
  const within = (rel: string) => path.join(dest, rel);
  const dirs = new Map<string, Promise<unknown>>([['', Promise.resolve()]]);
  const ensureDir = (rel: string): Promise<unknown> => {
    let made = dirs.get(rel);
    if (!made) {
      const parent = path.posix.dirname(rel);
      made = ensureDir(parent === '.' ? '' : parent).then(() => mkdir(within(rel), 0o755));
      dirs.set(rel, made);
    }
    return made;
  };
  const parentOf = (rel: string) => ensureDir(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel));
  const files = new Map<string, Promise<unknown>>();
  const writes: Array<Promise<unknown>> = [];

  const onEntry = (verdict: AllowedEntry, entry: ReadEntry) => {
    if (verdict.kind === 'dir') return writes.push(ensureDir(verdict.path));
    if (verdict.kind === 'symlink') return writes.push(parentOf(verdict.path).then(() => symlink(verdict.target, within(verdict.path))));
    if (verdict.kind === 'hardlink') {
      const linked = Promise.all([parentOf(verdict.path), files.get(verdict.target)]).then(() => link(within(verdict.target), within(verdict.path)));
      files.set(verdict.path, linked);
      return writes.push(linked);
    }
    const chunks: Buffer[] = [];
    entry.on('data', (chunk: Buffer) => chunks.push(chunk));
    const written = new Promise<void>((resolve) => entry.on('end', resolve)).then(async () => {
      await parentOf(verdict.path);
      await writeFile(within(verdict.path), Buffer.concat(chunks), { flag: 'wx', mode: storeFileMode(entry.mode) });
    });
    files.set(verdict.path, written);
    writes.push(written);
  };

  try {
    // A refused or damaged tarball throws here; the catch below lets started writes settle first.
    await readTarEntries({ bytes, label, maxEntryBytes, refusalPrefix: `refusing to extract ${label}`, onEntry });
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw new SpkError('INTERNAL', `extracting ${label} failed: ${(failed.reason as Error).message}`, { package: label }, { cause: failed.reason });
    await mapConcurrent([...dirs.keys()], 16, (rel) => chmod(within(rel), SEALED_DIR_MODE));
  } catch (error) {
    await Promise.allSettled(writes);
    await removeSealed(dest);
    throw error;
  }
}
