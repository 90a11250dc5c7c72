// Modes and owners of a package directory around its lifecycle scripts. Before: its files are
// writable by their owner, and with SPK_RUN_AS_USER everything in it belongs to the run user,
// so the script can build in it. After: it is a tree like any other again: owned by the host's
// user, files read-only, nothing group/world-writable, no special bits, no inode shared with
// anything outside (a hard link a script made is replaced by a copy), so nothing the run user
// does later can change it.
import { constants, type Stats } from 'node:fs';
import { chmod, copyFile, lchown, lstat, open, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { mapConcurrent } from '../map-concurrent.ts';
import { tempName } from '../temp-names.ts';

export interface Owner {
  uid: number;
  gid: number;
}

interface Entry {
  path: string;
  stats: Stats;
}

/**
 * Every entry at and below `root`, parents first; symlinks are listed, never followed. With
 * `openDirs` (the host's own files), a directory a script left without its owner's rwx gets it
 * before it is listed; as root (scripts ran as another user) listing needs no mode.
 */
async function entriesBelow(root: string, openDirs = false): Promise<Entry[]> {
  const found: Entry[] = [];
  const visit = async (at: string): Promise<void> => {
    const stats = await lstat(at);
    found.push({ path: at, stats });
    if (!stats.isDirectory()) return;
    if (openDirs && (stats.mode & 0o700) !== 0o700) await chmod(at, (stats.mode & 0o7777) | 0o700);
    await mapConcurrent(await readdir(at), 16, (name) => visit(path.join(at, name)));
  };
  await visit(root);
  return found;
}

/** Owner-writable files; with `runAs`, everything handed to the run user. Nothing of the run user's exists yet here. */
export async function openPackageToScripts(packageDir: string, runAs?: Owner): Promise<void> {
  await mapConcurrent(await entriesBelow(packageDir), 16, async ({ path: at, stats }) => {
    if (runAs) await lchown(at, runAs.uid, runAs.gid);
    if (stats.isFile() && !(stats.mode & 0o200)) await chmod(at, (stats.mode & 0o7777) | 0o200);
  });
}

/** Files lose every write and special bit; directories keep only their owner's write, and always let their owner in. */
const sealedMode = (stats: Stats) => (stats.isDirectory() ? ((stats.mode & 0o7777) & ~0o7022) | 0o700 : (stats.mode & 0o7777) & ~0o7222);

/** Replaces a file that has other links (a script may link files from elsewhere) by a copy of its own. */
async function ownInode(file: string): Promise<void> {
  const temp = path.join(path.dirname(file), tempName('.own'));
  await copyFile(file, temp);
  await rename(temp, file);
}

/**
 * Seals the package after its scripts. With `owner` (the scripts ran as another user), entries
 * are changed through a descriptor opened without following links, so a path swapped for a
 * symlink can never redirect a chown or chmod made as root; the package dir is taken back first,
 * so no path below it is reachable by that user while the walk runs.
 */
export async function sealScriptPackage(packageDir: string, owner?: Owner): Promise<void> {
  if (owner) await setThroughDescriptor(packageDir, owner, 0o700);
  const entries = await entriesBelow(packageDir, !owner);
  await mapConcurrent(entries, 16, async ({ path: at, stats }) => {
    if (stats.isFile() && stats.nlink > 1) {
      await ownInode(at);
      stats = await lstat(at);
    }
    if (stats.isSymbolicLink()) return owner ? lchown(at, owner.uid, owner.gid) : undefined;
    if (!stats.isFile() && !stats.isDirectory()) return undefined;
    if (owner) return setThroughDescriptor(at, owner, sealedMode(stats));
    if ((stats.mode & 0o7777) !== sealedMode(stats)) await chmod(at, sealedMode(stats));
    return undefined;
  });
  // The walk sealed the package dir itself too; it opens again like every tree dir.
  const root = entries[0]!.stats;
  if (owner) await setThroughDescriptor(packageDir, owner, sealedMode(root) | 0o755);
}

async function setThroughDescriptor(at: string, owner: Owner, mode: number): Promise<void> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (special files are skipped, but a file
  // may have been swapped for one); O_NOFOLLOW: a symlink fails with ELOOP instead of being followed.
  const handle = await open(at, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    await handle.chown(owner.uid, owner.gid);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

