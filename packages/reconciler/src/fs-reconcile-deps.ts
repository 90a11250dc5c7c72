// The real side effects behind reconcile(): the blob cache, the extract-once store, the tree
// builder and the `current` flip, all under one data dir.
import { availableParallelism } from 'node:os';
import { uniqueBlobs, type Manifest } from '@spk/common';
import { replaceSymlink } from './atomic-symlink.ts';
import { createBlobCache, type BlobSource } from './blob-cache.ts';
import { dataLayout, type DataLayout } from './data-layout.ts';
import { createExtractedStore, type ExtractedStore } from './extracted-store.ts';
import { fsckHost, type FsckHostOptions, type FsckReport } from './fsck.ts';
import { mapConcurrent } from './map-concurrent.ts';
import { buildTree, type TreeBuildStats } from './materialize-tree.ts';
import type { ReconcileDeps } from './reconcile.ts';
import type { TreeLayout } from './tree-plan.ts';
import { sweepStaleTemps } from './temp-names.ts';
import { completeCurrentHash, currentLinkTarget, isTreeComplete } from './tree-state.ts';

export type FetchBlob = (integrity: string) => Promise<BlobSource> | BlobSource;

export interface FsReconcileDepsOptions {
  dataDir: string;
  fetchBlob: FetchBlob;
  /** Per-entry size limit for extraction (default 256 MiB). */
  maxEntryBytes?: number;
  /** Parallel fs operations while building a tree. */
  ioConcurrency?: number;
  /** `hardlinked` (default) or `linked-packages`; see tree-plan.ts. */
  treeLayout?: TreeLayout;
  onTreeBuilt?: (stats: TreeBuildStats & { lockfileHash: string; extracted: number }) => void;
}

export interface FsReconcileDeps extends ReconcileDeps {
  layout: DataLayout;
  store: ExtractedStore;
  /** Extracts every package of the manifest not yet in the store; returns how many it extracted. */
  extractAll(manifest: Manifest): Promise<number>;
  buildTree(lockfileHash: string, manifest: Manifest): Promise<TreeBuildStats>;
  /** Verifies (and with `repair` rebuilds) the store and trees; callers serialize it with reconciles. */
  fsck(options: Pick<FsckHostOptions, 'repair' | 'desired'>): Promise<FsckReport>;
}

export function createFsReconcileDeps(options: FsReconcileDepsOptions): FsReconcileDeps {
  const layout = dataLayout(options.dataDir);
  const blobs = createBlobCache(layout);
  const store = createExtractedStore({ layout, blobs, ...(options.maxEntryBytes === undefined ? {} : { maxEntryBytes: options.maxEntryBytes }) });
  const io = {
    ...(options.ioConcurrency === undefined ? {} : { ioConcurrency: options.ioConcurrency }),
    ...(options.treeLayout === undefined ? {} : { treeLayout: options.treeLayout }),
  };

  const extractAll = async (manifest: Manifest): Promise<number> => {
    const labels = new Map(manifest.map((entry) => [entry.integrity, `${entry.name}@${entry.version}`]));
    // Extraction is mostly CPU (gunzip) with some fs; one per core keeps both busy.
    const extracted = await mapConcurrent(uniqueBlobs(manifest), availableParallelism(), ({ integrity }) =>
      store.ensure({ integrity, label: labels.get(integrity)! }),
    );
    return extracted.filter(Boolean).length;
  };
  const build = (lockfileHash: string, manifest: Manifest) => buildTree({ layout, store, lockfileHash, manifest, ...io });
  const fetchBlob = async (integrity: string) => options.fetchBlob(integrity);

  return {
    layout,
    store,
    extractAll,
    buildTree: build,
    readCurrent: () => completeCurrentHash(layout),
    hasCompleteTree: (lockfileHash) => isTreeComplete(layout.treeDir(lockfileHash)),
    listLocalBlobs: () => blobs.list(),
    fetchBlob,
    storeBlob: (blob, source) => blobs.store(blob, source),
    async materializeTree(lockfileHash, manifest) {
      // Leftovers of a crashed reconcile (ours or another process's) are only ever temp dirs.
      await Promise.all(
        [layout.cacheTmpDir, layout.extractedDir, layout.treesDir, layout.dataDir].map((dir) => sweepStaleTemps(dir)),
      );
      const extracted = await extractAll(manifest);
      const stats = await build(lockfileHash, manifest);
      options.onTreeBuilt?.({ ...stats, lockfileHash, extracted });
    },
    flipCurrent: (lockfileHash) => replaceSymlink(layout.currentLink, currentLinkTarget(lockfileHash)),
    fsck: (fsck) => fsckHost({ layout, blobs, store, fetchBlob, ...fsck, ...(options.maxEntryBytes === undefined ? {} : { maxEntryBytes: options.maxEntryBytes }) }),
    now: () => performance.now(),
  };
}
