// Starts installs: gets this instance elected through the installer lock, runs the pipeline in the
// background under that lease, and commits the result fenced by the election's generation (or
// records the failure, leaving the previous desired state untouched).
import { setMaxListeners } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { isSpkError, SCRIPT_PACKAGES_CHANGED, type DeclaredSnapshotEntry, type InstallState, type StateError } from '@spk/common';
import type { Database } from '../db/database.ts';
import { errorCode } from '../errors/driver-error.ts';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import type { BlobIndexStore } from '../stores/blob-index-store.ts';
import type { InstallStateStore } from '../stores/install-state-store.ts';
import type { PackageStore } from '../stores/package-store.ts';
import type { ScriptsPolicyStore } from '../stores/scripts-policy-store.ts';
import type { SettingsStore } from '../stores/settings-store.ts';
import { createPackumentCache, packumentCacheDir, type PackumentCache } from '../packument-cache/packument-cache.ts';
import { npmRequestOptions } from '../registry/request-options.ts';
import type { Clock, HookBus, Logger } from '../services.ts';
import { fetchTarball } from './fetch-tarballs.ts';
import { runInstallPipeline, type PipelineResult } from './install-pipeline.ts';
import { createInstallResolve } from './install-resolve.ts';
import type { InstallerLease } from './installer-lock.ts';
import type { OperationLock } from './operation-lock.ts';
import { throttleProgress } from './progress-throttle.ts';
import { intactAmong } from './published-intact.ts';
import { createResolutionMemo, resolutionMemoDir } from './resolution-memo.ts';

export interface InstallControllerDeps {
  database: Database;
  packages: PackageStore;
  settings: SettingsStore;
  /** Which packages' install scripts hosts may run: read at each install. */
  scriptsPolicy: Pick<ScriptsPolicyStore, 'allowedNames'>;
  state: InstallStateStore;
  blobIndex: BlobIndexStore;
  blobStores: BlobStoreRegistry;
  hooks: HookBus;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  fetchConcurrency?: number;
  /** Elects this instance (one install, rollback, GC or migration at a time cluster-wide). */
  operations: OperationLock;
  /**
   * Add `@types/*` companions of untyped declared packages, and `@types/node` of the hosts' Node
   * major, to the resolved set so the script editor has types (default: enabled, this process's major).
   */
  typesAutoAdd?: TypesAutoAdd;
  /** Drops history entries beyond the kept length after each commit (still under the lock); returns how many. */
  pruneHistory?: () => Promise<number>;
  /** The persistent packument cache (shared with the registry client); default: one in the data dir, of the default size. */
  packumentCache?: PackumentCache;
}

export interface TypesAutoAdd {
  enabled: boolean;
  /** The Node major the hosts run scripts with: `@types/node` is taken from `<nodeMajor>.x`. */
  nodeMajor: number;
}

/** The major of the Node running this process: the hosts run scripts with the same Node as the core. */
export function runningNodeMajor(): number {
  return Number(process.versions.node.split('.')[0]);
}

/** Enabled, for the Node major of this process. */
export const DEFAULT_TYPES_AUTO_ADD: TypesAutoAdd = { enabled: true, nodeMajor: runningNodeMajor() };

