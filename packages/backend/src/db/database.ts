// One `Database` type over two drivers: postgres.js when a URL is given, embedded PGlite in the
// data dir otherwise. Callers never branch on the driver except through `openSession`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { silentLogger, type Logger } from '../services.ts';
import { openPgliteDataDir, openPgliteInMemory } from './pglite-open.ts';
import { defaultPgliteTemplateRoot, ensurePgliteTemplate, type PgliteTemplateSource } from './pglite-template.ts';
import * as schema from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT & any, typeof schema>;

/** A single connection kept for its whole use: session-level advisory locks belong to it. */
export interface DbSession {
  /** Rejects with a SESSION_LOST error once the connection is gone: it never reconnects behind our back. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Aborted when the connection closes other than by `release` (server, network, pg_terminate_backend). Never on PGlite. */
  readonly lost: AbortSignal;
  /** Ends the session. Never throws, also when the connection is already dead. */
  release(): Promise<void>;
}

/** The error a session's `query` rejects with (and `lost` aborts with) once its connection is gone. */
function sessionLostError(): Error & { code: 'SESSION_LOST' } {
  return Object.assign(new Error('the database session\'s connection closed; its session-level locks are gone'), { code: 'SESSION_LOST' as const });
}

export interface Database {
  driver: 'postgres' | 'pglite';
  db: Db;
  openSession(): Promise<DbSession>;
  /** Cross-process notifications; absent on PGlite, which only ever has one process. */
  pubsub?: {
    listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
    notify(channel: string, payload: string): Promise<void>;
  };
  migrate(): Promise<void>;
  /** One trivial round trip; rejects with the driver's error when the database cannot answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Beside the server's bundle (its build copies drizzle/ into apps/server/dist), else the repository's.
const BUNDLED_MIGRATIONS_DIR = path.join(import.meta.dirname, 'drizzle');
export const MIGRATIONS_DIR = existsSync(BUNDLED_MIGRATIONS_DIR) ? BUNDLED_MIGRATIONS_DIR : path.resolve(import.meta.dirname, '../../../../drizzle');
const MIGRATION_LOCK_KEY = 0x5370_6b01;

export interface DatabaseOptions {
  /** postgres:// URL; without it the embedded PGlite database in `<dataDir>/pglite` is used. */
  url?: string | undefined;
  dataDir?: string | undefined;
  /** PGlite only: keep the database in memory (tests). */
  inMemory?: boolean;
  /**
   * PGlite only: where the pre-initialised database template is kept (made there on first need);
   * null: none, initdb every time. Unset: node_modules/.cache/spk-pglite-template.
   */
  pgliteTemplateDir?: string | null | undefined;
  /** Told when a PGlite template cannot be used (the database is then initialised without it). */
  logger?: Logger;
  maxConnections?: number;
}

const migratePgliteClient = (client: PGlite) => migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });

/** Makes the PGlite template now (a build or install step), so that no first start has to; its tar file. */
export async function preparePgliteTemplate(root: string = defaultPgliteTemplateRoot()): Promise<string> {
  return (await ensurePgliteTemplate({ root, migrationsDir: MIGRATIONS_DIR, migrate: migratePgliteClient })).tarPath;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10);
  const root = options.pgliteTemplateDir === undefined ? defaultPgliteTemplateRoot() : options.pgliteTemplateDir;
  const template: PgliteTemplateSource | undefined = root === null ? undefined : { root, migrationsDir: MIGRATIONS_DIR, migrate: migratePgliteClient };
  const opening = { template, logger: options.logger ?? silentLogger };
  if (options.inMemory) return openPglite(await openPgliteInMemory(opening));
  if (!options.dataDir) throw new Error('openDatabase needs either a url or a dataDir');
  return openPglite(await openPgliteDataDir(options.dataDir, opening));
}

function openPostgres(url: string, max: number): Database {
  const connection = { application_name: 'script-packages' };
  const sql = postgres(url, { max, onnotice: () => {}, connection });
  const db = drizzlePostgres(sql, { schema }) as unknown as Db;
  const sessions = new Set<() => Promise<void>>();
  // A session is its own one-connection client, not a connection reserved from the pool: a reserved
  // connection that dies stays in the pool's hands, and the next query on it writes to a null socket
  // inside postgres.js (an uncaught TypeError that takes the process down), or runs on a reconnected
  // session that no longer holds our locks. Lifetime and idle timers are off (0) so a long install keeps it.
  const openSession = async (): Promise<DbSession> => {
    const lost = new AbortController();
    let released = false;
    const client = postgres(url, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: 0,
      fetch_types: false,
      onnotice: () => {},
      connection,
      onclose: () => {
        if (!released) lost.abort(sessionLostError());
      },
    });
    const release = async () => {
      if (released) return;
      released = true;
      sessions.delete(release);
      // end() waits for in-flight queries up to the timeout, then destroys the socket; on a dead one it just settles.
      await client.end({ timeout: 5 }).catch(() => undefined);
    };
    try {
      await client`select 1`;
    } catch (error) {
      await release();
      throw error;
    }
    sessions.add(release);
    return {
      lost: lost.signal,
      async query<T>(text: string, params: unknown[] = []) {
        if (released || lost.signal.aborted) throw sessionLostError();
        return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
      },
      release,
    };
  };
  return {
    driver: 'postgres',
    db,
    openSession,
    pubsub: {
      async listen(channel, onMessage) {
        const { unlisten } = await sql.listen(channel, onMessage);
        return unlisten;
      },
      async notify(channel, payload) {
        await sql.notify(channel, payload);
      },
    },
    async migrate() {
      // Several instances may start at once; the migrator itself is not concurrency-safe.
      const session = await openSession();
      try {
        await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migratePostgres(drizzlePostgres(sql, { schema }), { migrationsFolder: MIGRATIONS_DIR });
      } finally {
        await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
        await session.release();
      }
    },
    async ping() {
      await sql`select 1`;
    },
    async close() {
      await Promise.all([...sessions].map((release) => release()));
      await sql.end({ timeout: 5 });
    },
  };
}

function openPglite(client: PGlite): Database {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    driver: 'pglite',
    db,
    // PGlite is one connection in this process: the session is that connection.
    openSession: async () => ({
      query: async <T,>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows,
      lost: new AbortController().signal,
      release: async () => undefined,
    }),
    migrate: () => migratePgliteClient(client),
    async ping() {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}
