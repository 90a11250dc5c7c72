// Cluster-wide blob GC (gc.run, gc.state, and its schedule): under the operation lock, so never
// during an install, rollback, store switch or migration, it prunes the history, then deletes the
// blobs that neither the desired state nor a kept history entry references once they have stayed
// unreferenced for the grace (see blob-gc.ts), and records each run.
import { mapConcurrent } from '@spk/reconciler';
import { SpkError, type GcRun, type GcState } from '@spk/common';
import type { Db } from '../db/database.ts';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { describeError, publicErrorMessage } from '../errors/driver-error.ts';
import type { OperationLease, OperationLock } from '../install/operation-lock.ts';
import type { HistoryStore } from '../lifecycle/history-store.ts';
import type { Clock, Logger } from '../services.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import { createInstallStateStore } from '../stores/install-state-store.ts';
import { eligibleAt, planBlobGc, type IndexedBlob } from './blob-gc.ts';
import { createGcRunStore } from './gc-run-store.ts';

export interface BlobGcServiceDeps {
  db: Db;
  history: HistoryStore;
  blobStores: BlobStoreRegistry;
  operations: OperationLock;
  clock: Clock;
  logger: Logger;
  settings: { blobGraceMs: number; intervalMs: number; historyKeep: number; treeGraceMs: number };
}

/** Store deletes at once. */
const DELETE_CONCURRENCY = 8;
/** Blobs deleted from their stores before their index rows go, in one statement. */
const DELETE_BATCH = 500;
/** Runs `gc.state` lists. */
const RUNS_SHOWN = 20;
/** Error messages a run keeps; the rest are counted (each one is in the server log). */
const ERRORS_KEPT = 50;

type RunInput = { trigger: GcRun['trigger']; requestedBy: string | null };

