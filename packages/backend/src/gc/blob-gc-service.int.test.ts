import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { computeLockfileHash, type Manifest } from '@spk/common';
import { digestTarball } from '@spk/tools';
import { createBlobStoreRegistry, type BlobStore } from '../blob-stores/blob-store.ts';
import { createFilesystemBlobStore } from '../blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore } from '../blob-stores/postgres-blob-store.ts';
import { blobData, blobIndex, gcRuns, storageMigrations } from '../db/schema.ts';
import { createBusyProbe } from '../install/busy-probe.ts';
import { createOperationLock, type OperationLock } from '../install/operation-lock.ts';
import { createHistoryStore } from '../lifecycle/history-store.ts';
import { silentLogger } from '../services.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import { createInstallStateStore } from '../stores/install-state-store.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { createBlobGcService, type BlobGcServiceDeps } from './blob-gc-service.ts';

const HOUR = 3_600_000;
const GRACE = 24 * HOUR;

interface Blob {
  integrity: string;
  size: number;
  store: BlobStore;
}

describe.each(testDrivers())('blob GC (%s)', (driver) => {
  let t: TestDatabase;
  let blobDir: string;
  let stores: ReturnType<typeof createBlobStoreRegistry>;
  let operations: OperationLock;
  let current: Date;
  const clock = { now: () => new Date(current.getTime()) };
  const advance = (ms: number) => (current = new Date(current.getTime() + ms));
  let logLines: LogLine[];
  let postgresStore: BlobStore;
  let fsStore: BlobStore;
  let packageNo = 0;

  // One database per driver (a fresh PGlite takes seconds to migrate), emptied before each test.
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(() => t?.drop());

  beforeEach(async () => {
    await t.database.db.execute(sql`truncate gc_runs, blob_replicas, blob_index, blob_data, storage_migrations, install_state, manifests`);
    blobDir = await mkdtemp(path.join(tmpdir(), 'spk-blob-gc-'));
    stores = createBlobStoreRegistry();
    postgresStore = createPostgresBlobStore(t.database.db);
    fsStore = createFilesystemBlobStore(blobDir);
    stores.register(postgresStore);
    stores.register(fsStore);
    operations = createOperationLock({ database: t.database, logger: silentLogger, probe: createBusyProbe(t.database.db) });
    current = new Date('2030-01-01T00:00:00Z');
    logLines = [];
  });
  afterEach(() => rm(blobDir, { recursive: true, force: true }));

  function gcService(settings: Partial<BlobGcServiceDeps['settings']> = {}, lock: OperationLock = operations) {
    return createBlobGcService({
      db: t.database.db,
      history: createHistoryStore(t.database.db),
      blobStores: stores,
      operations: lock,
      clock,
      logger: memoryLogger(logLines),
      settings: { blobGraceMs: GRACE, intervalMs: 0, historyKeep: 2, treeGraceMs: 600_000, ...settings },
    });
  }

  async function publish(store: BlobStore = postgresStore, size = 64): Promise<Blob> {
    const bytes = randomBytes(size);
    const { integrity } = digestTarball(bytes);
    await store.put(integrity, bytes);
    await createBlobIndexStore(t.database.db).record({ integrity, size, storeId: store.id, createdAt: clock.now() });
    return { integrity, size, store };
  }

  /** Commits a desired state referencing `blobs`, as an install would; one second after the previous one. */
  async function commitDesired(blobs: Blob[]): Promise<string> {
    advance(1000);
    const manifest: Manifest = blobs.map((blob) => {
      const name = `spk-gc-fixture-${++packageNo}`;
      return { name, version: '1.0.0', path: `node_modules/${name}`, integrity: blob.integrity, size: blob.size, hasInstallScript: false, bin: {}, dependencies: {} };
    });
    const lockfileHash = await computeLockfileHash(manifest);
    const state = createInstallStateStore(t.database.db);
    const generation = await state.markStarted(clock.now());
    const totalSize = blobs.reduce((sum, blob) => sum + blob.size, 0);
    await state.commit({ lockfileHash, manifest, totalSize, warnings: [], at: clock.now(), generation });
    return lockfileHash;
  }

  const indexed = async (blob: Blob) => (await createBlobIndexStore(t.database.db).get(blob.integrity)) !== null;
  const kept = async (blob: Blob) => (await blob.store.has(blob.integrity)) && (await indexed(blob));
  const gone = async (blob: Blob) => !(await blob.store.has(blob.integrity)) && !(await indexed(blob));
  const runRows = async () => (await t.database.db.select({ n: count() }).from(gcRuns))[0]!.n;

  it('never deletes a blob of the desired manifest or of a kept history entry, in any store', async () => {
    const shared = await publish(postgresStore);
    const older = await publish(fsStore);
    const desired = await publish(postgresStore);
    const orphan = await publish(fsStore);
    await commitDesired([shared, older]);
    await commitDesired([shared, desired]);
    const gc = gcService();

    await gc.run({ trigger: 'manual', requestedBy: 'test-admin' });
    advance(10 * GRACE);
    const run = await gc.run({ trigger: 'manual', requestedBy: 'test-admin' });

    expect(run).toMatchObject({ status: 'done', blobsDeleted: 1, bytesFreed: orphan.size, errors: [] });
    for (const blob of [shared, older, desired]) expect(await kept(blob)).toBe(true);
    expect(await gone(orphan)).toBe(true);
  });

  it('takes a blob out of the index only while it is still marked past the grace, so one referenced again at the last moment stays', async () => {
    const stale = await publish(fsStore, 10);
    const revived = await publish(postgresStore, 20);
    const index = createBlobIndexStore(t.database.db);
    await index.markUnreferenced([stale.integrity, revived.integrity], clock.now());
    // A commit between a run's plan and its deletes clears the mark of what it references.
    await index.clearUnreferenced([revived.integrity]);
    const claimed = await index.claimForDeletion([stale.integrity, revived.integrity], clock.now());
    expect(claimed.map((row) => row.integrity)).toEqual([stale.integrity]);
    expect(await indexed(stale)).toBe(false);
    expect(await kept(revived)).toBe(true);
  });

  it('marks an unreferenced blob and deletes it only once the grace has passed; one referenced again in the meantime is kept', async () => {
    const stale = await publish(fsStore, 100);
    const revived = await publish(postgresStore, 50);
    const gc = gcService();
    const markedAt = clock.now();

    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ status: 'done', blobsMarked: 2, blobsDeleted: 0 });
    expect((await gc.state()).pending).toEqual({ blobs: 2, bytes: 150, nextEligibleAt: new Date(markedAt.getTime() + GRACE).toISOString() });

    advance(GRACE - 1);
    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ blobsMarked: 0, blobsDeleted: 0 });
    expect(await kept(stale)).toBe(true);

    // An install needs `revived` again before its grace is over.
    await commitDesired([revived]);
    advance(1);
    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ blobsDeleted: 1, bytesFreed: 100 });
    expect(await gone(stale)).toBe(true);
    expect(await kept(revived)).toBe(true);
    expect((await gc.state()).pending).toEqual({ blobs: 0, bytes: 0, nextEligibleAt: null });
  });

  it('history pruning makes blobs of dropped entries collectable, while a pinned entry keeps its blobs', async () => {
    const [pinnedBlob, droppedBlob, keptBlob, desiredBlob] = [await publish(), await publish(), await publish(), await publish()];
    const pinned = await commitDesired([pinnedBlob]);
    const dropped = await commitDesired([droppedBlob]);
    await commitDesired([keptBlob]);
    await commitDesired([desiredBlob]);
    const history = createHistoryStore(t.database.db);
    await history.setPinned(pinned, true);
    const gc = gcService({ historyKeep: 2 });

    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ historyPruned: 1, blobsMarked: 1 });
    expect((await history.list()).map((entry) => entry.lockfileHash)).not.toContain(dropped);
    advance(GRACE);
    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ historyPruned: 0, blobsDeleted: 1 });
    expect(await gone(droppedBlob)).toBe(true);
    for (const blob of [pinnedBlob, keptBlob, desiredBlob]) expect(await kept(blob)).toBe(true);
  });

  it('a blob unreferenced again after being referenced waits out a fresh grace', async () => {
    const blob = await publish();
    const gc = gcService({ historyKeep: 1 });
    await gc.run({ trigger: 'manual', requestedBy: null });
    advance(GRACE - HOUR);
    await commitDesired([blob]);
    await gc.run({ trigger: 'manual', requestedBy: null });
    await commitDesired([]);
    // This run prunes the entry that referenced it and marks it anew.
    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ historyPruned: 1, blobsMarked: 1, blobsDeleted: 0 });
    advance(2 * HOUR);
    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ blobsDeleted: 0 });
    expect(await kept(blob)).toBe(true);
  });

  it('records each run with its counts, bytes, duration and per-blob errors, newest first, and logs a summary', async () => {
    const a = await publish(postgresStore, 10);
    const b = await publish(fsStore, 20);
    // Indexed in a store this server no longer has (an S3 store whose settings were removed).
    const unreachable = { integrity: digestTarball(randomBytes(8)).integrity, size: 8 };
    await createBlobIndexStore(t.database.db).record({ ...unreachable, storeId: 's3', createdAt: clock.now() });
    const gc = gcService();

    const first = await gc.run({ trigger: 'manual', requestedBy: 'test-admin' });
    advance(GRACE);
    const second = await gc.run({ trigger: 'schedule', requestedBy: null });

    expect(second).toMatchObject({ status: 'done', trigger: 'schedule', requestedBy: null, blobsDeleted: 2, bytesFreed: 30, blobsMarked: 0, finishedAt: clock.now().toISOString() });
    expect(second.durationMs).toBeGreaterThanOrEqual(0);
    expect(second.errors).toHaveLength(1);
    expect(second.errors[0]).toContain(`could not delete ${unreachable.integrity} from the "s3" blob store: no blob store "s3" is registered`);
    expect(second.errors[0]).toMatch(/the next run tries again$/);
    expect(await gone(a)).toBe(true);
    expect(await gone(b)).toBe(true);
    expect(await createBlobIndexStore(t.database.db).get(unreachable.integrity)).not.toBeNull();

    const state = await gc.state();
    expect(state.runs.map((run) => run.id)).toEqual([second.id, first.id]);
    expect(state.runs[1]).toMatchObject({ trigger: 'manual', requestedBy: 'test-admin', status: 'done', blobsMarked: 3 });
    expect(state.settings).toEqual({ blobGraceMs: GRACE, intervalMs: 0, historyKeep: 2, treeGraceMs: 600_000 });
    expect(state.nextRunAt).toBeNull();
    expect(logLines.filter((line) => line.msg === 'blob GC run finished').at(-1)?.fields).toMatchObject({ runId: second.id, blobsDeleted: 2, bytesFreed: 30, errors: 1 });
  });

  it('is refused while an install holds the operation lock, and while another GC runs', async () => {
    const orphan = await publish();
    const gc = gcService();
    const install = await operations.begin('install');
    await expect(gc.run({ trigger: 'manual', requestedBy: null })).rejects.toMatchObject({ code: 'INSTALL_IN_PROGRESS' });
    await install.release();
    expect(await runRows()).toBe(0);

    const running = gc.run({ trigger: 'manual', requestedBy: null });
    await expect(gc.run({ trigger: 'manual', requestedBy: null })).rejects.toMatchObject({ code: 'GC_IN_PROGRESS', message: expect.stringMatching(/spk gc state/) });
    expect(await running).toMatchObject({ status: 'done', blobsMarked: 1 });
    expect(await kept(orphan)).toBe(true);
  });

  it('is refused while a storage migration is active, even with no server running it', async () => {
    const orphan = await publish();
    await t.database.db.insert(storageMigrations).values({ source: 'postgres', target: 'filesystem', status: 'copying', deleteSource: false, total: 3, done: 1 });
    const gc = gcService();
    advance(GRACE);
    await expect(gc.run({ trigger: 'manual', requestedBy: null })).rejects.toMatchObject({ code: 'MIGRATION_IN_PROGRESS', message: expect.stringMatching(/"filesystem".*1 of 3/) });
    expect(await runRows()).toBe(0);
    expect(await kept(orphan)).toBe(true);

    await t.database.db.update(storageMigrations).set({ status: 'done' });
    expect(await gc.run({ trigger: 'manual', requestedBy: null })).toMatchObject({ status: 'done', blobsMarked: 1 });
  });

  it('collects 1000 unreferenced blobs in one run', async () => {
    const since = new Date(current.getTime() - 2 * GRACE);
    const blobs = Array.from({ length: 1000 }, () => {
      const bytes = randomBytes(256);
      return { integrity: digestTarball(bytes).integrity, bytes };
    });
    for (let i = 0; i < blobs.length; i += 250) {
      const batch = blobs.slice(i, i + 250);
      await t.database.db.insert(blobData).values(batch);
      await t.database.db.insert(blobIndex).values(batch.map(({ integrity }) => ({ integrity, size: 256, storeId: 'postgres', createdAt: since, unreferencedSince: since })));
    }
    const run = await gcService().run({ trigger: 'manual', requestedBy: null });
    expect(run).toMatchObject({ status: 'done', blobsDeleted: 1000, bytesFreed: 256_000, errors: [] });
    expect((await t.database.db.select({ n: count() }).from(blobData))[0]!.n).toBe(0);
    expect((await t.database.db.select({ n: count() }).from(blobIndex))[0]!.n).toBe(0);
  });

  it('start marks runs a stopped server left running as interrupted, but not while another operation holds the lock', async () => {
    const [left] = await t.database.db
      .insert(gcRuns)
      .values({ trigger: 'manual', status: 'running', startedAt: clock.now() })
      .returning({ id: gcRuns.id });
    const statusOf = async () => (await t.database.db.select({ status: gcRuns.status }).from(gcRuns).where(eq(gcRuns.id, left!.id)))[0]!.status;

    const install = await operations.begin('install');
    const busy = gcService();
    await busy.start();
    expect(await statusOf()).toBe('running');
    await busy.stop();
    await install.release();

    const gc = gcService();
    await gc.start();
    expect(await statusOf()).toBe('interrupted');
    expect((await gc.state()).runs[0]).toMatchObject({ id: left!.id, status: 'interrupted', errors: [expect.stringMatching(/stopped before it finished/)] });
    await gc.stop();
  });

  it('runs on its schedule, skips ticks while the lock is busy or a run started within the interval, and stops', async () => {
    await publish();
    const install = await operations.begin('install');
    const gc = gcService({ intervalMs: 40 });
    await gc.start();
    expect((await gc.state()).nextRunAt).toBe(new Date(current.getTime() + 40).toISOString());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await runRows()).toBe(0);

    await install.release();
    await vi.waitFor(async () => expect(await runRows()).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    // Ticks within an interval of the last run (by any instance) leave it at that; a later one runs.
    const first = await runRows();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await runRows()).toBe(first);
    advance(40);
    await vi.waitFor(async () => expect(await runRows()).toBe(first + 1), { timeout: 10_000, interval: 20 });
    await gc.stop();
    expect((await gc.state()).runs.at(-1)).toMatchObject({ trigger: 'schedule', requestedBy: null, status: 'done', blobsMarked: 1 });
    expect((await gc.state()).nextRunAt).toBeNull();
    const after = await runRows();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await runRows()).toBe(after);
  });
});

const postgresOnly = testDrivers().filter((d) => d === 'postgres');

describe.each(postgresOnly)('blob GC across instances (%s)', (driver) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(driver);
  });
  afterEach(() => t?.drop());

  it('is refused while another instance installs', async () => {
    const lock = () => createOperationLock({ database: t.database, logger: silentLogger, probe: createBusyProbe(t.database.db) });
    const installer = lock();
    const install = await installer.begin('install');
    await createInstallStateStore(t.database.db).markStarted(new Date());
    const gc = createBlobGcService({
      db: t.database.db,
      history: createHistoryStore(t.database.db),
      blobStores: createBlobStoreRegistry(),
      operations: lock(),
      clock: { now: () => new Date() },
      logger: silentLogger,
      settings: { blobGraceMs: GRACE, intervalMs: 0, historyKeep: 2, treeGraceMs: 0 },
    });
    await expect(gc.run({ trigger: 'manual', requestedBy: null })).rejects.toMatchObject({ code: 'INSTALL_IN_PROGRESS', message: expect.stringMatching(/an install is in progress/) });
    await install.release();
  });
});
