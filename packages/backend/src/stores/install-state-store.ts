// The durable desired state (the last committed manifest) and the state of the latest install
// attempt. A failed attempt never touches the committed manifest. Every write of an install is
// fenced by the generation its installer was elected with, so a stale installer changes nothing.
// Each commit (or rollback) also records the manifest in the history (the manifests table).
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import {
  emptyInstallState,
  SpkError,
  type DeclaredSnapshotEntry,
  type DesiredState,
  type InstallProgress,
  type InstallState,
  type Manifest,
  type StateError,
} from '@spk/common';
import type { Db } from '../db/database.ts';
import { blobIndex, installState, manifests } from '../db/schema.ts';
import { countUnindexed } from './blob-index-store.ts';

const SINGLETON = 1;
const mine = (generation: number) => and(eq(installState.id, SINGLETON), eq(installState.generation, generation));
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * In the transaction making `lockfileHash` the desired state: its blobs are referenced again, so
 * should they become unreferenced later, blob GC's grace starts over instead of from an old mark.
 */
export async function markBlobsReferenced(tx: Db, lockfileHash: string): Promise<void> {
  await tx
    .update(blobIndex)
    .set({ unreferencedSince: null })
    .where(
      and(
        isNotNull(blobIndex.unreferencedSince),
        sql`${blobIndex.integrity} in (select jsonb_array_elements(${manifests.manifest}) ->> 'integrity' from ${manifests} where ${manifests.lockfileHash} = ${lockfileHash})`,
      ),
    );
}

/**
 * In a rollback's transaction: makes `lockfileHash` (already in the history) the desired state as a
 * finished, successful attempt, and bumps the generation so an installer elected before it (one that
 * lost its lock) can no longer commit over it. Returns the new generation.
 */
export async function setDesiredByRollback(tx: Db, lockfileHash: string, at: Date): Promise<number> {
  const generation = await electNext(tx, { status: 'idle', lockfileHash, startedAt: at, finishedAt: at, committedAt: at });
  // A history entry exists only through a commit, which needs the row: its absence is a broken database.
  if (generation === null) throw new SpkError('INTERNAL', 'the install state row is missing although the history has entries; restart the server to recreate it');
  return generation;
}

/** Starts a new election (the fencing token) with an attempt's fresh state: no error, warnings or progress. Null without the row. */
async function electNext(db: Db, values: Pick<typeof installState.$inferInsert, 'status' | 'lockfileHash' | 'startedAt' | 'finishedAt' | 'committedAt'>): Promise<number | null> {
  const [row] = await db
    .update(installState)
    .set({ ...values, warnings: [], error: null, progress: null, generation: sql`${installState.generation} + 1` })
    .where(eq(installState.id, SINGLETON))
    .returning({ generation: installState.generation });
  return row?.generation ?? null;
}

