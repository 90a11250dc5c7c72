// The real side effects behind reconcile(): the blob cache, the extract-once store, the tree
// builder (which runs allowed lifecycle scripts) and the `current` flip, all under one data dir.
import { availableParallelism } from 'node:os';
import { uniqueBlobs, type Manifest } from '@spk/common';
import { replaceSymlink } from './atomic-symlink.ts';
import { createBlobCache, type BlobRef, type BlobSource } from './blob-cache.ts';
import { dataLayout, type DataLayout } from './data-layout.ts';
import { createExtractedStore, type ExtractedStore } from './extracted-store.ts';
import { fsckHost, type FsckHostOptions, type FsckReport } from './fsck.ts';
import { DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS } from './install-scripts/install-script-settings.ts';
import { killOrphanedInstallScripts } from './install-scripts/orphaned-install-scripts.ts';
import type { InstallScriptLogger, InstallScriptSettings } from './install-scripts/run-install-scripts.ts';
import { runsInstallScripts } from './install-scripts/script-packages.ts';
import { limitConcurrency, mapConcurrent } from './map-concurrent.ts';
import { buildTree, type TreeBuildStats } from './materialize-tree.ts';
import { listingsDir } from './package-listing.ts';
import type { ReconcileDeps } from './reconcile.ts';
import { resolveRunUser, type RunUser } from './runs/run-user.ts';
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
  /** Allowed lifecycle scripts: their timeout, the OS user they run as, where each run is logged. */
  installScripts?: InstallScriptOptions;
}

export interface InstallScriptOptions {
  /** Per script (default 5 minutes; SPK_INSTALL_SCRIPTS_TIMEOUT_MS). */
  timeoutMs?: number;
  /** SPK_RUN_AS_USER: scripts run as this user, as script runs do (the host must be root). */
  runAsUser?: string;
  logger?: InstallScriptLogger;
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

  // Creating files is the cost of extracting, and it runs in the thread pool: a few packages
  // at a time keep the pool busy while the main thread reads the next archive.
  const extractions = limitConcurrency(Math.max(4, availableParallelism()));
  /** Packages extracted since the last tree build began, downloads included. */
  let extractedRecently = 0;
  const ensureExtracted = async (blob: BlobRef, verified?: Buffer) => {
    const extracted = await extractions(() => store.ensure(blob, verified));
    if (extracted) extractedRecently++;
    return extracted;
  };
  const extractAll = async (manifest: Manifest): Promise<number> => {
    const labels = new Map(manifest.map((entry) => [entry.integrity, `${entry.name}@${entry.version}`]));
    const extracted = await mapConcurrent(uniqueBlobs(manifest), availableParallelism(), ({ integrity }) =>
      ensureExtracted({ integrity, label: labels.get(integrity)! }),
    );
    return extracted.filter(Boolean).length;
  };
  // The run user is looked up once, and only when some package's scripts are to run.
  let runUser: Promise<RunUser> | null = null;
  const scriptUser = (name: string) =>
    (runUser ??= resolveRunUser(name).catch((error: unknown) => {
      runUser = null;
      throw error;
    }));
  const installScripts = async (manifest: Manifest): Promise<InstallScriptSettings> => {
    const { timeoutMs = DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS, runAsUser, logger } = options.installScripts ?? {};
    const user = runAsUser !== undefined && manifest.some(runsInstallScripts) ? await scriptUser(runAsUser) : null;
    return { timeoutMs, ...(user ? { runAs: { uid: user.uid, gid: user.gid } } : {}), ...(logger ? { logger } : {}) };
  };
  const build = async (lockfileHash: string, manifest: Manifest) =>
    buildTree({ layout, store, lockfileHash, manifest, ...io, installScripts: await installScripts(manifest) });
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
    // A verified download is unpacked at once, from memory, while other downloads go on.
    storeBlob: async (blob, source) => void (await ensureExtracted(blob, await blobs.store(blob, source))),
    async materializeTree(lockfileHash, manifest) {
      // Leftovers of a crashed reconcile (ours or another process's) are only ever temp dirs,
      // and the install scripts it was running, which are stopped before their dirs go.
      await killOrphanedInstallScripts(layout.treesDir);
      await Promise.all(
        [layout.cacheTmpDir, layout.extractedDir, listingsDir(layout), layout.treesDir, layout.dataDir].map((dir) => sweepStaleTemps(dir)),
      );
      await extractAll(manifest);
      const extracted = extractedRecently;
      extractedRecently = 0;
      const stats = await build(lockfileHash, manifest);
      options.onTreeBuilt?.({ ...stats, lockfileHash, extracted });
    },
    flipCurrent: (lockfileHash) => replaceSymlink(layout.currentLink, currentLinkTarget(lockfileHash)),
    fsck: async (fsck) =>
      fsckHost({
        layout,
        blobs,
        store,
        fetchBlob,
        ...fsck,
        installScripts: await installScripts(fsck.desired?.manifest ?? []),
        ...(options.maxEntryBytes === undefined ? {} : { maxEntryBytes: options.maxEntryBytes }),
      }),
    now: () => performance.now(),
  };
}
