// A host's reconciler: validates desired state at the boundary, serializes reconciles (one at
// a time per process) and coalesces bursts of requests into a single follow-up reconcile. Tree GC
// passes go through the same queue, one after every reconcile that moved `current`.
import {
  computeLockfileHash,
  DEFAULT_TREE_GC_GRACE_MS,
  desiredStateSchema,
  SpkError,
  uniqueBlobs,
  type DesiredState,
  type HostDisk,
  type TreeCollection,
} from '@spk/common';
import { createCoalescingQueue } from './coalescing-queue.ts';
import { createFsReconcileDeps, type FetchBlob, type InstallScriptOptions } from './fs-reconcile-deps.ts';
import type { FsckReport } from './fsck.ts';
import { collectTrees, type TreeGcSettings } from './gc/fs-tree-gc.ts';
import { DEFAULT_RUN_SETTINGS } from './runs/run-script.ts';
import type { TreeBuildStats } from './materialize-tree.ts';
import type { TreeLayout } from './tree-plan.ts';
import { reconcile, type ReconcileResult } from './reconcile.ts';
import { completeCurrentHash } from './tree-state.ts';

export interface ReconcileLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ReconcilerOptions {
  dataDir: string;
  fetchBlob: FetchBlob;
  /** Parallel downloads (default 8). */
  concurrency?: number;
  /** Per-entry extraction size limit in bytes (default 256 MiB). */
  maxEntryBytes?: number;
  /** Parallel fs operations while building a tree (default 64). */
  ioConcurrency?: number;
  /**
   * `hardlinked` (default): plain directories of hard-linked files. `linked-packages`: packages
   * without nested packages are symlinks into the store, so a new tree costs ~one syscall per
   * package; script runs then use --preserve-symlinks.
   */
  treeLayout?: TreeLayout;
  /** Lifecycle scripts of packages the manifest allows them for: timeout and OS user; each run is logged. */
  installScripts?: Omit<InstallScriptOptions, 'logger'>;
  logger?: ReconcileLogger;
  /** Tree GC settings; given, a pass also runs after every reconcile that changed `current`. */
  treeGc?: ReconcilerTreeGc;
}

export interface ReconcilerTreeGc extends TreeGcSettings {
  /**
   * Integrities the kept history needs: their extracted packages and cached blobs stay. null when
   * not known (yet), and then every cache entry stays.
   */
  retainedIntegrities(): Promise<ReadonlySet<string> | null>;
}

export interface Reconciler {
  /** Reconciles now, after any reconcile already running on this reconciler. */
  reconcile(desired: DesiredState): Promise<ReconcileResult>;
  /** Coalescing: requests made during a reconcile share one more reconcile, to the latest state. */
  request(desired: DesiredState): Promise<ReconcileResult>;
  /** The lockfile hash of the complete tree `current` points at, or null. */
  currentHash(): Promise<string | null>;
  /**
   * Checks the extracted store and the trees against the verified blobs, after any reconcile
   * already running; `desired` lets it check the current tree file by file when that is the one.
   */
  fsck(options: { repair: boolean; desired?: DesiredState | null }): Promise<FsckReport>;
  /**
   * A tree GC pass after any job already queued: deletes retired trees past the grace that no
   * live run pins, then cache entries nothing needs. Never throws: what failed is in `errors`.
   * Asked again before that pass started, it answers with the same pass.
   */
  collect(): Promise<TreeCollection>;
  /** Trees and cache on disk as the last GC pass measured them; null before the first pass. */
  disk(): HostDisk | null;
  /** Settles once every job queued so far (reconciles, fsck, GC passes) has finished: await it before removing the data dir. */
  idle(): Promise<void>;
}