export function createInstallStateStore(db: Db, options: { onWrite?: () => void } = {}) {
  // install.watch streams on this instance wake on it instead of waiting for their next re-read.
  const written = () => options.onWrite?.();
  async function ensureRow(): Promise<void> {
    await db.insert(installState).values({ id: SINGLETON, status: 'idle' }).onConflictDoNothing({ target: installState.id });
  }

  async function read(): Promise<InstallState> {
    const [row] = await db
      .select({ state: installState, manifest: manifests.manifest, totalSize: manifests.totalSize })
      .from(installState)
      .leftJoin(manifests, eq(manifests.lockfileHash, installState.lockfileHash))
      .where(eq(installState.id, SINGLETON));
    if (!row) return emptyInstallState();
    const s = row.state;
    return {
      status: s.status,
      lockfileHash: s.lockfileHash,
      manifest: row.manifest ?? [],
      totalSize: row.totalSize ?? 0,
      warnings: s.warnings,
      error: s.error ?? null,
      progress: s.progress ?? null,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
      committedAt: iso(s.committedAt),
    };
  }

  return {
    read,

    async readDesired(): Promise<DesiredState | null> {
      const state = await read();
      return state.lockfileHash ? { lockfileHash: state.lockfileHash, manifest: state.manifest } : null;
    },

    async readDesiredHash(): Promise<string | null> {
      const [row] = await db.select({ lockfileHash: installState.lockfileHash }).from(installState).where(eq(installState.id, SINGLETON));
      return row?.lockfileHash ?? null;
    },

    async readManifest(lockfileHash: string): Promise<Manifest | null> {
      const [row] = await db.select({ manifest: manifests.manifest }).from(manifests).where(eq(manifests.lockfileHash, lockfileHash));
      return row?.manifest ?? null;
    },

    /** Called by a newly elected installer: returns its fencing token (the new generation). */
    async markStarted(at: Date): Promise<number> {
      await ensureRow();
      const generation = (await electNext(db, { status: 'installing', startedAt: at, finishedAt: null }))!;
      written();
      return generation;
    },

    /** A no-op once a newer installer was elected. */
    async setProgress(progress: InstallProgress, generation: number): Promise<void> {
      await db.update(installState).set({ progress }).where(mine(generation));
      written();
    },

    /**
     * Records the manifest in the history (who committed it, from which declared set) and makes it the
     * desired state in one transaction, only while `generation` is still the latest election;
     * otherwise INSTALL_SUPERSEDED and nothing is written. A hash already in the history becomes its
     * newest entry again.
     */
    async commit(input: {
      lockfileHash: string;
      manifest: Manifest;
      totalSize: number;
      warnings: string[];
      at: Date;
      generation: number;
      /** The whole declared set the install started from (disabled packages included). */
      declared?: DeclaredSnapshotEntry[] | null;
      committedBy?: string | null;
    }): Promise<void> {
      const recorded = { committedAt: input.at, committedBy: input.committedBy ?? null, source: 'install' as const, declared: input.declared ?? null };
      await db.transaction(async (tx) => {
        // The manifest row goes first (install_state references it); a refused commit rolls it back.
        await tx
          .insert(manifests)
          .values({ lockfileHash: input.lockfileHash, manifest: input.manifest, totalSize: input.totalSize, ...recorded })
          .onConflictDoUpdate({
            target: manifests.lockfileHash,
            // A commit that does not know its declared set keeps the one recorded before.
            set: { ...recorded, declared: sql`coalesce(excluded.declared, ${manifests.declared})` },
          });
        const updated = await tx
          .update(installState)
          .set({
            status: 'idle',
            lockfileHash: input.lockfileHash,
            warnings: input.warnings,
            error: null,
            progress: null,
            finishedAt: input.at,
            committedAt: input.at,
          })
          .where(mine(input.generation))
          .returning({ id: installState.id });
        if (updated.length === 0) {
          throw new SpkError(
            'INSTALL_SUPERSEDED',
            'this install was superseded: another installer was elected (or a rollback ran) after it lost its lock, so its result was not committed; the newer install or rollback decides the desired state',
          );
        }
        await markBlobsReferenced(tx, input.lockfileHash);
        // Published blobs leave the index only through blob GC, under the lock this install holds;
        // should that lock have been lost unnoticed, a blob GC took meanwhile must not be committed to.
        const unindexed = await countUnindexed(
          tx,
          input.manifest.map((entry) => entry.integrity),
        );
        if (unindexed.missing > 0) {
          throw new SpkError(
            'BLOB_MISSING',
            `${unindexed.missing} of the ${unindexed.total} blobs this install resolved were removed from the blob store while it ran (blob GC ran while this installer's lock session was being lost), so it was not committed; trigger the install again`,
          );
        }
      });
      written();
    },

    /** Records a failed attempt; returns false (writing nothing) once a newer installer was elected. */
    async markFailed(error: StateError, at: Date, generation: number): Promise<boolean> {
      const rows = await db
        .update(installState)
        .set({ status: 'failed', error, progress: null, finishedAt: at })
        .where(mine(generation))
        .returning({ id: installState.id });
      written();
      return rows.length > 0;
    },

    /**
     * An instance that died mid-install leaves `installing` behind; the next elected installer clears
     * it, and bumps the generation so the stale installer, should it still be running, is fenced off.
     */
    async clearStaleInstalling(at: Date): Promise<boolean> {
      const rows = await db
        .update(installState)
        .set({
          generation: sql`${installState.generation} + 1`,
          status: 'failed',
          error: sql`${JSON.stringify({ code: 'INTERNAL', message: 'the previous install was interrupted (its instance stopped); trigger the install again' })}::jsonb`,
          progress: null,
          finishedAt: at,
        })
        .where(eq(installState.status, 'installing'))
        .returning({ id: installState.id });
      written();
      return rows.length > 0;
    },
  };
}

export type InstallStateStore = ReturnType<typeof createInstallStateStore>;
