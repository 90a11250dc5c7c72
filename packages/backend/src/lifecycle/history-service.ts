// install.history, install.rollback and install.pin. A rollback makes a committed state from the
// history the desired state again without the registry (the history keeps its blobs), restores the
// declared set it came from, and broadcasts the change like an install does.
import { SCRIPT_PACKAGES_CHANGED, SpkError, type HistoryEntry, type InstallHistory, type RollbackResult } from '@spk/common';
import type { HookBus, Clock, Logger } from '../services.ts';
import type { OperationLock } from '../install/operation-lock.ts';
import type { InstallStateStore } from '../stores/install-state-store.ts';
import { notInHistory, type HistoryStore } from './history-store.ts';

export interface HistoryServiceDeps {
  history: HistoryStore;
  state: Pick<InstallStateStore, 'read'>;
  operations: Pick<OperationLock, 'begin'>;
  hooks: HookBus;
  clock: Clock;
  logger: Logger;
  /** Entries kept besides pinned ones (SPK_HISTORY_KEEP). */
  keep: number;
}

const short = (hash: string) => hash.slice(0, 12);

export function createHistoryService(deps: HistoryServiceDeps) {
  const log = deps.logger.child({ component: 'history' });

  return {
    async list(): Promise<InstallHistory> {
      return { keep: deps.keep, entries: await deps.history.list() };
    },

    /**
     * Makes the history entry `ref` names the desired state; refused (409) while an install, a blob
     * GC run or a storage migration holds the operation lock.
     */
    async rollback(ref: string, caller: { principalId: string | null }): Promise<RollbackResult> {
      const lease = await deps.operations.begin('rollback');
      try {
        const entry = await deps.history.get(await deps.history.resolveRef(ref));
        // Pruned between the two reads: the same answer as an unknown reference.
        if (!entry) throw notInHistory(ref);
        const before = await deps.state.read();
        if (before.lockfileHash === entry.lockfileHash) {
          return {
            lockfileHash: entry.lockfileHash,
            previousHash: before.lockfileHash,
            declared: null,
            warnings: [`${short(entry.lockfileHash)} is already the desired state; nothing changed (the declared set was left as it is)`],
            state: before,
          };
        }

        // Every blob must still be published: hosts pull them from here, and the registry is not asked.
        const blobs = await deps.history.countUnindexedBlobs(entry.manifest);
        if (blobs.missing > 0) {
          throw new SpkError(
            'STORE_INCOMPLETE',
            `${blobs.missing} of the ${blobs.total} blobs of ${short(entry.lockfileHash)} are no longer in the blob store, so a rollback (which never asks the registry) cannot restore it; ` +
              'declare its packages again ("spk history --json" shows its declared set) and run "spk install" instead',
            { lockfileHash: entry.lockfileHash, missing: blobs.missing, total: blobs.total },
          );
        }

        const warnings: string[] = [];
        if (entry.declared === null) {
          warnings.push(
            `${short(entry.lockfileHash)} was committed before declared sets were recorded, so the current declared set was kept; ` +
              'it may not match the installed packages: check "spk packages list" before the next install',
          );
        }
        // The lease is lost (its session died): another instance may be elected already.
        lease.signal.throwIfAborted();
        const at = deps.clock.now();
        await deps.history.commitRollback({ lockfileHash: entry.lockfileHash, declared: entry.declared, committedBy: caller.principalId, at });
        log.info(
          { lockfileHash: entry.lockfileHash, previousHash: before.lockfileHash, packages: entry.packages, declared: entry.declared?.length ?? null, by: caller.principalId },
          'rolled back',
        );
        deps.hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash: entry.lockfileHash, committedAt: at.toISOString() });
        return { lockfileHash: entry.lockfileHash, previousHash: before.lockfileHash, declared: entry.declared, warnings, state: await deps.state.read() };
      } finally {
        await lease.release();
      }
    },

    async pin(ref: string, pinned: boolean): Promise<HistoryEntry> {
      const lockfileHash = await deps.history.resolveRef(ref);
      const entry = await deps.history.setPinned(lockfileHash, pinned);
      log.info({ lockfileHash, pinned }, pinned ? 'history entry pinned' : 'history entry unpinned');
      return entry;
    },
  };
}

export type HistoryService = ReturnType<typeof createHistoryService>;