export function createBlobGcService(deps: BlobGcServiceDeps) {
  const log = deps.logger.child({ component: 'blob-gc' });
  const runs = createGcRunStore(deps.db);
  const blobIndex = createBlobIndexStore(deps.db);
  const installState = createInstallStateStore(deps.db);
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | null = null;
  let nextRunAt: Date | null = null;

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  }

  async function referencedIntegrities(): Promise<Set<string>> {
    const referenced = new Set(await deps.history.keptIntegrities());
    // The desired state is a kept history entry; reading it directly as well means no gap in the
    // history's bookkeeping can ever expose the blobs every host needs right now.
    const desired = await installState.readDesired();
    for (const entry of desired?.manifest ?? []) referenced.add(entry.integrity);
    return referenced;
  }

  /**
   * Deletes `blobs`, a batch at a time: first their index rows, only of those still marked past the
   * grace (so an install that checks the index, even one elected while this run's lock session was
   * being lost, republishes rather than counts on a blob about to go; and its commit checks every
   * blob is indexed), then their bytes. A blob whose bytes cannot be deleted gets its row back, so
   * the next run tries again; a crash in between leaves bytes no index row names (a leak, never a loss).
   */
  async function deleteBlobs(
    lease: OperationLease,
    blobs: IndexedBlob[],
    markedBefore: Date,
    onDeleted: (blob: IndexedBlob) => void,
    onError: (blob: IndexedBlob, error: unknown) => void,
  ): Promise<void> {
    for (let i = 0; i < blobs.length; i += DELETE_BATCH) {
      // Without the lock an install may be publishing again: stop deleting at once.
      if (lease.signal.aborted) {
        throw new SpkError('INSTALL_LEASE_LOST', 'blob GC lost the installer lock (its database session closed) and stopped; the blobs it did not delete wait for the next run');
      }
      const claimed = await blobIndex.claimForDeletion(
        blobs.slice(i, i + DELETE_BATCH).map((blob) => blob.integrity),
        markedBefore,
      );
      const kept: typeof claimed = [];
      await mapConcurrent(claimed, DELETE_CONCURRENCY, async (blob) => {
        try {
          await deps.blobStores.get(blob.storeId).delete(blob.integrity);
          onDeleted(blob);
        } catch (error) {
          kept.push(blob);
          onError(blob, error);
        }
      });
      await blobIndex.restore(kept.map((blob) => ({ ...blob, createdAt: deps.clock.now() })));
    }
  }

  async function collect(lease: OperationLease, input: RunInput): Promise<GcRun> {
    // Holding the lock, no other GC runs anywhere: a row still running was left by a stopped server.
    await runs.markInterrupted();
    const started = performance.now();
    const record = await runs.begin({ ...input, startedAt: deps.clock.now() });
    const counts = { blobsDeleted: 0, bytesFreed: 0, blobsMarked: 0, historyPruned: 0 };
    const errors: string[] = [];
    let errorCount = 0;
    const fail = (message: string) => {
      if (errorCount++ < ERRORS_KEPT) errors.push(message);
    };
    let status: 'done' | 'failed' = 'done';
    try {
      counts.historyPruned = await deps.history.prune(deps.settings.historyKeep);
      const referenced = await referencedIntegrities();
      const now = deps.clock.now();
      const plan = planBlobGc({ blobs: await blobIndex.listForGc(), referenced, now, graceMs: deps.settings.blobGraceMs });
      await blobIndex.clearUnreferenced(plan.clear.map((blob) => blob.integrity));
      await blobIndex.markUnreferenced(plan.mark.map((blob) => blob.integrity), now);
      counts.blobsMarked = plan.mark.length;
      await deleteBlobs(
        lease,
        plan.remove,
        new Date(now.getTime() - deps.settings.blobGraceMs),
        (blob) => {
          counts.blobsDeleted++;
          counts.bytesFreed += blob.size;
        },
        (blob, error) => {
          log.warn({ ...describeError(error), integrity: blob.integrity, storeId: blob.storeId }, 'blob GC could not delete a blob');
          fail(`could not delete ${blob.integrity} from the "${blob.storeId}" blob store: ${publicErrorMessage(error, 'the delete failed')}; the next run tries again`);
        },
      );
    } catch (error) {
      status = 'failed';
      log.error(describeError(error), 'blob GC run failed');
      fail(publicErrorMessage(error, 'blob GC failed'));
    }
    if (errorCount > ERRORS_KEPT) errors.push(`… and ${errorCount - ERRORS_KEPT} more errors (the server log has each one)`);
    const durationMs = Math.round(performance.now() - started);
    const finished = await runs.finish(record.id, { status, finishedAt: deps.clock.now(), durationMs, ...counts, errors });
    log.info({ runId: record.id, trigger: input.trigger, status, ...counts, errors: errorCount, durationMs }, 'blob GC run finished');
    return finished;
  }

  async function runHolding(lease: OperationLease, input: RunInput): Promise<GcRun> {
    try {
      return await collect(lease, input);
    } finally {
      await lease.release();
    }
  }

  async function scheduledRun(): Promise<void> {
    try {
      // A busy lock (install, migration, a GC elsewhere) just waits for the next tick.
      const lease = await deps.operations.tryBegin('blob GC');
      if (!lease) return;
      // Every instance keeps the schedule: one that finds a run (from any instance) started within
      // the last interval leaves it at that, so a cluster runs about once per interval, not once per instance.
      const [last] = await runs.list(1).catch(async (error: unknown) => {
        await lease.release();
        throw error;
      });
      const since = last ? deps.clock.now().getTime() - new Date(last.startedAt).getTime() : Infinity;
      if (since < deps.settings.intervalMs * 0.9) {
        await lease.release();
        return;
      }
      await runHolding(lease, { trigger: 'schedule', requestedBy: null });
    } catch (error) {
      log.error(describeError(error), 'scheduled blob GC could not run; the next tick tries again');
    }
  }

  return {
    /** Runs blob GC now under the operation lock; GC_IN_PROGRESS, INSTALL_IN_PROGRESS or MIGRATION_IN_PROGRESS when it cannot. */
    async run(input: RunInput): Promise<GcRun> {
      return track(deps.operations.begin('blob GC').then((lease) => runHolding(lease, input)));
    },

    async state(): Promise<GcState> {
      const [pending, recent] = await Promise.all([blobIndex.unreferencedTotals(), runs.list(RUNS_SHOWN)]);
      return {
        settings: { ...deps.settings },
        nextRunAt: nextRunAt?.toISOString() ?? null,
        pending: {
          blobs: pending.blobs,
          bytes: pending.bytes,
          nextEligibleAt: pending.earliest ? eligibleAt(pending.earliest, deps.settings.blobGraceMs).toISOString() : null,
        },
        runs: recent,
      };
    },

    /** Marks runs a stopped server left `running` as interrupted, and starts the schedule. */
    async start(): Promise<void> {
      // Only with the lock: a run in progress on another instance is not one a stopped server left.
      const lease = await deps.operations.tryBegin('blob GC');
      if (lease) {
        try {
          const interrupted = await runs.markInterrupted();
          if (interrupted > 0) log.warn({ interrupted }, 'blob GC runs a stopped server left running are marked interrupted');
        } finally {
          await lease.release();
        }
      }
      const { intervalMs } = deps.settings;
      if (intervalMs > 0 && !timer) {
        const scheduleNext = () => (nextRunAt = new Date(deps.clock.now().getTime() + intervalMs));
        scheduleNext();
        timer = setInterval(() => {
          scheduleNext();
          // A tick during a run of this instance is skipped rather than queued behind it.
          if (inFlight.size === 0) void track(scheduledRun());
        }, intervalMs).unref();
      }
    },

    /** Stops the schedule and waits for a run in flight. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      nextRunAt = null;
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type BlobGcService = ReturnType<typeof createBlobGcService>;
