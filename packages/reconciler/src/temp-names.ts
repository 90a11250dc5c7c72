// Unique scratch names that carry the owning pid, so leftovers of a crashed process can be
// told apart from work another live process is still doing, and swept safely.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { removeSealed } from './sealed-dirs.ts';
import { isProcessAlive } from './process-liveness.ts';

const TEMP_PATTERN = /\.tmp-(\d+)-[a-f0-9]+$/;

export function tempName(prefix: string): string {
  return `${prefix}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

const isAlive = (pid: number) => pid === process.pid || isProcessAlive(pid);

/** Removes temp entries in `dir` whose owning process is gone. Returns how many were removed. */
export async function sweepStaleTemps(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const stale = names.filter((name) => {
    const match = TEMP_PATTERN.exec(name);
    return match !== null && !isAlive(Number(match[1]));
  });
  // A crashed extraction may have sealed its temp dir already.
  await Promise.all(stale.map((name) => removeSealed(path.join(dir, name))));
  return stale.length;
}
