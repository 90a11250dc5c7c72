// What each host reports about the tree it runs; `hosts.status` lists these. `lastError` is shown to
// API callers: reporters store publicErrorMessage text, and SQL text that an older version stored
// there is withheld on the way out.
// A host reports at least once per poll interval, so one not seen for a few intervals is stale.
import { asc, sql } from 'drizzle-orm';
import { isStaleHost, type HostStatus } from '@spk/common';
import type { Db } from '../db/database.ts';
import { withoutQueryText } from '../errors/driver-error.ts';
import { hostStatus } from '../db/schema.ts';
import type { Clock } from '../services.ts';

export interface HostReport {
  hostId: string;
  kind: 'core' | 'satellite';
  lockfileHash: string | null;
  /** When this report saw the tree at `lockfileHash`; the first such time is kept while the hash stays. */
  convergedAt: Date | null;
  /** Shown to API callers as stored: a publicErrorMessage, never a raw driver message. */
  lastError: string | null;
  at: Date;
}

export interface HostStatusStoreOptions {
  clock: Clock;
  /** The poll interval of this instance, which every host is expected to share (SPK_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
}

export function createHostStatusStore(db: Db, options: HostStatusStoreOptions) {
  return {
    async report(r: HostReport): Promise<void> {
      const values = { hostId: r.hostId, kind: r.kind, lockfileHash: r.lockfileHash, convergedAt: r.convergedAt, lastError: r.lastError, updatedAt: r.at };
      // One statement, so two reports racing cannot lose the first convergence time.
      const keepConvergedAt = sql`case when ${hostStatus.lockfileHash} is not distinct from excluded.lockfile_hash and excluded.converged_at is not null
        then coalesce(${hostStatus.convergedAt}, excluded.converged_at) else excluded.converged_at end`;
      await db
        .insert(hostStatus)
        .values(values)
        .onConflictDoUpdate({ target: hostStatus.hostId, set: { ...values, convergedAt: keepConvergedAt } });
    },

    async list(): Promise<HostStatus[]> {
      const rows = await db.select().from(hostStatus).orderBy(asc(hostStatus.hostId));
      const now = options.clock.now();
      return rows.map((r) => ({
        hostId: r.hostId,
        kind: r.kind,
        lockfileHash: r.lockfileHash,
        convergedAt: r.convergedAt?.toISOString() ?? null,
        lastError: r.lastError === null ? null : withoutQueryText(r.lastError),
        lastSeenAt: r.updatedAt.toISOString(),
        stale: isStaleHost(r.updatedAt, now, options.pollIntervalMs),
        updatedAt: r.updatedAt.toISOString(),
      }));
    },
  };
}

export type HostStatusStore = ReturnType<typeof createHostStatusStore>;
