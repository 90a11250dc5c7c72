// What counts as a finished tree, and which tree `current` names. A tree is complete only
// once its marker exists; the marker is written last, before the tree is renamed into place,
// so a crash mid-build can never leave something that later passes for done.
import { access, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { SpkError } from '@spk/common';
import { TREE_HASH, type DataLayout } from './data-layout.ts';
import type { TreeLayout } from './tree-plan.ts';

export const TREE_MARKER = '.spk-tree-complete';

export interface TreeMarker {
  lockfileHash: string;
  layout: TreeLayout;
  packages: number;
  /**
   * Every integrity the tree's manifest uses: tree GC keeps their extracted packages and cached
   * blobs while the tree exists. Absent in markers of older versions (GC then keeps every entry).
   */
  integrities?: string[];
}
const LAYOUTS: readonly string[] = ['hardlinked', 'linked-packages'] satisfies TreeLayout[];

export const treeMarker = (lockfileHash: string, layout: TreeLayout, packages: number, integrities: readonly string[]): TreeMarker => ({
  lockfileHash,
  layout,
  packages,
  integrities: [...integrities],
});

const validIntegrities = (value: unknown) => value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'));

/** The marker of a complete tree; it says how the tree is laid out (runs need to know). */
export async function readTreeMarker(treeDir: string): Promise<TreeMarker> {
  const text = await readFile(path.join(treeDir, TREE_MARKER), 'utf8');
  // Our own file, but read from disk: check its shape rather than trust it.
  let marker: Partial<TreeMarker> | null = null;
  try {
    marker = JSON.parse(text) as Partial<TreeMarker>;
  } catch {
    marker = null;
  }
  if (!marker || !TREE_HASH.test(String(marker.lockfileHash)) || !LAYOUTS.includes(String(marker.layout)) || typeof marker.packages !== 'number' || !validIntegrities(marker.integrities)) {
    throw new SpkError('INTERNAL', `the tree marker in ${treeDir} is not valid: ${text.slice(0, 200)}`);
  }
  return marker as TreeMarker;
}

/** The `current` link's target, relative so the data dir can be moved as a whole. */
export const currentLinkTarget = (lockfileHash: string): string => path.join('trees', lockfileHash);

export async function isTreeComplete(treeDir: string): Promise<boolean> {
  try {
    await access(path.join(treeDir, TREE_MARKER));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export interface CurrentTree {
  /** null when the link points somewhere that is not a tree of ours. */
  lockfileHash: string | null;
  complete: boolean;
}

/** null when there is no `current` link yet (a fresh host). */
export async function readCurrentTree(layout: DataLayout): Promise<CurrentTree | null> {
  let target: string;
  try {
    target = await readlink(layout.currentLink);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const hash = path.basename(target);
  if (!TREE_HASH.test(hash)) return { lockfileHash: null, complete: false };
  return { lockfileHash: hash, complete: await isTreeComplete(layout.treeDir(hash)) };
}

/** The hash of the tree `current` points at, if that tree is complete. */
export async function completeCurrentHash(layout: DataLayout): Promise<string | null> {
  const current = await readCurrentTree(layout);
  return current?.complete ? current.lockfileHash : null;
}
