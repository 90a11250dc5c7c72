// Where everything lives under a host's data dir. One description, so the reconciler, the
// script launcher and (later) GC agree on paths: cache/ (blobs + extracted store), trees/,
// the `current` link and .runs/.
import path from 'node:path';
import { integrityToHex, SpkError } from '@spk/common';

export interface DataLayout {
  dataDir: string;
  blobsDir: string;
  extractedDir: string;
  /** Scratch space on the same filesystem as the cache, so finished work lands by rename. */
  cacheTmpDir: string;
  treesDir: string;
  currentLink: string;
  runsDir: string;
  blobPath(integrity: string): string;
  extractedPath(integrity: string): string;
  treeDir(lockfileHash: string): string;
}

export const TREE_HASH = /^[a-f0-9]{64}$/;

export function dataLayout(dataDir: string): DataLayout {
  const root = path.resolve(dataDir);
  const cacheDir = path.join(root, 'cache');
  const blobsDir = path.join(cacheDir, 'blobs');
  const extractedDir = path.join(cacheDir, 'extracted');
  const treesDir = path.join(root, 'trees');
  return {
    dataDir: root,
    blobsDir,
    extractedDir,
    cacheTmpDir: path.join(cacheDir, 'tmp'),
    treesDir,
    currentLink: path.join(root, 'current'),
    runsDir: path.join(root, '.runs'),
    blobPath: (integrity) => path.join(blobsDir, integrityToHex(integrity)),
    extractedPath: (integrity) => path.join(extractedDir, integrityToHex(integrity)),
    treeDir: (lockfileHash) => {
      // The hash becomes a path segment: never let anything but a digest through.
      if (!TREE_HASH.test(lockfileHash)) throw new SpkError('INVALID_INPUT', `"${lockfileHash}" is not a lockfile hash`);
      return path.join(treesDir, lockfileHash);
    },
  };
}
