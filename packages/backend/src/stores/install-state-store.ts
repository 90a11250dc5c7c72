// The durable desired state (the last committed manifest) and the state of the latest install
// attempt. A failed attempt never touches the committed manifest. Every write of an install is
// fenced by the generation its installer was elected with, so a stale installer changes nothing.
import { and, eq, sql } from 'drizzle-orm';
import { emptyInstallState, SpkError, type DesiredState, type InstallProgress, type InstallState, type Manifest, type StateError } from '@spk/common';
import type { Db } from '../db/database.ts';
import { installState, manifests } from '../db/schema.ts';

const SINGLETON = 1;
const mine = (generation: number) => and(eq(installState.id, SINGLETON), eq(installState.generation, generation));
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function createInstallStateStore(db: Db) {
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
      const [row] = await db
        .update(installState)
        .set({
          status: 'installing',
          error: null,
          warnings: [],
          progress: null,
          startedAt: at,
          finishedAt: null,
          generation: sql`${installState.generation} + 1`,
        })
        .where(eq(installState.id, SINGLETON))
        .returning({ generation: installState.generation });
      return row!.generation;
    },

    /** A no-op once a newer installer was elected. */
    async setProgress(progress: InstallProgress, generation: number): Promise<void> {
      await db.update(installState).set({ progress }).where(mine(generation));
    },

    /**
     * Records the manifest and makes it the desired state in one transaction, only while `generation`
     * is still the latest election; otherwise INSTALL_SUPERSEDED and nothing is written.
     */
    async commit(input: { lockfileHash: string; manifest: Manifest; totalSize: number; warnings: string[]; at: Date; generation: number }): Promise<void> {
      await db.transaction(async (tx) => {
        // The manifest row goes first (install_state references it); a refused commit rolls it back.
        await tx
          .insert(manifests)
          .values({ lockfileHash: input.lockfileHash, manifest: input.manifest, totalSize: input.totalSize, committedAt: input.at })
          .onConflictDoNothing({ target: manifests.lockfileHash });
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
            'this install was superseded: another installer was elected after it lost its lock, so its result was not committed; the newer install decides the desired state',
          );
        }
      });
    },

    /** Records a failed attempt; returns false (writing nothing) once a newer installer was elected. */
    async markFailed(error: StateError, at: Date, generation: number): Promise<boolean> {
      const rows = await db
        .update(installState)
        .set({ status: 'failed', error, progress: null, finishedAt: at })
        .where(mine(generation))
        .returning({ id: installState.id });
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
      return rows.length > 0;
    },
  };
}

export type InstallStateStore = ReturnType<typeof createInstallStateStore>;
