// Storage migration (storage.migrate, storage.state): starts a migration under the operation lock
// and runs it in the background holding that lock, so installs, rollback and GC are refused until
// it ends. A migration a stopped server left active is taken over at start and then periodically
// by whichever instance gets the lock, and continues from its durable progress.
import { SpkError, type StorageMigrateInput, type StorageState } from '@spk/common';
import type { Db } from '../db/database.ts';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { describeError, publicErrorMessage } from '../errors/driver-error.ts';
import type { OperationLease, OperationLock } from '../install/operation-lock.ts';
import type { SettingsStore } from '../stores/settings-store.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import type { Clock, Logger } from '../services.ts';
import { runMigration } from './migration-run.ts';
import { createMigrationStore, type MigrationRow } from './migration-store.ts';
import { toStorageMigration, type RunStart } from './migration-view.ts';

export interface StorageMigrationDeps {
  db: Db;
  blobStores: BlobStoreRegistry;
  settings: Pick<SettingsStore, 'getActiveStoreId' | 'setActiveStoreId'>;
  operations: OperationLock;
  clock: Clock;
  logger: Logger;
  /** Default of `deleteSource` (SPK_MIGRATION_DELETE_SOURCE). */
  deleteSource: boolean;
  /** Blobs copied at once (SPK_MIGRATION_CONCURRENCY). */
  concurrency: number;
  /** How often an instance checks for an active migration no server runs (its server died), to take it over. */
  resumeCheckMs?: number;
}

export const DEFAULT_RESUME_CHECK_MS = 30_000;

interface RunningMigration {
  id: number;
  abort: AbortController;
  done: Promise<void>;
  start: RunStart;
}

