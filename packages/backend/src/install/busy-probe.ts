// What holds the installer lock, as the database tells it: for refusals that name the operation
// running elsewhere (see operation-lock.ts).
import { desc, eq, inArray } from 'drizzle-orm';
import { ACTIVE_MIGRATION_STATUSES } from '@spk/common';
import type { Db } from '../db/database.ts';
import { gcRuns, installState, storageMigrations } from '../db/schema.ts';
import type { BusyProbe } from './operation-lock.ts';

export function createBusyProbe(db: Db): BusyProbe {
  return {
    async activeMigration() {
      const [row] = await db
        .select({ target: storageMigrations.target, done: storageMigrations.done, total: storageMigrations.total })
        .from(storageMigrations)
        .where(inArray(storageMigrations.status, [...ACTIVE_MIGRATION_STATUSES]))
        .orderBy(desc(storageMigrations.id))
        .limit(1);
      return row ?? null;
    },
    async installing() {
      const [row] = await db.select({ status: installState.status }).from(installState).where(eq(installState.id, 1));
      return row?.status === 'installing';
    },
    async gcRunning() {
      const [row] = await db.select({ status: gcRuns.status }).from(gcRuns).orderBy(desc(gcRuns.id)).limit(1);
      return row?.status === 'running';
    },
  };
}
