// A storage migration survives kill -9 of its server: real server processes on one data dir and
// database, killed while copying (twice) and again once the copy is over; each restart resumes
// from the durable progress, and in the end every indexed blob is in the target, verified and
// served from it, and the source copies are gone. An install while it runs is refused.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageMigration, StorageState } from '@spk/common';
import { createPostgresBlobStore, openDatabase, type Database } from '@spk/backend';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { serverClient, type ServerClient } from './test-support/server-client.ts';

const BLOBS = 240;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hexOf = (integrity: string) => Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
const integrityOf = (bytes: Uint8Array) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

// PostgreSQL only: the kills are about a server dying while holding the cluster-wide lock on a shared
// database. On PGlite a server takes longer to start than the copy left after a kill (the backend's
// own tests resume a stopped migration on PGlite).
describe.each(testDrivers().filter((d) => d === 'postgres'))('storage migration across server kills (%s)', () => {
  const token = `storage_migration_${Date.now()}_token`;
  let dataDir: string;
  let dbUrl: URL;
  let server: SpawnedServer | undefined;
  const blobs = new Map<string, number>();
  /** Every migration state seen, in order, across the restarts. */
  const seen: StorageMigration[] = [];

  const openSeedDatabase = (): Promise<Database> => openDatabase({ url: dbUrl.toString(), maxConnections: 2 });
  const start = async () => {
    server = await spawnServer({ dataDir, databaseUrl: dbUrl.toString(), token, env: { SPK_MIGRATION_CONCURRENCY: '1' } });
    return serverClient(server);
  };
  const kill = async () => {
    server!.child.kill('SIGKILL');
    await once(server!.child, 'exit');
    server = undefined;
  };
  const observe = async (client: ServerClient): Promise<StorageState> => {
    const state = await client.storage.state();
    if (state.migration) seen.push(state.migration);
    return state;
  };
  /** Polls until `until` holds, recording every state seen. */
  const watch = async (client: ServerClient, until: (m: StorageMigration) => boolean): Promise<StorageState> => {
    for (let i = 0; i < 3000; i++) {
      const state = await observe(client);
      if (state.migration && until(state.migration)) return state;
      await sleep(5);
    }
    throw new Error(`the migration did not get there in time; last seen: ${JSON.stringify(seen.at(-1))}`);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-migration-kill-'));
    dbUrl = await createFreshPostgresDatabase();
    // Blobs as installs leave them: in the PostgreSQL blob store and indexed there.
    const database = await openSeedDatabase();
    try {
      await database.migrate();
      const store = createPostgresBlobStore(database.db);
      const session = await database.openSession();
      for (let i = 0; i < BLOBS; i++) {
        const bytes = randomBytes(50_000 + ((i * 7919) % 150_000));
        const integrity = integrityOf(bytes);
        await store.put(integrity, bytes);
        await session.query(`insert into blob_index (integrity, size, store_id) values ($1, $2, 'postgres')`, [integrity, bytes.byteLength]);
        blobs.set(integrity, bytes.byteLength);
      }
      await session.release();
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(async () => {
    if (server) await kill();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('resumes after each kill -9 without losing a blob, refuses installs meanwhile, and switches once every blob is verified', { timeout: 120_000 }, async () => {
    let client = await start();
    const started = await client.storage.migrate({ targetStoreId: 'filesystem', deleteSource: true });
    expect(started.migration).toMatchObject({ status: 'copying', source: 'postgres', target: 'filesystem', total: BLOBS, resumed: 0 });
    await expect(client.install.trigger()).rejects.toMatchObject({
      data: { code: 'MIGRATION_IN_PROGRESS' },
      message: expect.stringMatching(/storage migration is running; trigger the install once it has finished: "spk storage state" shows its progress/),
    });

    // Killed while copying, at about 10 % and at about 50 %.
    for (const [share, resumed] of [[0.1, 0], [0.5, 1]] as const) {
      await watch(client, (m) => m.done >= BLOBS * share);
      await kill();
      client = await start();
      const after = (await observe(client)).migration!;
      expect(after.resumed).toBe(resumed + 1);
      // The resumed server holds the migration (most of it is left after the first kill): installs are still refused.
      if (resumed === 0) {
        await expect(client.install.trigger()).rejects.toMatchObject({
          data: { code: 'MIGRATION_IN_PROGRESS' },
          message: expect.stringMatching(/storage migration is running; trigger the install once it has finished/),
        });
      }
    }

    // Killed again as soon as the copy is over (switching, deleting the source, or just done).
    await watch(client, (m) => m.status !== 'copying');
    await kill();
    client = await start();
    const final = await watch(client, (m) => m.status === 'done' || m.status === 'failed');

    expect(final.migration).toMatchObject({ status: 'done', total: BLOBS, done: BLOBS, errorCount: 0, lastError: null });
    expect(final.migration!.resumed).toBeGreaterThanOrEqual(2);
    expect(final).toMatchObject({ activeStore: 'filesystem', blobCount: BLOBS, stores: [{ id: 'filesystem', blobs: BLOBS }] });
    // Progress never went backwards across the kills.
    const dones = seen.map((m) => m.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));

    // Every blob is in the target's directory intact, and the server serves it from there.
    for (const [integrity, size] of blobs) {
      const file = await readFile(path.join(dataDir, 'blobs', hexOf(integrity)));
      expect(file.byteLength).toBe(size);
      expect(integrityOf(file)).toBe(integrity);
    }
    for (const integrity of [...blobs.keys()].slice(0, 20)) {
      const response = await fetch(`${server!.url}/blobs/${hexOf(integrity)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(integrityOf(new Uint8Array(await response.arrayBuffer()))).toBe(integrity);
    }
    // Installs are allowed again (the row reads done a moment before the server lets go of the lock).
    let install: Awaited<ReturnType<ServerClient['install']['trigger']>> | undefined;
    for (let i = 0; !install && i < 100; i++) {
      install = await client.install.trigger().catch(async (error: { data?: { code?: string } }) => {
        if (error.data?.code !== 'MIGRATION_IN_PROGRESS') throw error;
        await sleep(20);
        return undefined;
      });
    }
    expect(install).toMatchObject({ started: true });

    // The source copies were deleted after the switch, and no record of copies is left.
    await server!.stop();
    server = undefined;
    const database = await openSeedDatabase();
    try {
      const session = await database.openSession();
      expect(await session.query(`select count(*)::int as n from blob_data`)).toEqual([{ n: 0 }]);
      expect(await session.query(`select count(*)::int as n from blob_replicas`)).toEqual([{ n: 0 }]);
      await session.release();
    } finally {
      await database.close();
    }
  });
});
