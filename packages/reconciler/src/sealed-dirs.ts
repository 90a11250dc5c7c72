// Read-only ("sealed") directories of the extracted store. A package dir is sealed (0555)
// before the rename that publishes it, so nothing can be added to, removed from or renamed in
// it afterwards without first changing modes. Removing or repairing such a tree needs its
// directories writable again: a non-root process cannot unlink entries of a 0555 directory.
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent } from './map-concurrent.ts';

export const SEALED_DIR_MODE = 0o555;
const OPEN_DIR_MODE = 0o755;

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Every real directory at and below `root`, parents first; symlinks are never followed. */
async function realDirsBelow(root: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    found.push(dir);
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(entries.filter((entry) => entry.isDirectory()).map((entry) => visit(path.join(dir, entry.name))));
  };
  if ((await lstat(root)).isDirectory()) await visit(root);
  return found;
}

const setModes = (dirs: readonly string[], mode: number) => mapConcurrent(dirs, 16, (dir) => chmod(dir, mode));

export async function sealDirs(root: string): Promise<void> {
  await setModes(await realDirsBelow(root), SEALED_DIR_MODE);
}

/** Opens a sealed tree for writing; `realDirsBelow` only returns dirs, so chmod never follows a link out. */
export async function unsealDirs(root: string): Promise<void> {
  await setModes(await realDirsBelow(root), OPEN_DIR_MODE);
}

/**
 * Gives every directory at and below `root` its owner's rwx, parents first: what a lifecycle
 * script left unreadable (`mkdir -m 000`) can then be walked and removed by its owner.
 */
async function openToOwner(dir: string): Promise<void> {
  const stats = await lstat(dir);
  if (!stats.isDirectory()) return;
  if ((stats.mode & 0o700) !== 0o700) await chmod(dir, (stats.mode & 0o7777) | 0o700);
  const entries = await readdir(dir, { withFileTypes: true });
  await Promise.all(entries.filter((entry) => entry.isDirectory()).map((entry) => openToOwner(path.join(dir, entry.name))));
}

/** `rm -rf` that also works on sealed trees when not running as root. */
export async function removeSealed(target: string): Promise<void> {
  // Unseal first rather than on EACCES: a failed recursive rm may still be deleting in the
  // background when it rejects, and a walk racing it would trip over vanishing entries.
  try {
    await unsealDirs(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') await openToOwner(target);
    else if (!missing(error)) throw error;
  }
  await rm(target, { recursive: true, force: true });
}
