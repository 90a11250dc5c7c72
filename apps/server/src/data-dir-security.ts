// What a core's data dir holds beside trees (the embedded database, the admin token, install
// scratch space) is private to the server's user: enforced at every start, after the database
// opened (PGlite copies its initial files in with mode 0666). The dir itself: prepareDataDir.
import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_TOKEN_FILE } from '@spk/common';
import { dataDirLockFile } from '@spk/reconciler';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** Private whatever they hold. trees/ and cache/ are not here: their files are sealed read-only by the reconciler. */
// The packument cache may hold private packages' documents: owner-only, files included.
const PRIVATE_TREES = ['pglite', 'tmp', 'packument-cache'];
const PRIVATE_FILES = [ADMIN_TOKEN_FILE, dataDirLockFile('server')];
const PRIVATE_DIRS_ONLY = ['blobs'];

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Gives everything secret in the data dir owner-only modes. Symlinks are never followed. */
export async function securePrivateContents(dataDir: string): Promise<void> {
  for (const name of PRIVATE_TREES) await privateTree(path.join(dataDir, name));
  for (const name of PRIVATE_FILES) await chmodIfPresent(path.join(dataDir, name), PRIVATE_FILE);
  for (const name of PRIVATE_DIRS_ONLY) await chmodIfPresent(path.join(dataDir, name), PRIVATE_DIR);
}

async function chmodIfPresent(file: string, mode: number): Promise<void> {
  try {
    if ((await lstat(file)).isSymbolicLink()) return;
    await chmod(file, mode);
  } catch (error) {
    // The database may remove a file while we walk; a missing file needs no mode.
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
}

async function privateTree(dir: string): Promise<void> {
  let entries;
  try {
    if ((await lstat(dir)).isSymbolicLink()) return;
    await chmod(dir, PRIVATE_DIR);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await privateTree(full);
    else if (entry.isFile()) await chmodIfPresent(full, PRIVATE_FILE);
  }
}
