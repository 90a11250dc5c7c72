// A migration row as the API shows it, with the time left estimated from the copy rate: the rate
// since the run on this instance (re)started when it runs here, else the average since the
// migration started (downtime included, so a rough figure).
import type { StorageMigration } from '@spk/common';
import type { MigrationRow } from './migration-store.ts';

/** Where the run on this instance started counting: when, and the bytes already verified then. */
export interface RunStart {
  migrationId: number;
  at: number;
  bytesDone: number;
}

export function etaSeconds(row: MigrationRow, run: RunStart | null, now: number): number | null {
  if (row.status !== 'copying') return null;
  const left = row.totalBytes - row.bytesDone;
  if (left <= 0) return 0;
  const local = run?.migrationId === row.id ? run : null;
  const copied = local ? row.bytesDone - local.bytesDone : row.bytesDone;
  const seconds = (local ? now - local.at : row.updatedAt.getTime() - row.startedAt.getTime()) / 1000;
  if (copied <= 0 || seconds <= 0) return null;
  return Math.ceil(left / (copied / seconds));
}

export function toStorageMigration(row: MigrationRow, run: RunStart | null, now: number): StorageMigration {
  return {
    id: row.id,
    source: row.source,
    target: row.target,
    status: row.status,
    deleteSource: row.deleteSource,
    total: row.total,
    done: row.done,
    totalBytes: row.totalBytes,
    bytesDone: row.bytesDone,
    errors: row.errors,
    errorCount: row.errorCount,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    etaSeconds: etaSeconds(row, run, now),
    resumed: row.resumed,
    lastError: row.lastError,
  };
}
