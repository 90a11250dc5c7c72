// One exclusive operation at a time cluster-wide: an install, a rollback, a blob GC run, a storage
// migration or a blob store switch. The installer lock elects across instances; on PGlite (one
// session, a re-entrant advisory lock) the in-process holder is what excludes. A storage migration
// stays active in the database across restarts, so every other operation also checks for one
// after it is elected, and a refusal names what is running and what to do.
import { SpkError } from '@spk/common';
import type { Database } from '../db/database.ts';
import type { Logger } from '../services.ts';
import { createInstallerLock, type InstallerLease, type InstallerLockOptions } from './installer-lock.ts';

export type ExclusiveOperation = 'install' | 'rollback' | 'blob GC' | 'storage migration' | 'store switch';

export interface OperationLease extends InstallerLease {
  readonly operation: ExclusiveOperation;
}

/** What runs elsewhere when the lock is busy, read from the durable state (for the refusal). */
export interface BusyProbe {
  /** An active storage migration (it may have lost its server and await a resume). */
  activeMigration(): Promise<{ target: string; done: number; total: number } | null>;
  installing(): Promise<boolean>;
  gcRunning(): Promise<boolean>;
}

export interface OperationLockDeps {
  database: Database;
  logger: Logger;
  probe: BusyProbe;
  lease?: InstallerLockOptions;
}

const verbs: Record<ExclusiveOperation, string> = {
  install: 'trigger the install',
  rollback: 'roll back',
  'blob GC': 'run blob GC',
  'storage migration': 'start the migration',
  'store switch': 'switch the blob store',
};

function migrationRunning(wanted: ExclusiveOperation, migration: { target: string; done: number; total: number }): SpkError {
  return new SpkError(
    'MIGRATION_IN_PROGRESS',
    `a storage migration to "${migration.target}" is running (${migration.done} of ${migration.total} blobs verified); ` +
      `${verbs[wanted]} once it has finished: "spk storage state" shows its progress`,
    { target: migration.target, done: migration.done, total: migration.total },
  );
}

function busy(wanted: ExclusiveOperation, running: ExclusiveOperation | 'unknown'): SpkError {
  const then = `${verbs[wanted]} once it has finished`;
  switch (running) {
    case 'install':
      return new SpkError('INSTALL_IN_PROGRESS', `an install is in progress; ${then} (spk install --wait waits for it)`);
    case 'rollback':
      return new SpkError('INSTALL_IN_PROGRESS', `a rollback is in progress; ${then}`);
    case 'blob GC':
      return new SpkError('GC_IN_PROGRESS', `a blob GC run is in progress; ${then} ("spk gc state" shows it)`);
    case 'store switch':
      return new SpkError('INSTALL_IN_PROGRESS', `the blob store is being switched; ${then}`);
    case 'storage migration':
      return new SpkError('MIGRATION_IN_PROGRESS', `a storage migration is running; ${then}: "spk storage state" shows its progress`);
    default:
      return new SpkError('INSTALL_IN_PROGRESS', `another instance holds the installer lock (an install, rollback, blob GC or storage migration); ${then}`);
  }
}

export function createOperationLock(deps: OperationLockDeps) {
  const lock = createInstallerLock(deps.database, deps.logger, deps.lease);
  let holder: ExclusiveOperation | null = null;

  async function whatRuns(): Promise<ExclusiveOperation | 'unknown'> {
    if (holder) return holder;
    if (await deps.probe.activeMigration()) return 'storage migration';
    if (await deps.probe.installing()) return 'install';
    if (await deps.probe.gcRunning()) return 'blob GC';
    return 'unknown';
  }

  async function refusal(wanted: ExclusiveOperation): Promise<SpkError> {
    if (!holder) {
      const migration = await deps.probe.activeMigration();
      if (migration) return migrationRunning(wanted, migration);
    }
    return busy(wanted, await whatRuns());
  }

  return {
    /** The operation this process runs under the lock, if any. */
    running: (): ExclusiveOperation | null => holder,

    /**
     * Elects this caller for `operation`, or throws the refusal naming what runs instead. An active
     * storage migration refuses every other operation even when no server runs it at the moment;
     * `resumeMigration` lets the migration itself take the lock to carry on.
     */
    async begin(operation: ExclusiveOperation, options: { resumeMigration?: boolean } = {}): Promise<OperationLease> {
      // Claimed synchronously: two callers in one process cannot both pass across an await.
      if (holder) throw await refusal(operation);
      holder = operation;
      let lease: InstallerLease | null = null;
      try {
        lease = await lock.tryAcquire();
        if (!lease) {
          holder = null;
          throw await refusal(operation);
        }
        const migration = await deps.probe.activeMigration();
        if (migration && !(operation === 'storage migration' && options.resumeMigration)) throw migrationRunning(operation, migration);
      } catch (error) {
        if (lease) await lease.release();
        if (holder === operation) holder = null;
        throw error;
      }
      const held = lease;
      let released = false;
      return {
        operation,
        signal: held.signal,
        async release() {
          if (released) return;
          released = true;
          await held.release();
          holder = null;
        },
      };
    },

    /** Like `begin`, but null instead of a refusal: for scheduled work that simply waits for the next tick. */
    async tryBegin(operation: ExclusiveOperation, options: { resumeMigration?: boolean } = {}): Promise<OperationLease | null> {
      try {
        return await this.begin(operation, options);
      } catch (error) {
        if (error instanceof SpkError && ['INSTALL_IN_PROGRESS', 'GC_IN_PROGRESS', 'MIGRATION_IN_PROGRESS'].includes(error.code)) return null;
        throw error;
      }
    },
  };
}

export type OperationLock = ReturnType<typeof createOperationLock>;
