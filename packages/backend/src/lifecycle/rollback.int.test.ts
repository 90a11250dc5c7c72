// History and rollback through real installs (a real registry, a real database): what an install
// records, a rollback restoring the desired state and the declared set in one step and fencing off
// an older installer, the refusals that change nothing, and pruning after each commit.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SCRIPT_PACKAGES_CHANGED, type ChangedPayload, type InstallState } from '@spk/common';
import { createBlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { createPostgresBlobStore, POSTGRES_STORE_ID } from '../blob-stores/postgres-blob-store.ts';
import { blobIndex, storageMigrations } from '../db/schema.ts';
import { createBusyProbe } from '../install/busy-probe.ts';
import { createInstallController, runningNodeMajor } from '../install/install-controller.ts';
import { createOperationLock } from '../install/operation-lock.ts';
import { createHookBus, silentLogger, systemClock } from '../services.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import { createInstallStateStore } from '../stores/install-state-store.ts';
import { createPackageStore } from '../stores/package-store.ts';
import { createScriptsPolicyStore } from '../stores/scripts-policy-store.ts';
import { createSettingsStore } from '../stores/settings-store.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { createHistoryService } from './history-service.ts';
import { createHistoryStore } from './history-store.ts';

const KEEP = 2;

/** An installer and the history service on `t`'s database, sharing one operation lock and one hook bus of their own. */
function lifecycleOn(t: TestBackend) {
  const db = t.database.db;
  const blobStores = createBlobStoreRegistry();
  blobStores.register(createPostgresBlobStore(db));
  const hooks = createHookBus();
  const operations = createOperationLock({ database: t.database, logger: silentLogger, probe: createBusyProbe(db) });
  const state = createInstallStateStore(db);
  const history = createHistoryStore(db);
  const packages = createPackageStore(db, systemClock);
  const installer = createInstallController({
    database: t.database,
    packages,
    settings: createSettingsStore(db, systemClock, { storeId: POSTGRES_STORE_ID }, { keys: t.backend.secretKeys }),
    scriptsPolicy: createScriptsPolicyStore(db, systemClock),
    state,
    blobIndex: createBlobIndexStore(db),
    blobStores,
    hooks,
    clock: systemClock,
    logger: silentLogger,
    dataDir: t.dataDir,
    operations,
    typesAutoAdd: { enabled: false, nodeMajor: runningNodeMajor() },
    pruneHistory: () => history.prune(KEEP),
  });
  const service = createHistoryService({ history, state, operations, hooks, clock: systemClock, logger: silentLogger, keep: KEEP });
  return { db, hooks, operations, state, history, packages, installer, service };
}

describe.each(testDrivers())('history and rollback (%s)', (driver) => {
  let t: TestBackend;
  let l: ReturnType<typeof lifecycleOn>;
  const changed: ChangedPayload[] = [];
  let a: InstallState;
  let b: InstallState;

  async function install(by: string): Promise<InstallState> {
    expect((await l.installer.trigger({ principalId: by })).started).toBe(true);
    await l.installer.idle();
    const state = await l.state.read();
    expect(state.error).toBeNull();
    return state;
  }
  async function declare(entries: Array<{ name: string; range: string; enabled?: boolean }>) {
    for (const p of await l.packages.list()) await l.packages.remove(p.name);
    for (const p of entries) await l.packages.add({ enabled: true, ...p });
  }
  const declared = async () => (await l.packages.list()).map(({ name, range, enabled }) => ({ name, range, enabled }));
  /** Everything a refused rollback must leave as it was. */
  const snapshot = async () => ({ state: await l.state.read(), declared: await declared(), history: await l.history.list(), changed: changed.length });

  beforeAll(async () => {
    t = await createTestBackend(driver, {
      registry: { url: inject('registryUrl'), token: inject('registryToken') },
      // The test's own migration row must not be resumed by the backend meanwhile.
      lifecycle: { migration: { resumeCheckMs: 3_600_000 } },
    });
    l = lifecycleOn(t);
    l.hooks.on(SCRIPT_PACKAGES_CHANGED, (payload) => changed.push(payload));
  });
  afterAll(() => t?.close());

  it('an install records the whole declared set it came from (disabled packages too), who triggered it and its size', async () => {
    await declare([
      { name: 'spk-fixture-leaf', range: '^1.0.0' },
      { name: 'spk-fixture-esm', range: '1.1.0', enabled: false },
    ]);
    a = await install('alice');
    expect(a.manifest.map((e) => e.name)).toEqual(['spk-fixture-leaf']);

    const { keep, entries } = await l.service.list();
    expect(keep).toBe(KEEP);
    expect(entries).toEqual([
      {
        lockfileHash: a.lockfileHash,
        committedAt: a.committedAt,
        committedBy: 'alice',
        source: 'install',
        packages: 1,
        totalSize: a.totalSize,
        declared: [
          { name: 'spk-fixture-esm', range: '1.1.0', enabled: false },
          { name: 'spk-fixture-leaf', range: '^1.0.0', enabled: true },
        ],
        pinned: false,
        desired: true,
      },
    ]);
  });

  it('a rollback restores the declared set and the desired state in one step, broadcasts it, and fences off an installer elected before it', async () => {
    await declare([
      { name: 'spk-fixture-cjs', range: '^1.0.0' },
      { name: 'spk-fixture-leaf', range: '^2.0.0' },
    ]);
    b = await install('bob');
    expect(b.lockfileHash).not.toBe(a.lockfileHash);
    // An installer elected now that loses its lock before it commits.
    const stale = await l.state.markStarted(new Date());
    changed.length = 0;

    const result = await l.service.rollback(a.lockfileHash!.slice(0, 8), { principalId: 'carol' });

    const now = await l.state.read();
    expect(result).toEqual({
      lockfileHash: a.lockfileHash,
      previousHash: b.lockfileHash,
      declared: [
        { name: 'spk-fixture-esm', range: '1.1.0', enabled: false },
        { name: 'spk-fixture-leaf', range: '^1.0.0', enabled: true },
      ],
      warnings: [],
      state: now,
    });
    expect(now).toMatchObject({ status: 'idle', lockfileHash: a.lockfileHash, manifest: a.manifest, error: null, progress: null, warnings: [] });
    expect(await declared()).toEqual(result.declared);
    expect(changed).toEqual([{ lockfileHash: a.lockfileHash, committedAt: now.committedAt }]);
    const [newest, previous] = (await l.service.list()).entries;
    expect(newest).toMatchObject({ lockfileHash: a.lockfileHash, source: 'rollback', committedBy: 'carol', committedAt: now.committedAt, desired: true });
    expect(previous).toMatchObject({ lockfileHash: b.lockfileHash, source: 'install', committedBy: 'bob', desired: false });

    // The installer elected before the rollback can no longer commit over it.
    await expect(l.state.commit({ lockfileHash: b.lockfileHash!, manifest: b.manifest, totalSize: b.totalSize, warnings: [], at: new Date(), generation: stale })).rejects.toMatchObject({
      code: 'INSTALL_SUPERSEDED',
    });
    expect((await l.state.read()).lockfileHash).toBe(a.lockfileHash);
  });

  it('a rollback to the desired state changes nothing and says so', async () => {
    const before = await snapshot();
    const result = await l.service.rollback(a.lockfileHash!, { principalId: 'dave' });
    expect(result).toMatchObject({ lockfileHash: a.lockfileHash, previousHash: a.lockfileHash, warnings: [expect.stringContaining('already the desired state')] });
    expect(await snapshot()).toEqual(before);
  });

  it('is refused while an install holds the operation lock, changing nothing', async () => {
    const before = await snapshot();
    const lease = await l.operations.begin('install');
    try {
      await expect(l.service.rollback(b.lockfileHash!, { principalId: 'carol' })).rejects.toMatchObject({ code: 'INSTALL_IN_PROGRESS' });
    } finally {
      await lease.release();
    }
    expect(await snapshot()).toEqual(before);
  });

  it('is refused while a storage migration is active, changing nothing', async () => {
    const before = await snapshot();
    const [row] = await l.db
      .insert(storageMigrations)
      .values({ source: 'postgres', target: 'filesystem', status: 'copying', deleteSource: false, total: 4, done: 1 })
      .returning({ id: storageMigrations.id });
    try {
      await expect(l.service.rollback(b.lockfileHash!, { principalId: 'carol' })).rejects.toMatchObject({
        code: 'MIGRATION_IN_PROGRESS',
        message: expect.stringContaining('roll back once it has finished'),
      });
    } finally {
      await l.db.update(storageMigrations).set({ status: 'failed' }).where(eq(storageMigrations.id, row!.id));
    }
    expect(await snapshot()).toEqual(before);
  });

  it('is refused when a blob of the target is gone from the blob store, naming how many, changing nothing', async () => {
    const before = await snapshot();
    const gone = b.manifest[0]!.integrity;
    const [indexRow] = await l.db.delete(blobIndex).where(eq(blobIndex.integrity, gone)).returning();
    try {
      await expect(l.service.rollback(b.lockfileHash!, { principalId: 'carol' })).rejects.toMatchObject({
        code: 'STORE_INCOMPLETE',
        message: expect.stringContaining(`1 of the ${new Set(b.manifest.map((e) => e.integrity)).size} blobs`),
        details: { lockfileHash: b.lockfileHash, missing: 1 },
      });
    } finally {
      await l.db.insert(blobIndex).values(indexRow!);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('each commit prunes the history to the kept length, sparing pinned entries', async () => {
    expect(await l.service.pin(b.lockfileHash!.slice(0, 10), true)).toMatchObject({ lockfileHash: b.lockfileHash, pinned: true });
    await declare([{ name: 'spk-fixture-esm', range: '1.0.0' }]);
    const c = await install('alice');
    expect((await l.service.list()).entries.map((e) => e.lockfileHash)).toEqual([c.lockfileHash, a.lockfileHash, b.lockfileHash]);

    await declare([{ name: 'spk-fixture-esm', range: '1.1.0' }]);
    const d = await install('alice');
    const { entries } = await l.service.list();
    expect(entries.map((e) => [e.lockfileHash, e.pinned])).toEqual([
      [d.lockfileHash, false],
      [c.lockfileHash, false],
      [b.lockfileHash, true],
    ]);
    await expect(l.service.rollback(a.lockfileHash!, { principalId: 'carol' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('`spk history` lists them'),
    });

    // The pinned entry is still a rollback away.
    const back = await l.service.rollback(b.lockfileHash!, { principalId: 'carol' });
    expect(back.state.lockfileHash).toBe(b.lockfileHash);
    expect(await declared()).toEqual([
      { name: 'spk-fixture-cjs', range: '^1.0.0', enabled: true },
      { name: 'spk-fixture-leaf', range: '^2.0.0', enabled: true },
    ]);
  });
});
