// What each host reports about the tree it runs; `hosts.status` lists these. `lastError` is shown to
// API callers, so SQL text that an older version stored there is withheld on the way in and out.
import { asc } from 'drizzle-orm';
import type { HostStatus } from '@spk/common';
import type { Db } from '../db/database.ts';
import { withoutQueryText } from '../errors/driver-error.ts';
import { hostStatus } from '../db/schema.ts';

export interface HostReport {
  hostId: string;
  kind: 'core' | 'satellite';
  lockfileHash: string | null;
  convergedAt: Date | null;
  lastError: string | null;
  at: Date;
}

export function createHostStatusStore(db: Db) {
  return {
    async report(r: HostReport): Promise<void> {
      const values = { hostId: r.hostId, kind: r.kind, lockfileHash: r.lockfileHash, convergedAt: r.convergedAt, lastError: r.lastError === null ? null : withoutQueryText(r.lastError), updatedAt: r.at };
      await db.insert(hostStatus).values(values).onConflictDoUpdate({ target: hostStatus.hostId, set: values });
    },

    async list(): Promise<HostStatus[]> {
      const rows = await db.select().from(hostStatus).orderBy(asc(hostStatus.hostId));
      return rows.map((r) => ({
        hostId: r.hostId,
        kind: r.kind,
        lockfileHash: r.lockfileHash,
        convergedAt: r.convergedAt?.toISOString() ?? null,
        lastError: r.lastError === null ? null : withoutQueryText(r.lastError),
        updatedAt: r.updatedAt.toISOString(),
      }));
    },
  };
}

export type HostStatusStore = ReturnType<typeof createHostStatusStore>;