async function validDesiredState(desired: DesiredState): Promise<DesiredState> {
  const parsed = desiredStateSchema.safeParse(desired);
  if (!parsed.success) throw new SpkError('INVALID_INPUT', `invalid desired state: ${parsed.error.message}`);
  // The hash names the tree on disk; a manifest that does not hash to it would mislabel one.
  const actual = await computeLockfileHash(parsed.data.manifest);
  if (actual !== parsed.data.lockfileHash) {
    throw new SpkError('INVALID_INPUT', `the manifest hashes to ${actual}, not to the given lockfileHash ${parsed.data.lockfileHash}`);
  }
  return parsed.data;
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { logger } = options;
  const onTreeBuilt = (stats: TreeBuildStats & { lockfileHash: string; extracted: number }) =>
    logger?.info('tree built', { ...stats, durationMs: Math.round(stats.durationMs) });
  const deps = createFsReconcileDeps({
    dataDir: options.dataDir,
    fetchBlob: options.fetchBlob,
    onTreeBuilt,
    ...(options.maxEntryBytes === undefined ? {} : { maxEntryBytes: options.maxEntryBytes }),
    ...(options.ioConcurrency === undefined ? {} : { ioConcurrency: options.ioConcurrency }),
    ...(options.treeLayout === undefined ? {} : { treeLayout: options.treeLayout }),
    installScripts: { ...options.installScripts, ...(logger ? { logger } : {}) },
  });

  let tail: Promise<unknown> = Promise.resolve();
  /** One job at a time: a tree is never built while fsck repairs the store, or the reverse. */
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const job = tail.then(work);
    tail = job.catch(() => undefined);
    return job;
  };

  const gc = {
    graceMs: options.treeGc?.graceMs ?? DEFAULT_TREE_GC_GRACE_MS,
    runTimeoutMs: options.treeGc?.runTimeoutMs ?? DEFAULT_RUN_SETTINGS.maxTimeoutMs,
    retainedIntegrities: options.treeGc?.retainedIntegrities ?? (async () => null),
  };
  let lastDisk: HostDisk | null = null;
  /** The integrities of the last state reconciled to: kept even while its tree does not exist (a failed build). */
  let inFlight: string[] = [];
  async function collectPass(): Promise<TreeCollection> {
    const started = new Date();
    const problems: string[] = [];
    let retained: ReadonlySet<string> | null = null;
    try {
      retained = await gc.retainedIntegrities();
    } catch (error) {
      problems.push(`the integrities the kept history needs could not be read, so every cached package stays this time: ${(error as Error).message}`);
    }
    try {
      const { collection, disk } = await collectTrees({
        layout: deps.layout,
        graceMs: gc.graceMs,
        runTimeoutMs: gc.runTimeoutMs,
        retained,
        inFlight,
        onExtractedDeleted: (integrity) => deps.store.forget(integrity),
        ...(logger ? { logger } : {}),
      });
      collection.errors.unshift(...problems);
      lastDisk = disk;
      return collection;
    } catch (error) {
      const message = `tree GC stopped: ${(error as Error).message}`;
      logger?.error('tree GC failed', { error: message });
      const collection: TreeCollection = { at: started.toISOString(), trees: 0, extracted: 0, blobs: 0, bytesFreed: 0, stalePins: 0, errors: [...problems, message] };
      if (lastDisk) lastDisk = { ...lastDisk, lastCollection: collection };
      return collection;
    }
  }

  /** A pass waiting its turn: timer ticks and flips that ask meanwhile share it, so passes never pile up. */
  let queuedPass: Promise<TreeCollection> | null = null;
  const collect = (): Promise<TreeCollection> =>
    (queuedPass ??= enqueue(() => {
      queuedPass = null;
      return collectPass();
    }));

  const serialized = (desired: DesiredState): Promise<ReconcileResult> =>
    enqueue(async () => {
      const { lockfileHash, manifest } = await validDesiredState(desired);
      inFlight = uniqueBlobs(manifest).map((blob) => blob.integrity);
      // A failure is the caller's to log: it gets the error, and only it knows what is safe to print.
      const result = await reconcile({ lockfileHash, manifest, deps, ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }) });
      if (result.changed) {
        logger?.info('reconciled', { ...result, durationMs: Math.round(result.durationMs) });
        // Queued, not awaited: the caller learns of its new tree without waiting for the pass.
        if (options.treeGc) void collect();
      }
      return result;
    });
  const queue = createCoalescingQueue(serialized);

  return {
    reconcile: serialized,
    request: (desired) => queue.request(desired),
    currentHash: () => completeCurrentHash(deps.layout),
    fsck: ({ repair, desired }) =>
      enqueue(async () => {
        const known = desired ? await validDesiredState(desired) : null;
        const report = await deps.fsck({ repair, desired: known });
        const unrepaired = report.damaged.length - report.repaired;
        if (report.damaged.length > 0) logger?.error('fsck found damage', { repair, damaged: report.damaged.length, unrepaired });
        return report;
      }),
    collect,
    disk: () => lastDisk,
    async idle() {
      // A job may queue another (a reconcile queues a GC pass): wait until the tail stops moving.
      for (let seen = tail; ; seen = tail) {
        await seen;
        if (seen === tail) return;
      }
    },
  };
}
