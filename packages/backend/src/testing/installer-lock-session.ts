// Test support for lease-loss tests: finds the PostgreSQL backend that holds the installer lock in
// one database and terminates it, as a dropped connection or an operator's pg_terminate_backend would.
import postgres from 'postgres';
import { INSTALLER_LOCK_KEY } from '../install/installer-lock.ts';

/** Waits until some session of the database at `url` holds the installer lock, terminates it, and returns its pid. */
export async function terminateInstallerLockSession(url: string, timeoutMs = 10_000): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await sql<Array<{ pid: number }>>`
        select pid from pg_locks
        where locktype = 'advisory' and granted and objid = ${INSTALLER_LOCK_KEY}::bigint::oid
          and database = (select oid from pg_database where datname = current_database())`;
      if (row) {
        await sql`select pg_terminate_backend(${row.pid})`;
        return row.pid;
      }
      if (Date.now() > deadline) throw new Error('no session took the installer lock in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await sql.end();
  }
}
