// Storage migration on real stores (PostgreSQL table, a directory, s3rver) over PostgreSQL and
// PGlite: every blob ends readable and verified where the index says, the active store switches
// only when all of them are there, a damaged blob fails it by name, and a stopped run resumes on
// another instance without copying again what was verified.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import ssri from 'ssri';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSpkError, type StorageState } from '@spk/common';
import { startS3Server, type TestS3Server } from '@spk/tools';
import { createBlobStoreRegistry, type BlobStore, type BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { createFilesystemBlobStore } from '../blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore } from '../blob-stores/postgres-blob-store.ts';
import { isStoredBlobIntact, readPublishedBlob } from '../blob-stores/published-blob.ts';
import { createS3BlobStore } from '../blob-stores/s3-blob-store.ts';
import { blobData, blobIndex, blobReplicas, storageConfig, storageMigrations } from '../db/schema.ts';
import { createBusyProbe } from '../install/busy-probe.ts';
import { createOperationLock, type OperationLock } from '../install/operation-lock.ts';
import { createSecretKeyring } from '../secrets/secret-keyring.ts';
import { silentLogger, systemClock } from '../services.ts';
import { createBlobIndexStore, type BlobIndexStore } from '../stores/blob-index-store.ts';
import { createSettingsStore, type SettingsStore } from '../stores/settings-store.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { createMigrationStore } from './migration-store.ts';
import { createStorageMigration, type StorageMigrationService } from './storage-migration.ts';

interface Seeded {
  integrity: string;
  size: number;
}

/** Wraps a real store to record which blobs were written to it (what a resumed run copied). */
function recordingPuts(store: BlobStore, puts: string[]): BlobStore {
  return { ...store, id: store.id, put: (integrity, bytes) => (puts.push(integrity), store.put(integrity, bytes)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settled(service: StorageMigrationService): Promise<StorageState> {
  for (let i = 0; i < 1500; i++) {
    const state = await service.state();
    if (state.migration && ['done', 'failed'].includes(state.migration.status)) return state;
    await sleep(20);
  }
  throw new Error('the migration did not finish in time');
}

describe.each(testDrivers())('storage migration (%s)', (driver) => {
  let t: TestDatabase;
  let s3: TestS3Server;
  let blobDir: string;
  let index: BlobIndexStore;
  let settings: SettingsStore;
  const open: StorageMigrationService[] = [];

  /** One instance: its own registry of the stores and its own operation lock, on the shared database. */
  function instance(options: { puts?: string[]; concurrency?: number; deleteSource?: boolean } = {}) {
    const blobStores: BlobStoreRegistry = createBlobStoreRegistry();
    const fs = createFilesystemBlobStore(blobDir);
    blobStores.register(createPostgresBlobStore(t.database.db));
    blobStores.register(options.puts ? recordingPuts(fs, options.puts) : fs);
    blobStores.register(createS3BlobStore(s3.settings, silentLogger));
    const operations: OperationLock = createOperationLock({ database: t.database, logger: silentLogger, probe: createBusyProbe(t.database.db) });
    const service = createStorageMigration({
      db: t.database.db,
      blobStores,
      settings,
      operations,
      clock: systemClock,
      logger: silentLogger,
      deleteSource: options.deleteSource ?? false,
      concurrency: options.concurrency ?? 4,
      resumeCheckMs: 60_000,
    });
    open.push(service);
    return { service, blobStores, operations };
  }

  async function seed(count: number): Promise<Seeded[]> {
    const store = createPostgresBlobStore(t.database.db);
    const seeded: Seeded[] = [];
    for (let i = 0; i < count; i++) {
      const bytes = randomBytes(2_000 + i * 37);
      const integrity = ssri.fromData(bytes, { algorithms: ['sha512'] }).toString();
      await store.put(integrity, bytes);
      await index.record({ integrity, size: bytes.byteLength, storeId: 'postgres', createdAt: new Date() });
      seeded.push({ integrity, size: bytes.byteLength });
    }
    return seeded;
  }

  /** Every seeded blob is indexed in `storeId`, reads back verified through the index, and is intact there. */
  async function expectAllIn(blobStores: BlobStoreRegistry, storeId: string, blobs: Seeded[]) {
    for (const blob of blobs) {
      expect((await index.get(blob.integrity))?.storeId).toBe(storeId);
      expect((await readPublishedBlob({ blobIndex: index, blobStores }, blob.integrity))?.byteLength).toBe(blob.size);
      expect(await isStoredBlobIntact(blobStores.get(storeId), blob.integrity, blob.size)).toBe(true);
    }
  }

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    index = createBlobIndexStore(t.database.db);
    s3 = await startS3Server();
    blobDir = await mkdtemp(path.join(tmpdir(), 'spk-migration-'));
    // Only the active store is read and written here: the registry secrets' key is never loaded.
    const keys = createSecretKeyring({ envValue: randomBytes(32).toString('base64'), dataDir: blobDir, logger: silentLogger });
    settings = createSettingsStore(t.database.db, systemClock, { storeId: 'postgres' }, { keys });
  });
  afterAll(async () => {
    await s3?.close();
    await t?.drop();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });
  // Each test starts from its own blobs in PostgreSQL and otherwise empty stores.
  afterEach(async () => {
    await Promise.all(open.splice(0).map((service) => service.stop()));
    await t.database.db.execute(sql`truncate ${blobIndex}, ${blobData}, ${blobReplicas}, ${storageMigrations}, ${storageConfig}`);
    await rm(blobDir, { recursive: true, force: true });
    await s3.close();
    s3 = await startS3Server();
  });

  it('migrates postgres → filesystem → s3 → postgres: every blob verified where it is indexed, the active store switched each time', async () => {
    const blobs = await seed(30);
    const { service, blobStores } = instance();
    await service.start();
    for (const [source, target] of [['postgres', 'filesystem'], ['filesystem', 's3'], ['s3', 'postgres']] as const) {
      const started = await service.migrate({ targetStoreId: target }, { principalId: 'test-admin' });
      expect(started.migration).toMatchObject({ source, target, total: blobs.length, totalBytes: blobs.reduce((n, b) => n + b.size, 0) });
      const state = await settled(service);
      expect(state).toMatchObject({ activeStore: target, blobCount: blobs.length, stores: [{ id: target, blobs: blobs.length }] });
      expect(state.migration).toMatchObject({ status: 'done', done: blobs.length, bytesDone: state.totalBytes, errorCount: 0, resumed: 0, etaSeconds: null });
      await expectAllIn(blobStores, target, blobs);
      // The source keeps its copies unless asked to delete them.
      expect(await blobStores.get(source).has(blobs[0]!.integrity)).toBe(true);
    }
    const rows = await t.database.db.select().from(storageMigrations);
    expect(rows.map((r) => [r.source, r.target, r.status, r.requestedBy])).toEqual([
      ['postgres', 'filesystem', 'done', 'test-admin'],
      ['filesystem', 's3', 'done', 'test-admin'],
      ['s3', 'postgres', 'done', 'test-admin'],
    ]);
    await expect(service.migrate({ targetStoreId: 'postgres' }, { principalId: null })).rejects.toThrow(/already the active blob store and holds every indexed blob/);
    await expect(service.migrate({ targetStoreId: 'tape' }, { principalId: null })).rejects.toSatisfy((e) => isSpkError(e, 'NOT_FOUND'));
  });

  it('a blob damaged in the source fails the migration by name: nothing switches and nothing is deleted from the source', async () => {
    const blobs = await seed(12);
    const damaged = blobs[5]!;
    await t.database.db.update(blobData).set({ bytes: new Uint8Array(randomBytes(damaged.size)) }).where(eq(blobData.integrity, damaged.integrity));
    const { service, blobStores, operations } = instance({ deleteSource: true });
    await service.migrate({ targetStoreId: 'filesystem' }, { principalId: null });
    const state = await settled(service);
    expect(state.activeStore).toBe('postgres');
    expect(state.stores).toEqual([{ id: 'postgres', blobs: blobs.length, bytes: state.totalBytes }]);
    expect(state.migration).toMatchObject({ status: 'failed', deleteSource: true, done: blobs.length - 1, errorCount: 1 });
    expect(state.migration!.errors).toEqual([{ integrity: damaged.integrity, message: expect.stringContaining(damaged.integrity) }]);
    expect(state.migration!.errors[0]!.message).toMatch(/indexed in "postgres".*damaged.*"postgres" stays active.*start the migration again/);
    expect(state.migration!.lastError).toMatch(/1 of 12 blobs could not be verified in "filesystem"/);
    const postgres = blobStores.get('postgres');
    for (const blob of blobs) expect(await postgres.has(blob.integrity)).toBe(true);
    // A failed migration is not active: once its run let go of the lock, installs may run again
    // (a stopped run of an active one would still refuse them: the row does).
    await service.stop();
    const lease = await operations.tryBegin('install');
    expect(lease).not.toBeNull();
    await lease!.release();
  });

  it('a migration refuses to start during an install, and an install is refused while the migration runs', async () => {
    await seed(100);
    const { service, operations } = instance({ concurrency: 1 });
    const install = await operations.begin('install');
    await expect(service.migrate({ targetStoreId: 'filesystem' }, { principalId: null })).rejects.toSatisfy(
      (e) => isSpkError(e, 'INSTALL_IN_PROGRESS') && /an install is in progress; start the migration once it has finished/.test(e.message),
    );
    await install.release();
    await service.migrate({ targetStoreId: 'filesystem' }, { principalId: null });
    await expect(operations.begin('install')).rejects.toSatisfy(
      (e) => isSpkError(e, 'MIGRATION_IN_PROGRESS') && /storage migration is running; trigger the install once it has finished: "spk storage state"/.test(e.message),
    );
    // Another instance (no in-process holder) is refused by the durable row as well.
    const other = instance();
    await expect(other.operations.begin('blob GC')).rejects.toSatisfy((e) => isSpkError(e, 'MIGRATION_IN_PROGRESS') && /storage migration to "filesystem" is running/.test(e.message));
    expect((await settled(service)).migration?.status).toBe('done');
  });

  it('a stopped migration resumes on another instance from its verified copies, and deletes the source only after the switch', async () => {
    const blobs = await seed(60);
    const firstPuts: string[] = [];
    const first = instance({ puts: firstPuts, concurrency: 1, deleteSource: true });
    await first.service.migrate({ targetStoreId: 'filesystem' }, { principalId: null });
    let state = await first.service.state();
    while (state.migration!.done < 15) {
      await sleep(10);
      state = await first.service.state();
    }
    await first.service.stop();
    const stopped = (await first.service.state()).migration!;
    expect(stopped).toMatchObject({ status: 'copying', resumed: 0 });
    expect(stopped.done).toBeGreaterThanOrEqual(15);
    expect(stopped.done).toBeLessThan(blobs.length);
    // Not switched, and the source is whole: it is deleted from only after the switch.
    expect(stopped.done).toBeLessThanOrEqual(firstPuts.length);
    const postgres = first.blobStores.get('postgres');
    for (const blob of blobs) expect(await postgres.has(blob.integrity)).toBe(true);
    expect((await first.service.state()).activeStore).toBe('postgres');
    const verified = (await t.database.db.select().from(blobReplicas).where(eq(blobReplicas.storeId, 'filesystem'))).map((r) => r.integrity);
    expect(verified.length).toBeGreaterThanOrEqual(stopped.done);

    const secondPuts: string[] = [];
    const second = instance({ puts: secondPuts, concurrency: 3 });
    await second.service.start();
    state = await settled(second.service);
    expect(state.activeStore).toBe('filesystem');
    expect(state.migration).toMatchObject({ status: 'done', resumed: 1, done: blobs.length, total: blobs.length, errorCount: 0 });
    // Nothing verified before the stop was copied again; together the two runs copied every blob.
    expect(secondPuts.filter((integrity) => verified.includes(integrity))).toEqual([]);
    expect(new Set([...verified, ...secondPuts])).toEqual(new Set(blobs.map((b) => b.integrity)));
    await expectAllIn(second.blobStores, 'filesystem', blobs);
    for (const blob of blobs) expect(await postgres.has(blob.integrity)).toBe(false);
    expect(await t.database.db.select().from(blobReplicas)).toEqual([]);
  });

  it('a migration a crash left switching, with no server running it, refuses installs, then switches on resume and deletes its source', async () => {
    const blobs = await seed(10);
    // The durable state of a server killed during the switch: every copy verified, nothing switched yet.
    const fs = createFilesystemBlobStore(blobDir);
    const postgres = createPostgresBlobStore(t.database.db);
    const migrations = createMigrationStore(t.database.db);
    for (const blob of blobs) {
      await fs.put(blob.integrity, (await postgres.get(blob.integrity))!);
      await migrations.recordReplica(blob.integrity, 'filesystem', new Date());
    }
    const bytes = blobs.reduce((n, b) => n + b.size, 0);
    await t.database.db.insert(storageMigrations).values({
      source: 'postgres',
      target: 'filesystem',
      status: 'switching',
      deleteSource: true,
      total: blobs.length,
      done: blobs.length,
      totalBytes: bytes,
      bytesDone: bytes,
    });
    const { service, blobStores, operations } = instance();
    await expect(operations.begin('rollback')).rejects.toSatisfy(
      (e) => isSpkError(e, 'MIGRATION_IN_PROGRESS') && /to "filesystem" is running \(10 of 10 blobs verified\); roll back once it has finished/.test(e.message),
    );
    await service.start();
    const state = await settled(service);
    expect(state).toMatchObject({ activeStore: 'filesystem', stores: [{ id: 'filesystem', blobs: blobs.length }] });
    expect(state.migration).toMatchObject({ status: 'done', resumed: 1, done: blobs.length, errorCount: 0 });
    await expectAllIn(blobStores, 'filesystem', blobs);
    for (const blob of blobs) expect(await postgres.has(blob.integrity)).toBe(false);
  });
});
