// Test databases: a fresh PostgreSQL database per call when TEST_DATABASE_URL is set (dropped
// afterwards), and an in-memory PGlite always, so tests cover both drivers where possible.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../db/database.ts';

export type TestDriver = 'pglite' | 'postgres';

/** The drivers this run can test: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function testDrivers(): TestDriver[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  database: Database;
  /** postgres:// URL of the fresh database (PostgreSQL only), for child processes. */
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(driver: TestDriver): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const database = await openDatabase({ inMemory: true });
    await database.migrate();
    return { database, url: undefined, drop: () => database.close() };
  }
  const url = await createFreshPostgresDatabase();
  const database = await openDatabase({ url: url.toString(), maxConnections: 5 });
  await database.migrate();
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await dropPostgresDatabase(url);
    },
  };
}

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set; PostgreSQL tests need it (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  return url;
}

export async function createFreshPostgresDatabase(): Promise<URL> {
  const name = `spk_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url;
}

export async function dropPostgresDatabase(url: URL): Promise<void> {
  const name = url.pathname.slice(1);
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}
