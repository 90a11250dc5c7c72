// Elects one installer cluster-wide: a PostgreSQL session advisory lock held on a dedicated
// connection. The lease is watched, and its `signal` aborts with INSTALL_LEASE_LOST as soon as the
// connection or the lock is gone; the commit's fencing token guards whatever a stale installer still tries.
import { SpkError } from '@spk/common';
import type { Database, DbSession } from '../db/database.ts';
import { errorCode } from '../errors/driver-error.ts';
import type { Logger } from '../services.ts';
import { withTimeout } from '../with-timeout.ts';

export const INSTALLER_LOCK_KEY = 0x5370_6b02;

// A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
const HELD_SQL = `select exists (
  select 1 from pg_locks
  where locktype = 'advisory' and pid = pg_backend_pid() and granted
    and classid = ($1::bigint >> 32)::oid and objid = ($1::bigint & 4294967295)::oid and objsubid = 1
) as held`;

export interface InstallerLease {
  /** Aborts (reason: an INSTALL_LEASE_LOST SpkError) when the lock can no longer be trusted. Never on PGlite. */
  readonly signal: AbortSignal;
  /** Unlocks and closes the session. Never throws; harmless on a dead connection. */
  release(): Promise<void>;
}

export interface InstallerLockOptions {
  /** How often the lock session is checked (which also keeps it from idling out). */
  watchIntervalMs?: number;
  /** A check or unlock that takes longer than this counts as a lost session. */
  queryTimeoutMs?: number;
}

function leaseLostError(cause?: unknown): SpkError {
  return new SpkError(
    'INSTALL_LEASE_LOST',
    'the installer lost its lock on the database mid-install (its PostgreSQL session was closed or stopped answering), so it stopped without committing; the previous desired state is kept. Check the database connection (network, idle_session_timeout, a terminated backend) and trigger the install again',
    undefined,
    { cause },
  );
}

export function createInstallerLock(database: Database, logger: Logger, options: InstallerLockOptions = {}) {
  const intervalMs = options.watchIntervalMs ?? 2_000;
  const timeoutMs = options.queryTimeoutMs ?? 10_000;
  const log = logger.child({ component: 'installer-lock' });

  function watch(session: DbSession): InstallerLease {
    const lease = new AbortController();
    let released = false;
    let timer: NodeJS.Timeout | undefined;

    const lose = (reason: string, cause?: unknown) => {
      if (released || lease.signal.aborted) return;
      clearTimeout(timer);
      log.error({ reason, code: errorCode(cause) }, 'installer lease lost');
      lease.abort(leaseLostError(cause));
    };
    const onSessionLost = () => lose('the lock session closed', session.lost.reason);
    session.lost.addEventListener('abort', onSessionLost, { once: true });
    if (session.lost.aborted) onSessionLost();

    const check = async () => {
      try {
        const [row] = await withTimeout(session.query<{ held: boolean }>(HELD_SQL, [INSTALLER_LOCK_KEY]), timeoutMs, `the lease check took over ${timeoutMs} ms`);
        if (!row?.held) return lose('the lock is no longer held');
      } catch (error) {
        return lose('the lease check failed', error);
      }
      if (!released) timer = setTimeout(check, intervalMs).unref();
    };
    // PGlite is this process's own database: its one session cannot be lost.
    if (database.driver === 'postgres') timer = setTimeout(check, intervalMs).unref();

    return {
      signal: lease.signal,
      async release() {
        if (released) return;
        released = true;
        clearTimeout(timer);
        session.lost.removeEventListener('abort', onSessionLost);
        if (!lease.signal.aborted && !session.lost.aborted) {
          // Closing the session frees the lock anyway; unlocking first is what frees it on PGlite.
          await withTimeout(session.query('select pg_advisory_unlock($1)', [INSTALLER_LOCK_KEY]), timeoutMs, `the unlock took over ${timeoutMs} ms`).catch((error) =>
            log.warn({ code: errorCode(error) }, 'unlock failed; closing the session frees the lock'),
          );
        }
        await session.release().catch((error) => log.warn({ code: errorCode(error) }, 'closing the lock session failed'));
      },
    };
  }

  return {
    /** The lease when this caller was elected, null when another session holds the lock. */
    async tryAcquire(): Promise<InstallerLease | null> {
      const session = await database.openSession();
      let locked = false;
      try {
        const [row] = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [INSTALLER_LOCK_KEY]);
        locked = Boolean(row?.locked);
      } finally {
        if (!locked) await session.release().catch(() => undefined);
      }
      return locked ? watch(session) : null;
    },
  };
}

export type InstallerLock = ReturnType<typeof createInstallerLock>;
