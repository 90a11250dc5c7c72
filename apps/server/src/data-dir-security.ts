// The data dir holds the embedded database, the admin token and install scratch space, so it is
// private to the server's user: enforced at every start whatever the umask, which also repairs a
// data dir left open by an older version (PGlite copies its initial files in with mode 0666).
import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_TOKEN_FILE, SpkError } from '@spk/common';
import { LOCK_FILE } from './data-dir-lock.ts';

export interface DataDirModeOptions {
  /**
   * Data dir 0711 instead of 0700: another user (scripts run as a dedicated unprivileged user) may
   * pass through to paths it is told about, never list the dir; everything private stays 0700/0600.
   */
  traversable?: boolean;
}

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** Private whatever they hold. trees/ and cache/ are not here: their files are sealed read-only by the reconciler. */
const PRIVATE_TREES = ['pglite', 'tmp'];
const PRIVATE_FILES = [ADMIN_TOKEN_FILE, LOCK_FILE];
const PRIVATE_DIRS_ONLY = ['blobs'];

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Creates the data dir if needed and gives it its mode; call before anything is written into it. */
export async function prepareDataDir(dataDir: string, options: DataDirModeOptions = {}): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR });
  const info = await stat(dataDir);
  if (!info.isDirectory()) {
    throw new SpkError('DATA_DIR_UNUSABLE', `SPK_DATA_DIR ${dataDir} is not a directory; point it at a directory of its own`);
  }
  // A sticky-bit directory is shared by design (/tmp): making it private would break every other user.
  if (info.mode & 0o1000) {
    throw new SpkError('DATA_DIR_UNUSABLE', `SPK_DATA_DIR ${dataDir} is a shared directory (sticky bit set, like /tmp); point it at a directory of its own, e.g. ${path.join(dataDir, 'spk')}`);
  }
  try {
    await chmod(dataDir, options.traversable ? 0o711 : PRIVATE_DIR);
  } catch (error) {
    if (errnoOf(error) !== 'EPERM') throw error;
    throw new SpkError('DATA_DIR_UNUSABLE', `cannot make the data dir ${dataDir} private: it belongs to another user; chown it to the user the server runs as, or set SPK_DATA_DIR to a directory of that user`);
  }
}

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
