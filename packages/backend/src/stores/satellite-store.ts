// The satellites table: one row per satellite identity, keyed by the sha256 of its token. Active
// identities are found by hash (one primary-key lookup per agent request, no cache, so a revoke
// counts on every instance at once); a revoked row stays so its token is never accepted again.
import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { satellites } from '../db/schema.ts';

export interface SatelliteRow {
  name: string;
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const columns = {
  name: satellites.name,
  tokenHash: satellites.tokenHash,
  createdAt: satellites.createdAt,
  lastUsedAt: satellites.lastUsedAt,
};

export function createSatelliteStore(db: Db) {
  return {
    /** The active (not revoked) satellite whose token has this hash, or null. */
    async findActive(tokenHash: string): Promise<SatelliteRow | null> {
      const [row] = await db
        .select(columns)
        .from(satellites)
        .where(and(eq(satellites.tokenHash, tokenHash), isNull(satellites.revokedAt)));
      return row ?? null;
    },

    /** The active satellite of that name, or null. */
    async findActiveByName(name: string): Promise<SatelliteRow | null> {
      const [row] = await db
        .select(columns)
        .from(satellites)
        .where(and(eq(satellites.name, name), isNull(satellites.revokedAt)));
      return row ?? null;
    },

    async listActive(): Promise<SatelliteRow[]> {
      return db.select(columns).from(satellites).where(isNull(satellites.revokedAt)).orderBy(asc(satellites.name));
    },

    /** Inserts unless an active satellite has the name (or the hash is stored); null when nothing was inserted. */
    async insert(entry: { name: string; tokenHash: string; at: Date }): Promise<SatelliteRow | null> {
      const [row] = await db
        .insert(satellites)
        .values({ name: entry.name, tokenHash: entry.tokenHash, createdAt: entry.at })
        .onConflictDoNothing()
        .returning(columns);
      return row ?? null;
    },

    /** Revokes the active satellite of that name; null when there is none. */
    async markRevoked(name: string, at: Date): Promise<SatelliteRow | null> {
      const [row] = await db
        .update(satellites)
        .set({ revokedAt: at })
        .where(and(eq(satellites.name, name), isNull(satellites.revokedAt)))
        .returning(columns);
      return row ?? null;
    },

    /** Records a use, writing only when the last recorded use is older than `unlessSince`. */
    async touch(tokenHash: string, at: Date, unlessSince: Date): Promise<void> {
      await db
        .update(satellites)
        .set({ lastUsedAt: at })
        .where(and(eq(satellites.tokenHash, tokenHash), or(isNull(satellites.lastUsedAt), lt(satellites.lastUsedAt, unlessSince))));
    },
  };
}

export type SatelliteStore = ReturnType<typeof createSatelliteStore>;
