// The blob index: which integrities are published, how big, in which store, and since when blob
// GC found one unreferenced (the grace it waits out before deleting it).
import { and, count, eq, inArray, isNotNull, isNull, lte, min, sum } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { blobIndex, blobReplicas } from '../db/schema.ts';

/** Rows per statement for bulk updates, well under PostgreSQL's bind-parameter limit. */
const BATCH = 1000;

async function inBatches(integrities: readonly string[], fn: (batch: string[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < integrities.length; i += BATCH) await fn(integrities.slice(i, i + BATCH));
}

/** How many of `integrities` (each counted once) the index lacks; `db` may be a transaction. */
export async function countUnindexed(db: Db, integrities: readonly string[]): Promise<{ missing: number; total: number }> {
  const needed = [...new Set(integrities)];
  let indexed = 0;
  await inBatches(needed, async (batch) => {
    const [row] = await db.select({ n: count() }).from(blobIndex).where(inArray(blobIndex.integrity, batch));
    indexed += Number(row?.n ?? 0);
  });
  return { missing: needed.length - indexed, total: needed.length };
}

export interface BlobIndexEntry {
  integrity: string;
  size: number;
  storeId: string;
  createdAt: Date;
}

export function createBlobIndexStore(db: Db) {
  return {
    async get(integrity: string): Promise<BlobIndexEntry | null> {
      const [row] = await db.select().from(blobIndex).where(eq(blobIndex.integrity, integrity));
      return row ?? null;
    },

    /** Sizes of the `integrities` already published in `storeId`. */
    async sizesIn(storeId: string, integrities: string[]): Promise<Map<string, number>> {
      if (integrities.length === 0) return new Map();
      const rows = await db
        .select({ integrity: blobIndex.integrity, size: blobIndex.size })
        .from(blobIndex)
        .where(and(eq(blobIndex.storeId, storeId), inArray(blobIndex.integrity, integrities)));
      return new Map(rows.map((r) => [r.integrity, r.size]));
    },

    async record(entry: { integrity: string; size: number; storeId: string; createdAt: Date }): Promise<void> {
      await db.insert(blobIndex).values(entry).onConflictDoNothing({ target: blobIndex.integrity });
    },

    async totals(): Promise<{ blobCount: number; totalBytes: number }> {
      const [row] = await db.select({ n: count(), bytes: sum(blobIndex.size) }).from(blobIndex);
      return { blobCount: Number(row?.n ?? 0), totalBytes: Number(row?.bytes ?? 0) };
    },

    /** Every indexed blob with its GC mark, for a blob GC run. */
    async listForGc(): Promise<Array<{ integrity: string; size: number; storeId: string; unreferencedSince: Date | null }>> {
      return db
        .select({ integrity: blobIndex.integrity, size: blobIndex.size, storeId: blobIndex.storeId, unreferencedSince: blobIndex.unreferencedSince })
        .from(blobIndex);
    },

    /** Marks `integrities` unreferenced since `at`; a blob already marked keeps its earlier mark. */
    async markUnreferenced(integrities: readonly string[], at: Date): Promise<void> {
      await inBatches(integrities, (batch) =>
        db.update(blobIndex).set({ unreferencedSince: at }).where(and(inArray(blobIndex.integrity, batch), isNull(blobIndex.unreferencedSince))),
      );
    },

    /** Clears the mark of `integrities`: they are referenced again. */
    async clearUnreferenced(integrities: readonly string[]): Promise<void> {
      await inBatches(integrities, (batch) => db.update(blobIndex).set({ unreferencedSince: null }).where(inArray(blobIndex.integrity, batch)));
    },

    /**
     * Takes blobs out of the index before their bytes go, and only those still marked unreferenced
     * since `markedBefore` or earlier: a blob referenced again meanwhile (its mark cleared by a
     * commit) stays, and an install checking the index no longer finds one about to be deleted.
     * Their records of verified copies go too, so a later migration never mistakes a copy of a blob
     * published again for one that is still there. Returns the rows taken, marks included.
     */
    async claimForDeletion(
      integrities: readonly string[],
      markedBefore: Date,
    ): Promise<Array<{ integrity: string; size: number; storeId: string; unreferencedSince: Date | null }>> {
      const claimed: Array<{ integrity: string; size: number; storeId: string; unreferencedSince: Date | null }> = [];
      await inBatches(integrities, (batch) =>
        db.transaction(async (tx) => {
          const rows = await tx
            .delete(blobIndex)
            .where(and(inArray(blobIndex.integrity, batch), lte(blobIndex.unreferencedSince, markedBefore)))
            .returning({ integrity: blobIndex.integrity, size: blobIndex.size, storeId: blobIndex.storeId, unreferencedSince: blobIndex.unreferencedSince });
          if (rows.length > 0) await tx.delete(blobReplicas).where(inArray(blobReplicas.integrity, rows.map((row) => row.integrity)));
          claimed.push(...rows);
        }),
      );
      return claimed;
    },

    /** Puts claimed rows back whose bytes could not be deleted, so the next run tries again (an install may have indexed one since: it stays). */
    async restore(rows: ReadonlyArray<{ integrity: string; size: number; storeId: string; unreferencedSince: Date | null; createdAt: Date }>): Promise<void> {
      if (rows.length === 0) return;
      await db.insert(blobIndex).values([...rows]).onConflictDoNothing({ target: blobIndex.integrity });
    },

    /** Marked blobs: how many, their bytes and the earliest mark (the first to pass the grace). */
    async unreferencedTotals(): Promise<{ blobs: number; bytes: number; earliest: Date | null }> {
      const [row] = await db
        .select({ n: count(), bytes: sum(blobIndex.size), earliest: min(blobIndex.unreferencedSince) })
        .from(blobIndex)
        .where(isNotNull(blobIndex.unreferencedSince));
      return { blobs: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0), earliest: row?.earliest ? new Date(row.earliest) : null };
    },
  };
}

export type BlobIndexStore = ReturnType<typeof createBlobIndexStore>;
