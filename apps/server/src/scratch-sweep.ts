// Install scratch dirs (`<data dir>/tmp/install-*`) are removed by the installer on every exit path
// except a killed process. At start, holding the data-dir lock, nothing can still be using them.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const INSTALL_SCRATCH_PREFIX = 'install-';

/** Removes leftover install scratch dirs; returns how many there were. */
export async function sweepInstallScratch(dataDir: string): Promise<number> {
  const root = path.join(dataDir, 'tmp');
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const stale = names.filter((name) => name.startsWith(INSTALL_SCRATCH_PREFIX));
  for (const name of stale) await rm(path.join(root, name), { recursive: true, force: true });
  return stale.length;
}