export function createInstallController(deps: InstallControllerDeps) {
  const log = deps.logger.child({ component: 'installer' });
  const typesAutoAdd = deps.typesAutoAdd ?? DEFAULT_TYPES_AUTO_ADD;
  const packumentCache = deps.packumentCache ?? createPackumentCache({ dir: packumentCacheDir(deps.dataDir) });
  const resolutions = createResolutionMemo(resolutionMemoDir(deps.dataDir));
  let running: Promise<void> | null = null;

  async function inScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const scratchRoot = path.join(deps.dataDir, 'tmp');
    await mkdir(scratchRoot, { recursive: true });
    const dir = await mkdtemp(path.join(scratchRoot, 'install-'));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch((error) => log.warn({ code: errorCode(error) }, 'removing the install scratch dir failed'));
    }
  }

  /**
   * Resolve, fetch, publish. The lease's signal stops it, registry requests in flight included.
   * `declared` is what the history records: the whole set read once, so it matches what was resolved.
   */
  async function build(
    scratchDir: string,
    signal: AbortSignal,
    generation: number,
  ): Promise<PipelineResult & { resolvePasses: number; resolveReused: boolean; packuments: Record<string, number>; declared: DeclaredSnapshotEntry[] }> {
    const [declared, registries, caps, storeId, scriptsAllowed] = await Promise.all([
      deps.packages.list(),
      deps.settings.getRegistryAccess(),
      deps.settings.getSizeCaps(),
      deps.settings.getActiveStoreId(),
      deps.scriptsPolicy.allowedNames(),
    ]);
    const packages = declared.filter((p) => p.enabled);
    // Every registry request in flight listens to the lease: up to 16 package documents, then the tarball fetches.
    setMaxListeners(64, signal);
    const npmOptions = { ...npmRequestOptions(registries), cache: path.join(scratchDir, '.npm-cache'), signal };
    const store = deps.blobStores.get(storeId);
    const resolving = createInstallResolve({
      packages,
      registries,
      npmOptions,
      signal,
      scratchDir,
      packumentCache,
      memo: resolutions,
      types: typesAutoAdd.enabled ? { nodeMajor: typesAutoAdd.nodeMajor } : null,
      logger: log,
    });
    const result = await runInstallPipeline({
      declared: packages,
      likely: resolving.likely,
      resolve: resolving.resolve,
      scriptsAllowed,
      fetch: (node) => fetchTarball(node, npmOptions, registries),
      indexedSizes: (integrities) => deps.blobIndex.sizesIn(store.id, integrities),
      intactAmong: (entries) => intactAmong(store, entries, deps.fetchConcurrency ?? 8, signal),
      store,
      recordBlob: (entry) => deps.blobIndex.record({ ...entry, createdAt: deps.clock.now() }),
      caps,
      progress: throttleProgress((p) => deps.state.setProgress(p, generation)),
      concurrency: deps.fetchConcurrency ?? 8,
      signal,
    });
    return {
      ...result,
      warnings: [...result.warnings, ...resolving.warnings],
      ...resolving.report(),
      declared: declared.map(({ name, range, enabled }) => ({ name, range, enabled })),
    };
  }

  async function recordFailure(error: unknown, generation: number): Promise<void> {
    const spk = isSpkError(error) ? error : null;
    const stateError: StateError = spk
      ? { code: spk.code, message: spk.message }
      : { code: 'INTERNAL', message: 'the install failed unexpectedly; the server log has the error code' };
    log.error({ code: spk?.code ?? errorCode(error), ...(spk?.cause ? { cause: errorCode(spk.cause) } : {}) }, `install failed: ${stateError.message}`);
    try {
      const recorded = await deps.state.markFailed(stateError, deps.clock.now(), generation);
      if (!recorded) log.warn('a newer installer was elected meanwhile and owns the install state; this failure is only logged');
    } catch (recordError) {
      log.error({ code: errorCode(recordError) }, 'recording the install failure failed');
    }
  }

  /** The commit stands whatever pruning does: a failure is logged and the next commit (or blob GC) prunes. */
  async function pruneHistory(): Promise<void> {
    if (!deps.pruneHistory) return;
    try {
      const pruned = await deps.pruneHistory();
      if (pruned > 0) log.info({ pruned }, 'history pruned');
    } catch (error) {
      log.warn({ code: errorCode(error) }, 'pruning the install history failed; the next install or blob GC run prunes it');
    }
  }

  /** Never rejects: every outcome ends as a commit or a recorded (or, when superseded, logged) failure. */
  async function install(lease: InstallerLease, generation: number, committedBy: string | null): Promise<void> {
    const started = Date.now();
    try {
      const result = await inScratchDir((dir) => build(dir, lease.signal, generation));
      lease.signal.throwIfAborted();
      const at = deps.clock.now();
      await deps.state.commit({ ...result, at, generation, committedBy });
      const timings = Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)]));
      log.info(
        {
          lockfileHash: result.lockfileHash,
          packages: result.manifest.length,
          published: result.published,
          ms: Date.now() - started,
          resolvePasses: result.resolvePasses,
          resolveReused: result.resolveReused,
          packuments: result.packuments,
          ...timings,
        },
        'install committed',
      );
      deps.hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash: result.lockfileHash, committedAt: at.toISOString() });
      await pruneHistory();
    } catch (error) {
      // Once the lease is gone, whatever failed after it (an aborted fetch, a refused commit) is its consequence.
      await recordFailure(lease.signal.aborted ? lease.signal.reason : error, generation);
    }
  }

  return {
    state: (): Promise<InstallState> => deps.state.read(),

    /**
     * Starts an install in the background; INSTALL_IN_PROGRESS (or GC_IN_PROGRESS, MIGRATION_IN_PROGRESS)
     * when another operation holds the lock. `caller` is recorded in the history as who committed it.
     */
    async trigger(caller: { principalId: string | null } = { principalId: null }): Promise<{ started: boolean; state: InstallState }> {
      const lease = await deps.operations.begin('install');
      try {
        const generation = await deps.state.markStarted(deps.clock.now());
        running = install(lease, generation, caller.principalId).finally(async () => {
          await lease.release();
          running = null;
        });
      } catch (error) {
        await lease.release();
        throw error;
      }
      return { started: true, state: await deps.state.read() };
    },

    /** At start: an `installing` state left by a crashed instance is turned into a failure. */
    async recoverInterrupted(): Promise<void> {
      const lease = await deps.operations.tryBegin('install');
      if (!lease) return;
      try {
        if (await deps.state.clearStaleInstalling(deps.clock.now())) log.warn('a previous install was interrupted; marked failed');
      } finally {
        await lease.release();
      }
    },

    /** Resolves when the in-flight install (if any) has finished. */
    async idle(): Promise<void> {
      await running;
    },
  };
}

export type InstallController = ReturnType<typeof createInstallController>;
