// When scripts run as another user, that user must read the pinned tree (and, for a
// `linked-packages` tree, the store directories it links to) although the server creates
// everything with a private umask. This opens exactly those paths: read for files, read and
// pass-through for the tree's directories, pass-through only (0711: no listing) on the way
// there. Secrets are elsewhere and keep their modes. Trees never change, so each is opened once.
import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DataLayout } from '../data-layout.ts';
import { mapConcurrent } from '../map-concurrent.ts';

const opened = new Set<string>();

const isGone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function addModes(target: string, fileBits: number, dirBits: number): Promise<void> {
  try {
    const info = await lstat(target);
    if (info.isSymbolicLink()) return;
    const bits = info.isDirectory() ? dirBits : fileBits;
    if ((info.mode & bits) !== bits) await chmod(target, (info.mode & 0o7777) | bits);
    if (!info.isDirectory()) return;
    const entries = await readdir(target);
    await mapConcurrent(entries, 16, (name) => addModes(path.join(target, name), fileBits, dirBits));
  } catch (error) {
    // A store entry another reconcile is still building (or removing) is not part of any tree yet.
    if (!isGone(error)) throw error;
  }
}

async function passThrough(dir: string): Promise<void> {
  const info = await lstat(dir);
  if ((info.mode & 0o011) !== 0o011) await chmod(dir, (info.mode & 0o7777) | 0o011);
}

export async function openTreeToRunUser(layout: DataLayout, lockfileHash: string, withStore: boolean): Promise<void> {
  const key = `${layout.dataDir}\0${lockfileHash}\0${withStore}`;
  if (opened.has(key)) return;
  await openTreeDirToRunUser(layout, layout.treeDir(lockfileHash), withStore);
  opened.add(key);
}

/** One directory of a tree, again: what install scripts just made in it was created private. */
export async function openDirToRunUser(dir: string): Promise<void> {
  await addModes(dir, 0o044, 0o055);
}

/** The same for any tree dir under trees/, e.g. one still being built (its install scripts run as that user). */
export async function openTreeDirToRunUser(layout: DataLayout, treeDir: string, withStore: boolean): Promise<void> {
  await passThrough(layout.treesDir);
  await addModes(treeDir, 0o044, 0o055);
  if (withStore) {
    await passThrough(path.dirname(layout.extractedDir));
    await passThrough(layout.extractedDir);
    const entries = (await readdir(layout.extractedDir)).filter((name) => !name.startsWith('.') && !name.includes('.tmp-'));
    for (const name of entries) await addModes(path.join(layout.extractedDir, name), 0o044, 0o055);
  }
}
