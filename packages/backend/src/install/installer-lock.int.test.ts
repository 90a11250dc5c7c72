import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../services.ts';
import { terminateInstallerLockSession } from '../testing/installer-lock-session.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { createInstallerLock } from './installer-lock.ts';

const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener('abort', () => resolve(signal.reason), { once: true })));

describe.each(testDrivers())('installer lock (%s)', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(() => t?.drop());

  it('is free again once the lease is released', async () => {
    const lock = createInstallerLock(t.database, silentLogger);
    const lease = await lock.tryAcquire();
    expect(lease).not.toBeNull();
    await lease!.release();
    const again = await lock.tryAcquire();
    expect(again).not.toBeNull();
    expect(again!.signal.aborted).toBe(false);
    await again!.release();
  });
});

// Losing the lock session only happens with a real server between the installer and its lock.
const postgresOnly = testDrivers().filter((d) => d === 'postgres');

describe.each(postgresOnly)('installer lease on a lost session (%s)', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(() => t?.drop());

  it('elects one holder: a second instance gets no lease until the first is released', async () => {
    const lock = createInstallerLock(t.database, silentLogger);
    const lease = await lock.tryAcquire();
    expect(lease).not.toBeNull();
    expect(await lock.tryAcquire()).toBeNull();
    await lease!.release();
    const next = await lock.tryAcquire();
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('aborts the lease with INSTALL_LEASE_LOST when the lock session is terminated', async () => {
    const lock = createInstallerLock(t.database, silentLogger);
    const lease = (await lock.tryAcquire())!;
    await terminateInstallerLockSession(t.url!);
    const reason = await aborted(lease.signal);
    expect(reason).toMatchObject({ code: 'INSTALL_LEASE_LOST', message: expect.stringMatching(/stopped without committing.*trigger the install again/) });
    await lease.release();
  });

  it('releases a lease on a killed connection without throwing, and the lock can be taken again', async () => {
    const lock = createInstallerLock(t.database, silentLogger);
    const lease = (await lock.tryAcquire())!;
    await terminateInstallerLockSession(t.url!);
    await aborted(lease.signal);
    // Before, the unlock on the dead reserved connection threw inside postgres.js and took the process down.
    await expect(lease.release()).resolves.toBeUndefined();
    const next = await lock.tryAcquire();
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('a session whose connection was killed refuses queries instead of reconnecting without its locks', async () => {
    const session = await t.database.openSession();
    await session.query('select pg_advisory_lock(4242)');
    await terminateAdvisoryHolder(t.url!, 4242);
    await aborted(session.lost);
    await expect(session.query('select pg_advisory_unlock(4242)')).rejects.toMatchObject({ code: 'SESSION_LOST' });
    await expect(session.release()).resolves.toBeUndefined();
  });

  it('loses the lease when the lock session stops answering its checks (a half-open connection)', async () => {
    const lock = createInstallerLock(t.database, silentLogger, { watchIntervalMs: 100, queryTimeoutMs: 300 });
    const lease = (await lock.tryAcquire())!;
    const admin = postgres(t.url!, { max: 1, onnotice: () => {} });
    try {
      // Locking the pg_locks view makes the lease check wait, as a session behind a dead network would.
      const reason = await admin.begin(async (tx) => {
        await tx.unsafe('lock table pg_catalog.pg_locks in access exclusive mode');
        return aborted(lease.signal);
      });
      expect(reason).toMatchObject({ code: 'INSTALL_LEASE_LOST' });
    } finally {
      await admin.end();
    }
    await expect(lease.release()).resolves.toBeUndefined();
  });

  it('keeps its session from idling out under idle_session_timeout while the install works', async () => {
    const admin = postgres(t.url!, { max: 1, onnotice: () => {} });
    const name = new URL(t.url!).pathname.slice(1);
    await admin.unsafe(`alter database "${name}" set idle_session_timeout = '500ms'`);
    await admin.end();
    try {
      const lock = createInstallerLock(t.database, silentLogger, { watchIntervalMs: 150 });
      const lease = (await lock.tryAcquire())!;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(lease.signal.aborted).toBe(false);
      expect(await lock.tryAcquire()).toBeNull();
      await lease.release();
    } finally {
      const reset = postgres(t.url!, { max: 1, onnotice: () => {} });
      await reset.unsafe(`alter database "${name}" reset idle_session_timeout`);
      await reset.end();
    }
  });
});

async function terminateAdvisoryHolder(url: string, key: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = ${key}::bigint::oid and granted`;
  } finally {
    await sql.end();
  }
}
