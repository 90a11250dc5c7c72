// Where everything lives under a host's data dir. One description, so the reconciler, the
// script launcher and (later) GC agree on paths: cache/ (blobs + extracted store), trees/,
// the `current` link and .runs/.
import path from 'node:path';
import ssri from 'ssri';
import { SpkError } from '@spk/common';

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

/** File name a blob is stored under: the hex sha512 digest of its integrity. */
export function integrityKey(integrity: string): string {
  const hash = ssri.parse(integrity, { single: true });
  if (hash?.algorithm !== 'sha512' || !hash.digest) throw new SpkError('INVALID_INPUT', `expected a sha512 integrity, got "${integrity}"`);
  return hash.hexDigest();
}

/** Inverse of integrityKey, for listing what the cache holds. */
export function integrityFromKey(key: string): string {
  return `sha512-${Buffer.from(key, 'hex').toString('base64')}`;
}

export const BLOB_KEY = /^[a-f0-9]{128}$/;
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
    blobPath: (integrity) => path.join(blobsDir, integrityKey(integrity)),
    extractedPath: (integrity) => path.join(extractedDir, integrityKey(integrity)),
    treeDir: (lockfileHash) => {
      // The hash becomes a path segment: never let anything but a digest through.
      if (!TREE_HASH.test(lockfileHash)) throw new SpkError('INVALID_INPUT', `"${lockfileHash}" is not a lockfile hash`);
      return path.join(treesDir, lockfileHash);
    },
  };
}