export function createStorageMigration(deps: StorageMigrationDeps) {
  const store = createMigrationStore(deps.db);
  const published = { blobIndex: createBlobIndexStore(deps.db), blobStores: deps.blobStores };
  const log = deps.logger.child({ component: 'storage-migration' });
  let running: RunningMigration | null = null;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  /** Runs `row` in the background under `lease`, which it releases when the run ends. */
  function launch(row: MigrationRow, lease: OperationLease): void {
    const abort = new AbortController();
    const onLost = () => abort.abort(lease.signal.reason);
    lease.signal.addEventListener('abort', onLost, { once: true });
    const start: RunStart = { migrationId: row.id, at: deps.clock.now().getTime(), bytesDone: row.bytesDone };
    const run = async () => {
      try {
        const outcome = await runMigration(row, {
          store,
          blobStores: deps.blobStores,
          published,
          clock: deps.clock,
          logger: deps.logger,
          concurrency: deps.concurrency,
          signal: abort.signal,
          onCopying: (bytesDone) => {
            start.at = deps.clock.now().getTime();
            start.bytesDone = bytesDone;
          },
        });
        if (outcome === 'stopped') log.info({ migration: row.id }, 'storage migration stopped; it resumes from its progress on the next start');
      } catch (error) {
        // Not a blob's failure (those are counted) but the run's own. A lost lock or database
        // session, or a failure once the switch began (its source copies are then the only record
        // of what to delete), leaves the migration active for the resume check to carry on from its
        // durable progress; an error while copying (a bug, a target that refuses) fails it, which
        // frees installs again.
        const current = abort.signal.aborted ? null : await store.active().catch(() => null);
        const failing = current?.id === row.id && current.status === 'copying';
        const lastError = publicErrorMessage(error, 'the migration stopped on an error');
        log.error({ migration: row.id, ...describeError(error), resumes: !failing }, failing ? 'storage migration failed' : 'storage migration stopped on an error; it resumes from its progress');
        const patch = failing ? { status: 'failed' as const, lastError, finishedAt: deps.clock.now() } : { lastError };
        await store
          .update(row.id, patch, deps.clock.now())
          .catch((markError: unknown) => log.error({ migration: row.id, code: describeError(markError).code }, 'could not record the storage migration error'));
      } finally {
        lease.signal.removeEventListener('abort', onLost);
        await lease.release();
        running = null;
      }
    };
    running = { id: row.id, abort, start, done: run() };
  }

  /** Takes over an active migration nobody runs (its server stopped): under the lock, from its durable progress. */
  async function resumeOrphaned(): Promise<void> {
    if (running || stopping || !(await store.active())) return;
    const lease = await deps.operations.tryBegin('storage migration', { resumeMigration: true });
    if (!lease) return;
    let launched = false;
    try {
      // Read again under the lock: the server that ran it may have finished it meanwhile.
      const row = await store.active();
      if (!row || running || stopping) return;
      // Every blob that failed before is tried again, so its old errors no longer apply.
      const patch = { resumed: row.resumed + 1, errors: [], errorCount: 0, lastError: null };
      await store.update(row.id, patch, deps.clock.now());
      log.info({ migration: row.id, target: row.target, status: row.status, done: row.done, total: row.total }, 'resuming a storage migration its server left');
      launch({ ...row, ...patch }, lease);
      launched = true;
    } finally {
      if (!launched) await lease.release();
    }
  }

  const checkForOrphans = () =>
    resumeOrphaned().catch((error: unknown) => log.error({ code: describeError(error).code }, 'checking for a storage migration to resume failed'));

  async function state(): Promise<StorageState> {
    // The migration first: once it reads as switched, the store and counts read after it are too.
    const row = (await store.active()) ?? (await store.latest());
    const [activeStore, usage] = await Promise.all([deps.settings.getActiveStoreId(), store.usage()]);
    return {
      activeStore,
      availableStores: deps.blobStores.ids(),
      blobCount: usage.blobs,
      totalBytes: usage.bytes,
      stores: usage.stores,
      migration: row && toStorageMigration(row, running?.start ?? null, deps.clock.now().getTime()),
    };
  }

  return {
    /** Starts a migration in the background; answers with the state once it is recorded. */
    async migrate(input: StorageMigrateInput, caller: { principalId: string | null }): Promise<StorageState> {
      const target = deps.blobStores.get(input.targetStoreId);
      const lease = await deps.operations.begin('storage migration');
      let launched = false;
      try {
        const source = await deps.settings.getActiveStoreId();
        const usage = await store.usage();
        const elsewhere = usage.blobs - (usage.stores.find((s) => s.id === target.id)?.blobs ?? 0);
        if (source === target.id && elsewhere === 0) {
          const others = deps.blobStores.ids().filter((id) => id !== target.id);
          throw new SpkError(
            'INVALID_INPUT',
            `"${target.id}" is already the active blob store and holds every indexed blob (${usage.blobs}), so there is nothing to migrate; ` +
              `to move the blobs, migrate to another store${others.length > 0 ? ` (${others.join(', ')})` : ''}`,
            { targetStoreId: target.id },
          );
        }
        const row = await store.begin({
          source,
          target: target.id,
          deleteSource: input.deleteSource ?? deps.deleteSource,
          requestedBy: caller.principalId,
          at: deps.clock.now(),
        });
        log.info({ migration: row.id, source, target: target.id, blobs: row.total, bytes: row.totalBytes, deleteSource: row.deleteSource }, 'storage migration started');
        launch(row, lease);
        launched = true;
      } finally {
        if (!launched) await lease.release();
      }
      return state();
    },
    state,
    /** At start and then periodically: resumes an active migration whose server stopped. */
    async start(): Promise<void> {
      stopping = false;
      await checkForOrphans();
      timer = setInterval(() => void checkForOrphans(), deps.resumeCheckMs ?? DEFAULT_RESUME_CHECK_MS).unref();
    },
    /** Resolves when the migration this instance runs (if any) has stopped; the row stays active for the next start. */
    async stop(): Promise<void> {
      stopping = true;
      clearInterval(timer);
      running?.abort.abort(new Error('the server is stopping'));
      await running?.done;
    },
  };
}

export type StorageMigrationService = ReturnType<typeof createStorageMigration>;
