// Unique scratch names that carry the owning pid, so leftovers of a crashed process can be
// told apart from work another live process is still doing, and swept safely; and the one way
// a small file is replaced whole through such a name.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeSealed } from './sealed-dirs.ts';
import { isProcessAlive } from './process-liveness.ts';
import { readDirIfPresent } from './read-if-present.ts';

const TEMP_PATTERN = /\.tmp-(\d+)-[a-f0-9]+$/;

export function tempName(prefix: string): string {
  return `${prefix}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Replaces `file` with `text` through a temp file beside it and a rename: readers see the old content or the new, never part of it. */
export async function writeFileAtomically(file: string, text: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  const temp = tempName(file);
  try {
    await writeFile(temp, text, options.mode === undefined ? {} : { mode: options.mode });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

const isAlive = (pid: number) => pid === process.pid || isProcessAlive(pid);

/** Temp entries in `dir` whose owning process is gone, with that process's pid. */
async function staleTemps(dir: string): Promise<Array<{ name: string; pid: number }>> {
  const names = await readDirIfPresent(dir);
  return names.flatMap((name) => {
    const match = TEMP_PATTERN.exec(name);
    return match !== null && !isAlive(Number(match[1])) ? [{ name, pid: Number(match[1]) }] : [];
  });
}

/** The pids of the dead processes that left temp entries in `dir`. */
export async function staleTempOwners(dir: string): Promise<Set<number>> {
  return new Set((await staleTemps(dir)).map((temp) => temp.pid));
}

/** Removes temp entries in `dir` whose owning process is gone. Returns how many were removed. */
export async function sweepStaleTemps(dir: string): Promise<number> {
  const stale = await staleTemps(dir);
  // A crashed extraction may have sealed its temp dir already.
  await Promise.all(stale.map(({ name }) => removeSealed(path.join(dir, name))));
  return stale.length;
}
