// Elects one installer cluster-wide with a PostgreSQL session advisory lock held on a dedicated
// connection for the whole install, runs the pipeline in the background, and commits the new
// desired state (or records the failure, leaving the previous desired state untouched).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { isSpkError, SCRIPT_PACKAGES_CHANGED, SpkError, type InstallProgress, type InstallState } from '@spk/common';
import type { Database } from '../db/database.ts';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import type { BlobIndexStore } from '../stores/blob-index-store.ts';
import type { InstallStateStore } from '../stores/install-state-store.ts';
import type { PackageStore } from '../stores/package-store.ts';
import type { SettingsStore } from '../stores/settings-store.ts';
import type { Clock, HookBus, Logger } from '../services.ts';
import { fetchTarball } from './fetch-tarballs.ts';
import { runInstallPipeline } from './install-pipeline.ts';
import { registryOptions } from './registry-options.ts';
import { resolveTree } from './resolve-tree.ts';

export const INSTALLER_LOCK_KEY = 0x5370_6b02;
const PROGRESS_INTERVAL_MS = 200;

export interface InstallControllerDeps {
  database: Database;
  packages: PackageStore;
  settings: SettingsStore;
  state: InstallStateStore;
  blobIndex: BlobIndexStore;
  blobStores: BlobStoreRegistry;
  hooks: HookBus;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  fetchConcurrency?: number;
}

export function createInstallController(deps: InstallControllerDeps) {
  let running: Promise<void> | null = null;
  // Set synchronously so two triggers in one process cannot both pass the check across an await.
  let claiming = false;
  const log = deps.logger.child({ component: 'installer' });

  const inProgress = () =>
    new SpkError('INSTALL_IN_PROGRESS', 'an install is already in progress; wait for it (spk install --wait) and trigger again if needed');

  function throttledProgress() {
    let last = 0;
    let lastPhase = '';
    return async (p: InstallProgress) => {
      const now = Date.now();
      if (p.phase === lastPhase && now - last < PROGRESS_INTERVAL_MS && p.done !== p.total) return;
      last = now;
      lastPhase = p.phase;
      await deps.state.setProgress(p);
    };
  }

  async function install(): Promise<void> {
    const scratchRoot = path.join(deps.dataDir, 'tmp');
    await mkdir(scratchRoot, { recursive: true });
    const scratchDir = await mkdtemp(path.join(scratchRoot, 'install-'));
    const started = Date.now();
    try {
      const [packages, creds, caps, storeId] = await Promise.all([
        deps.packages.listEnabled(),
        deps.settings.getRegistryCredentials(),
        deps.settings.getSizeCaps(),
        deps.settings.getActiveStoreId(),
      ]);
      const npmOptions = { ...registryOptions(creds), cache: path.join(scratchDir, '.npm-cache') };
      const store = deps.blobStores.get(storeId);
      const result = await runInstallPipeline({
        resolve: () => resolveTree({ packages, scratchDir, npmOptions }),
        fetch: (node) => fetchTarball(node, npmOptions),
        indexedSizes: (integrities) => deps.blobIndex.sizesIn(store.id, integrities),
        store,
        recordBlob: (entry) => deps.blobIndex.record({ ...entry, createdAt: deps.clock.now() }),
        caps,
        progress: throttledProgress(),
        concurrency: deps.fetchConcurrency ?? 8,
      });
      const at = deps.clock.now();
      await deps.state.commit({ ...result, at });
      const timings = Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)]));
      log.info(
        { lockfileHash: result.lockfileHash, packages: result.manifest.length, published: result.published, ms: Date.now() - started, ...timings },
        'install committed',
      );
      deps.hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash: result.lockfileHash, committedAt: at.toISOString() });
    } catch (error) {
      const spk = isSpkError(error) ? error : null;
      const stateError = spk
        ? { code: spk.code, message: spk.message }
        : { code: 'INTERNAL' as const, message: 'the install failed unexpectedly; the server log has the error code' };
      log.error({ code: spk?.code ?? (error as { code?: string })?.code ?? 'UNKNOWN' }, `install failed: ${stateError.message}`);
      await deps.state.markFailed(stateError, deps.clock.now());
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
  }

  return {
    state: (): Promise<InstallState> => deps.state.read(),

    /** Starts an install in the background; throws INSTALL_IN_PROGRESS when another holds the lock. */
    async trigger(): Promise<{ started: boolean; state: InstallState }> {
      if (running || claiming) throw inProgress();
      claiming = true;
      let session: Awaited<ReturnType<Database['openSession']>>;
      try {
        session = await deps.database.openSession();
      } catch (error) {
        claiming = false;
        throw error;
      }
      let locked = false;
      try {
        const [row] = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [INSTALLER_LOCK_KEY]);
        locked = Boolean(row?.locked);
        // PGlite is one session, where the lock is re-entrant: the `claiming` flag guards it.
        if (!locked) throw inProgress();
        await deps.state.markStarted(deps.clock.now());
      } catch (error) {
        if (locked) await session.query('select pg_advisory_unlock($1)', [INSTALLER_LOCK_KEY]).catch(() => undefined);
        await session.release();
        claiming = false;
        throw error;
      }
      claiming = false;
      running = install().finally(async () => {
        await session.query('select pg_advisory_unlock($1)', [INSTALLER_LOCK_KEY]).catch((e) => log.warn({ code: e?.code }, 'unlock failed'));
        await session.release();
        running = null;
      });
      return { started: true, state: await deps.state.read() };
    },

    /** At start: an `installing` state left by a crashed instance is turned into a failure. */
    async recoverInterrupted(): Promise<void> {
      const session = await deps.database.openSession();
      try {
        const [row] = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [INSTALLER_LOCK_KEY]);
        if (!row?.locked) return;
        try {
          if (await deps.state.clearStaleInstalling(deps.clock.now())) log.warn('a previous install was interrupted; marked failed');
        } finally {
          await session.query('select pg_advisory_unlock($1)', [INSTALLER_LOCK_KEY]);
        }
      } finally {
        await session.release();
      }
    },

    /** Resolves when the in-flight install (if any) has finished. */
    async idle(): Promise<void> {
      await running;
    },
  };
}

export type InstallController = ReturnType<typeof createInstallController>;
