// The durable side of a storage migration: its row in storage_migrations, the verified copies it
// made (blob_replicas, the truth a resume starts from) and the switch of the blob index and the
// active store, done in one transaction so no reader ever sees half of it.
import { and, asc, count, desc, eq, gt, inArray, ne, notExists, sql, sum } from 'drizzle-orm';
import { ACTIVE_MIGRATION_STATUSES, type MigrationStatus } from '@spk/common';
import type { Db } from '../db/database.ts';
import { blobIndex, blobReplicas, storageConfig, storageMigrations } from '../db/schema.ts';

export type MigrationRow = typeof storageMigrations.$inferSelect;

export interface IndexedBlob {
  integrity: string;
  size: number;
  storeId: string;
}

/** A copy left in a store the blob was migrated away from (deleted when the migration deletes its source). */
export interface SourceCopy {
  integrity: string;
  storeId: string;
}

export interface ProgressPatch {
  status?: MigrationStatus;
  done?: number;
  bytesDone?: number;
  errors?: Array<{ integrity: string; message: string }>;
  errorCount?: number;
  resumed?: number;
  lastError?: string | null;
  finishedAt?: Date | null;
}

const SINGLETON = 1;

export function createMigrationStore(db: Db) {
  /** Indexed blobs not held by `target` per the index and not verified there yet: what is left to copy. */
  const remainingFor = (target: string) =>
    and(
      ne(blobIndex.storeId, target),
      notExists(
        db
          .select({ one: sql`1` })
          .from(blobReplicas)
          .where(and(eq(blobReplicas.integrity, blobIndex.integrity), eq(blobReplicas.storeId, target))),
      ),
    );

  async function remainingTotals(target: string, tx: Pick<Db, 'select'> = db): Promise<{ blobs: number; bytes: number }> {
    const [row] = await tx.select({ n: count(), bytes: sum(blobIndex.size) }).from(blobIndex).where(remainingFor(target));
    return { blobs: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  return {
    remainingTotals,

    /** The active migration (at most one), else null. */
    async active(): Promise<MigrationRow | null> {
      const [row] = await db
        .select()
        .from(storageMigrations)
        .where(inArray(storageMigrations.status, [...ACTIVE_MIGRATION_STATUSES]))
        .orderBy(desc(storageMigrations.id))
        .limit(1);
      return row ?? null;
    },

    async latest(): Promise<MigrationRow | null> {
      const [row] = await db.select().from(storageMigrations).orderBy(desc(storageMigrations.id)).limit(1);
      return row ?? null;
    },

    /**
     * Records a new migration to `target`, counting every indexed blob it does not hold yet. Copies
     * an earlier migration verified there are forgotten first: since then the store may have lost
     * them, so this one verifies every blob itself.
     */
    async begin(input: { source: string; target: string; deleteSource: boolean; requestedBy: string | null; at: Date }): Promise<MigrationRow> {
      return db.transaction(async (tx) => {
        await tx.delete(blobReplicas).where(eq(blobReplicas.storeId, input.target));
        const totals = await remainingTotals(input.target, tx);
        const [row] = await tx
          .insert(storageMigrations)
          .values({
            source: input.source,
            target: input.target,
            status: 'copying',
            deleteSource: input.deleteSource,
            total: totals.blobs,
            totalBytes: totals.bytes,
            requestedBy: input.requestedBy,
            startedAt: input.at,
            updatedAt: input.at,
          })
          .returning();
        return row!;
      });
    },

    /** Up to `limit` blobs left to copy to `target`, in integrity order after `after` (keyset paging: the set shrinks as copies are verified). */
    async remainingPage(target: string, after: string | null, limit: number): Promise<IndexedBlob[]> {
      return db
        .select({ integrity: blobIndex.integrity, size: blobIndex.size, storeId: blobIndex.storeId })
        .from(blobIndex)
        .where(after === null ? remainingFor(target) : and(remainingFor(target), gt(blobIndex.integrity, after)))
        .orderBy(asc(blobIndex.integrity))
        .limit(limit);
    },

    /** The blob is in `storeId`, re-read and verified: recorded before any progress count, so a resume never copies it again. */
    async recordReplica(integrity: string, storeId: string, at: Date): Promise<void> {
      await db
        .insert(blobReplicas)
        .values({ integrity, storeId, verifiedAt: at })
        .onConflictDoUpdate({ target: [blobReplicas.integrity, blobReplicas.storeId], set: { verifiedAt: at } });
    },

    async update(id: number, patch: ProgressPatch, at: Date): Promise<void> {
      await db.update(storageMigrations).set({ ...patch, updatedAt: at }).where(eq(storageMigrations.id, id));
    },

    /**
     * The switch, all or nothing: every blob is read from `target` from now on, `target` becomes the
     * active store, and the migration moves on (to deleting its source copies, or done). Refused
     * (returns false, nothing changed) unless every indexed blob is verified in `target`. Idempotent:
     * a migration that crashed while switching does it again.
     */
    async switchTo(migration: { id: number; target: string; deleteSource: boolean }, at: Date): Promise<boolean> {
      return db.transaction(async (tx) => {
        if ((await remainingTotals(migration.target, tx)).blobs > 0) return false;
        const { target } = migration;
        if (migration.deleteSource) {
          // Where each blob was read from until now holds a verified copy (the migration read it
          // through there): remember it, so deleting the source copies can resume after a crash.
          await tx.execute(
            sql`insert into ${blobReplicas} (integrity, store_id, verified_at)
                select ${blobIndex.integrity}, ${blobIndex.storeId}, ${at.toISOString()}::timestamptz from ${blobIndex} where ${blobIndex.storeId} <> ${target}
                on conflict do nothing`,
          );
        }
        await tx.update(blobIndex).set({ storeId: target }).where(ne(blobIndex.storeId, target));
        const active = { id: SINGLETON, activeStore: target, updatedAt: at };
        await tx.insert(storageConfig).values(active).onConflictDoUpdate({ target: storageConfig.id, set: active });
        if (!migration.deleteSource) await tx.delete(blobReplicas).where(eq(blobReplicas.storeId, target));
        await tx
          .update(storageMigrations)
          .set(migration.deleteSource ? { status: 'deleting-source', updatedAt: at } : { status: 'done', updatedAt: at, finishedAt: at })
          .where(eq(storageMigrations.id, migration.id));
        return true;
      });
    },

    /** Up to `limit` copies of blobs now read from `target` left in other stores. */
    async sourceCopies(target: string, limit: number): Promise<SourceCopy[]> {
      return db
        .select({ integrity: blobReplicas.integrity, storeId: blobReplicas.storeId })
        .from(blobReplicas)
        .innerJoin(blobIndex, eq(blobIndex.integrity, blobReplicas.integrity))
        .where(and(eq(blobIndex.storeId, target), ne(blobReplicas.storeId, target)))
        .orderBy(asc(blobReplicas.integrity), asc(blobReplicas.storeId))
        .limit(limit);
    },

    async forgetReplica(copy: SourceCopy): Promise<void> {
      await db.delete(blobReplicas).where(and(eq(blobReplicas.integrity, copy.integrity), eq(blobReplicas.storeId, copy.storeId)));
    },

    /** The end of a migration that deleted its source: the target's records are the index itself now. */
    async finish(migration: { id: number; target: string }, patch: ProgressPatch, at: Date): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.delete(blobReplicas).where(eq(blobReplicas.storeId, migration.target));
        await tx.update(storageMigrations).set({ ...patch, status: 'done', updatedAt: at, finishedAt: at }).where(eq(storageMigrations.id, migration.id));
      });
    },

    /** Indexed blobs, in all and per store. */
    async usage(): Promise<{ blobs: number; bytes: number; stores: Array<{ id: string; blobs: number; bytes: number }> }> {
      const rows = await db
        .select({ id: blobIndex.storeId, n: count(), bytes: sum(blobIndex.size) })
        .from(blobIndex)
        .groupBy(blobIndex.storeId)
        .orderBy(asc(blobIndex.storeId));
      const stores = rows.map((r) => ({ id: r.id, blobs: Number(r.n), bytes: Number(r.bytes ?? 0) }));
      return { blobs: stores.reduce((n, s) => n + s.blobs, 0), bytes: stores.reduce((n, s) => n + s.bytes, 0), stores };
    },
  };
}

export type MigrationStore = ReturnType<typeof createMigrationStore>;
