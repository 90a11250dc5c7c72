// The blob index: which integrities are published, how big, and in which store.
import { and, count, eq, inArray, sum } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { blobIndex } from '../db/schema.ts';

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
  };
}

export type BlobIndexStore = ReturnType<typeof createBlobIndexStore>;
