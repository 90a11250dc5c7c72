// The api_tokens table: active tokens by hash (one primary-key lookup per request), a listing
// without secrets, and the writes that must see a consistent table (bootstrap, revoke) run inside
// one transaction holding a cluster-wide advisory lock, so two instances never decide at once.
import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { PERMISSIONS, type Permission } from '@spk/common';
import type { Db } from '../db/database.ts';
import { apiTokens } from '../db/schema.ts';

const TOKENS_LOCK_KEY = 0x5370_6b03;

export interface TokenRow {
  name: string;
  tokenHash: string;
  permissions: Permission[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

type Executor = Pick<Db, 'select' | 'insert' | 'update'>;

const columns = {
  name: apiTokens.name,
  tokenHash: apiTokens.tokenHash,
  permissions: apiTokens.permissions,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
};

// Rows are written only by this module, but a hand-edited row must not grant an unknown permission.
const known = (row: TokenRow): TokenRow => ({ ...row, permissions: row.permissions.filter((p) => (PERMISSIONS as readonly string[]).includes(p)) });

function tokenQueries(db: Executor) {
  return {
    /** The active (not revoked) token with this hash, or null. */
    async findActive(tokenHash: string): Promise<TokenRow | null> {
      const [row] = await db
        .select(columns)
        .from(apiTokens)
        .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)));
      return row ? known(row) : null;
    },

    /** Any row with this hash, revoked or not: a revoked hash is never inserted again. */
    async findAny(tokenHash: string): Promise<(TokenRow & { revoked: boolean }) | null> {
      const [row] = await db
        .select({ ...columns, revokedAt: apiTokens.revokedAt })
        .from(apiTokens)
        .where(eq(apiTokens.tokenHash, tokenHash));
      if (!row) return null;
      const { revokedAt, ...rest } = row;
      return { ...known(rest), revoked: revokedAt !== null };
    },

    async listActive(): Promise<TokenRow[]> {
      const rows = await db.select(columns).from(apiTokens).where(isNull(apiTokens.revokedAt)).orderBy(asc(apiTokens.name));
      return rows.map(known);
    },

    /** Inserts unless the hash is already stored or an active token has the name; null when nothing was inserted. */
    async insert(entry: { name: string; tokenHash: string; permissions: readonly Permission[]; at: Date }): Promise<TokenRow | null> {
      const [row] = await db
        .insert(apiTokens)
        .values({ name: entry.name, tokenHash: entry.tokenHash, permissions: [...entry.permissions], createdAt: entry.at })
        .onConflictDoNothing()
        .returning(columns);
      return row ? known(row) : null;
    },

    async markRevoked(name: string, at: Date): Promise<TokenRow | null> {
      const [row] = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
        .returning(columns);
      return row ? known(row) : null;
    },

    /** Records a use, writing only when the last recorded use is older than `unlessSince`. */
    async touch(tokenHash: string, at: Date, unlessSince: Date): Promise<void> {
      await db
        .update(apiTokens)
        .set({ lastUsedAt: at })
        .where(and(eq(apiTokens.tokenHash, tokenHash), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, unlessSince))));
    },
  };
}

export type TokenQueries = ReturnType<typeof tokenQueries>;

export function createTokenStore(db: Db) {
  return {
    ...tokenQueries(db),
    /** Runs `work` in one transaction holding the tokens lock: every instance's bootstrap and revoke take turns. */
    locked<T>(work: (tokens: TokenQueries) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${TOKENS_LOCK_KEY})`);
        return work(tokenQueries(tx));
      });
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
