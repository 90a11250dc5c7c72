import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';

describe.each(testDrivers())('database (%s)', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(() => t?.drop());

  it('applies the checked-in migrations and is idempotent on a second run', async () => {
    await t.database.migrate();
    const rows = await t.database.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
    const tables = (rows as unknown as { rows?: unknown[] }).rows ?? (rows as unknown as unknown[]);
    const names = (tables as Array<{ table_name: string }>).map((r) => r.table_name);
    expect(names).toEqual(expect.arrayContaining(['declared_packages', 'install_state', 'blob_index', 'blob_data', 'manifests', 'host_status']));
  });

  it('holds a session advisory lock on one connection so another session cannot take it', async () => {
    const a = await t.database.openSession();
    const [got] = await a.query<{ ok: boolean }>('select pg_try_advisory_lock(42) as ok');
    expect(got?.ok).toBe(true);
    if (driver === 'postgres') {
      const b = await t.database.openSession();
      const [other] = await b.query<{ ok: boolean }>('select pg_try_advisory_lock(42) as ok');
      expect(other?.ok).toBe(false);
      await b.release();
    }
    await a.query('select pg_advisory_unlock(42)');
    await a.release();
  });
});
