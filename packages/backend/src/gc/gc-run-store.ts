// The record of blob GC runs (gc_runs): a row is written 'running' when a run starts and finished
// as done or failed with what it did; rows a stopped server left running become 'interrupted'.
import { desc, eq } from 'drizzle-orm';
import type { GcRun } from '@spk/common';
import type { Db } from '../db/database.ts';
import { gcRuns } from '../db/schema.ts';

export interface GcRunOutcome {
  status: 'done' | 'failed';
  finishedAt: Date;
  durationMs: number;
  blobsDeleted: number;
  bytesFreed: number;
  blobsMarked: number;
  historyPruned: number;
  errors: string[];
}

const INTERRUPTED = 'the server running it stopped before it finished; the next run collects what it left';

function toGcRun(row: typeof gcRuns.$inferSelect): GcRun {
  return {
    id: row.id,
    trigger: row.trigger,
    requestedBy: row.requestedBy,
    status: row.status,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    durationMs: row.durationMs,
    blobsDeleted: row.blobsDeleted,
    bytesFreed: row.bytesFreed,
    blobsMarked: row.blobsMarked,
    historyPruned: row.historyPruned,
    errors: row.errors,
  };
}

export function createGcRunStore(db: Db) {
  return {
    async begin(input: { trigger: GcRun['trigger']; requestedBy: string | null; startedAt: Date }): Promise<GcRun> {
      const [row] = await db.insert(gcRuns).values({ ...input, status: 'running' }).returning();
      return toGcRun(row!);
    },

    async finish(id: number, outcome: GcRunOutcome): Promise<GcRun> {
      const [row] = await db.update(gcRuns).set(outcome).where(eq(gcRuns.id, id)).returning();
      return toGcRun(row!);
    },

    /** Only for the holder of the operation lock: any row still running then belongs to a server that stopped. */
    async markInterrupted(): Promise<number> {
      const rows = await db
        .update(gcRuns)
        .set({ status: 'interrupted', errors: [INTERRUPTED] })
        .where(eq(gcRuns.status, 'running'))
        .returning({ id: gcRuns.id });
      return rows.length;
    },

    /** Newest first. */
    async list(limit: number): Promise<GcRun[]> {
      const rows = await db.select().from(gcRuns).orderBy(desc(gcRuns.id)).limit(limit);
      return rows.map(toGcRun);
    },
  };
}

export type GcRunStore = ReturnType<typeof createGcRunStore>;
