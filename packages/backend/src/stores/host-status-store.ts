// What each host reports about the tree it runs; `hosts.status` lists these. `lastError` is shown to
// API callers: reporters store publicErrorMessage text (or an agent's own report, length-capped by
// the contract), and SQL text that an older version stored there is withheld on the way out.
// A host reports at least once per poll interval, so one not seen for a few intervals is stale.
// A satellite's row records which satellite owns it; no other host may write it, a satellite has one
// row, and a satellite's name is reserved as its host id.
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import { isStaleHost, type HostDisk, type HostStatus } from '@spk/common';
import type { Db } from '../db/database.ts';
import { withoutQueryText } from '../errors/driver-error.ts';
import { hostStatus, satellites } from '../db/schema.ts';
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
  /** Trees and cache on the host as its last GC pass measured them; left out (or null), the stored one stays. */
  disk?: HostDisk | null;
}

export interface SatelliteReport extends Omit<HostReport, 'kind'> {
  /** The satellite that sends it: the owner of the row. */
  satellite: string;
  agentVersion: string;
  hostname: string;
  lastPull: { blobs: number; bytes: number } | null;
}

export interface HostStatusStoreOptions {
  clock: Clock;
  /** The poll interval of this instance, which every host is expected to share (SPK_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** Called after each report is written (hosts.watch streams on this instance wake on it). */
  onWrite?: () => void;
}

// One statement, so two reports racing cannot lose the first convergence time.
const keepConvergedAt = sql`case when ${hostStatus.lockfileHash} is not distinct from excluded.lockfile_hash and excluded.converged_at is not null
  then coalesce(${hostStatus.convergedAt}, excluded.converged_at) else excluded.converged_at end`;

/** Disk usage is measured seldom (each GC pass) and reported often: a report without it keeps the last one. */
const diskOf = (r: Pick<HostReport, 'disk'>) => (r.disk ? { disk: r.disk } : {});

export function createHostStatusStore(db: Db, options: HostStatusStoreOptions) {
  return {
    /** A core instance's report. A core owns its host id: a satellite's row of that id becomes the core's. */
    async report(r: HostReport): Promise<void> {
      const values = {
        hostId: r.hostId,
        kind: r.kind,
        lockfileHash: r.lockfileHash,
        convergedAt: r.convergedAt,
        lastError: r.lastError,
        updatedAt: r.at,
        satellite: null,
        agentVersion: null,
        hostname: null,
        pullBlobs: null,
        pullBytes: null,
        ...diskOf(r),
      };
      await db
        .insert(hostStatus)
        .values(values)
        .onConflictDoUpdate({ target: hostStatus.hostId, set: { ...values, convergedAt: keepConvergedAt } });
      options.onWrite?.();
    },

    /**
     * A satellite's report; written only when the host id is new or already this satellite's.
     * Returns false (writing nothing) when a core instance or another satellite holds the id.
     */
    async reportSatellite(r: SatelliteReport): Promise<boolean> {
      const values = {
        hostId: r.hostId,
        kind: 'satellite' as const,
        lockfileHash: r.lockfileHash,
        convergedAt: r.convergedAt,
        lastError: r.lastError,
        updatedAt: r.at,
        satellite: r.satellite,
        agentVersion: r.agentVersion,
        hostname: r.hostname,
        pullBlobs: r.lastPull?.blobs ?? null,
        pullBytes: r.lastPull?.bytes ?? null,
        ...diskOf(r),
      };
      const stored = await db.transaction(async (tx) => {
        // Another satellite's name is its default host id: reserved for it even before it first reports.
        if (r.hostId !== r.satellite) {
          const [named] = await tx
            .select({ name: satellites.name })
            .from(satellites)
            .where(and(eq(satellites.name, r.hostId), isNull(satellites.revokedAt)));
          if (named) return false;
        }
        const written = await tx
          .insert(hostStatus)
          .values(values)
          .onConflictDoUpdate({
            target: hostStatus.hostId,
            set: { ...values, convergedAt: keepConvergedAt },
            setWhere: and(eq(hostStatus.kind, 'satellite'), eq(hostStatus.satellite, r.satellite)),
          })
          .returning({ hostId: hostStatus.hostId });
        if (written.length === 0) return false;
        // One satellite, one row: a row under the host id it reported before (SPK_HOST_ID changed) goes.
        await tx.delete(hostStatus).where(and(eq(hostStatus.satellite, r.satellite), ne(hostStatus.hostId, r.hostId)));
        return true;
      });
      if (stored) options.onWrite?.();
      return stored;
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
        satellite:
          r.kind === 'satellite' && r.satellite !== null
            ? {
                name: r.satellite,
                agentVersion: r.agentVersion ?? '',
                hostname: r.hostname ?? '',
                lastPull: r.pullBlobs === null || r.pullBytes === null ? null : { blobs: r.pullBlobs, bytes: r.pullBytes },
              }
            : null,
        disk: r.disk ?? null,
      }));
    },
  };
}

export type HostStatusStore = ReturnType<typeof createHostStatusStore>;
