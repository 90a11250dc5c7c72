// A burst of `changed` hooks on one core instance costs at most two rounds (read the desired state,
// reconcile, report): hooks that arrive while a round runs share one follow-up round that reads the
// newest desired state, and a hook naming the tree the host already runs costs nothing. Counted on a
// host of real stores on a real database; a failing round never wedges the next ones.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { SCRIPT_PACKAGES_CHANGED } from '@spk/common';
import { createBlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { createPostgresBlobStore } from '../blob-stores/postgres-blob-store.ts';
import { createHookBus, systemClock } from '../services.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import { createHostStatusStore } from '../stores/host-status-store.ts';
import { createInstallStateStore } from '../stores/install-state-store.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { createCoreHost } from './core-host.ts';

const BURST = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds blob reads: `reached` settles when a round starts fetching, which then waits for `open()`. */
function blobGate() {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  return { open, opened, reached, arrive };
}

describe.each(testDrivers())('a burst of change hooks on a core host (%s)', (driver) => {
  let t: TestBackend;
  const hashes: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  /** A core host on the shared database whose manifest reads, reconciles and status writes are counted. */
  async function countedHost(hostId: string) {
    const db = t.database.db;
    const counts = { manifestReads: 0, statusWrites: 0 };
    const state = createInstallStateStore(db);
    const statusStore = createHostStatusStore(db, { clock: systemClock, pollIntervalMs: 60_000 });
    const blobStores = createBlobStoreRegistry();
    const store = createPostgresBlobStore(db);
    let gate: ReturnType<typeof blobGate> | null = null;
    blobStores.register({
      ...store,
      async getStream(integrity) {
        gate?.arrive();
        await gate?.opened;
        return store.getStream(integrity);
      },
    });
    const lines: LogLine[] = [];
    const hooks = createHookBus();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-hook-burst-'));
    const host = createCoreHost({
      hostId,
      dataDir,
      state: { ...state, readDesired: () => (counts.manifestReads++, state.readDesired()) },
      blobIndex: createBlobIndexStore(db),
      blobStores,
      hostStatus: { ...statusStore, report: (report) => (counts.statusWrites++, statusStore.report(report)) },
      hooks,
      clock: systemClock,
      logger: memoryLogger(lines),
      // No poll tick and no retry timer within a test: every round here is one the hooks asked for.
      pollIntervalMs: 60_000,
      firstRetryMs: 60_000,
    });
    cleanups.push(async () => {
      await host.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const reconciles = () => lines.filter((l) => l.msg === 'reconciled' || l.msg === 'reconcile failed' || l.msg === 'reconcile failed again with the same error').length;
    const snapshot = () => ({ ...counts, reconciles: reconciles() });
    const reset = () => {
      counts.manifestReads = 0;
      counts.statusWrites = 0;
      lines.length = 0;
    };
    const changed = (lockfileHash: string) => hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash, committedAt: new Date().toISOString() });
    const row = async () => (await statusStore.list()).find((h) => h.hostId === hostId);
    /** Starts the host and waits out what starting queues (its first tree GC pass reports once more). */
    async function start() {
      await host.start();
      await host.collectTrees();
      await host.idle();
      reset();
    }
    /** The host runs `hash` and its status row says so, with no error. */
    async function runs(hash: string) {
      expect(await host.currentHash()).toBe(hash);
      expect(await row()).toMatchObject({ lockfileHash: hash, lastError: null });
    }
    /**
     * A hook for `hash` starts a round, held at its first blob read (after it read the desired state)
     * while `meanwhile` runs; then it goes on, and this waits until no round runs or waits.
     */
    async function whileRoundHeld(hash: string, meanwhile: () => Promise<void> | void) {
      const held = (gate = blobGate());
      changed(hash);
      await held.reached;
      await meanwhile();
      gate = null;
      held.open();
      await host.idle();
    }
    return { host, start, snapshot, reset, changed, row, runs, whileRoundHeld };
  }

  const commit = (lockfileHash: string) => t.backend.historyService.rollback(lockfileHash, { principalId: null });

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, hostId: `burst-installer-${driver}` });
    for (const name of ['spk-fixture-leaf', 'spk-fixture-esm', 'spk-fixture-cjs']) {
      await t.client.packages.add({ name });
      await t.client.install.trigger();
      await t.backend.installer.idle();
      const state = await t.client.install.state();
      expect(state.status).toBe('idle');
      hashes.push(state.lockfileHash!);
    }
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(() => t?.close());

  it(`${BURST} hooks for a new state, arriving over longer than a round, cost one manifest read, one reconcile and one status write`, async () => {
    const [a, b] = hashes as [string, string];
    await commit(b);
    const h = await countedHost(`burst-spread-${driver}`);
    await h.start();
    expect(await h.host.currentHash()).toBe(b);

    await commit(a);
    for (let i = 0; i < BURST; i++) {
      h.changed(a);
      await sleep(15);
    }
    await h.host.idle();

    await h.runs(a);
    // Hooks heard while the round read the desired hash name what it read; later ones, what it builds.
    expect(h.snapshot()).toEqual({ manifestReads: 1, reconciles: 1, statusWrites: 1 });
  });

  it('hooks arriving while a round builds their state cost nothing; one naming a newer state costs one follow-up round', async () => {
    const [a, b, c] = hashes as [string, string, string];
    await commit(a);
    const h = await countedHost(`burst-held-${driver}`);
    await h.start();

    await commit(b);
    await h.whileRoundHeld(b, () => {
      for (let i = 0; i < BURST; i++) h.changed(b);
    });
    expect(await h.host.currentHash()).toBe(b);
    expect(h.snapshot()).toEqual({ manifestReads: 1, reconciles: 1, statusWrites: 1 });

    h.reset();
    await commit(c);
    await h.whileRoundHeld(c, async () => {
      for (let i = 0; i < BURST / 2; i++) h.changed(c);
      // Committed while the round for c is under way: the follow-up reads a and goes back to its tree.
      await commit(a);
      for (let i = 0; i < BURST / 2; i++) h.changed(a);
    });
    await h.runs(a);
    expect(h.snapshot()).toEqual({ manifestReads: 2, reconciles: 2, statusWrites: 2 });
  });

  it(`${BURST} hooks at once while the state changes twice end on the newest state within two rounds`, async () => {
    const [a, b, c] = hashes as [string, string, string];
    await commit(a);
    const h = await countedHost(`burst-newest-${driver}`);
    await h.start();

    await commit(b);
    for (let i = 0; i < BURST / 2; i++) h.changed(b);
    // The round for b is under way (or done) when c is committed; every hook below names c.
    await commit(c);
    for (let i = 0; i < BURST / 2; i++) h.changed(c);
    await h.host.idle();

    await h.runs(c);
    const counts = h.snapshot();
    for (const count of Object.values(counts)) expect(count).toBeLessThanOrEqual(2);
  });

  it('hooks naming the tree the host already runs cost no round at all', async () => {
    const [a] = hashes as [string];
    await commit(a);
    const h = await countedHost(`burst-same-${driver}`);
    await h.start();
    for (let i = 0; i < BURST; i++) {
      h.changed(a);
      await sleep(2);
    }
    await h.host.idle();
    expect(h.snapshot()).toEqual({ manifestReads: 0, reconciles: 0, statusWrites: 0 });
  });

  it('a failing round does not wedge the host: a burst while it fails costs one attempt, and a later hook converges at once', async () => {
    const [, b] = hashes as [string, string];
    await commit(b);
    const db = t.database.db;
    await db.execute(sql`create table blob_data_saved as select * from blob_data`);
    await db.execute(sql`delete from blob_data`);
    try {
      const h = await countedHost(`burst-failing-${driver}`);
      await h.start();
      expect(await h.row()).toMatchObject({ lockfileHash: null, lastError: expect.stringMatching(/^blob sha512-/) });
      for (let i = 0; i < BURST; i++) h.changed(b);
      await h.host.idle();
      expect(await h.host.currentHash()).toBeNull();
      // Tried at once despite the 60 s backoff (a hook may mean the blobs are back), but once for the whole burst.
      expect(h.snapshot()).toEqual({ manifestReads: 1, reconciles: 1, statusWrites: 1 });

      // Hooks naming the state a round is failing to build ask for exactly one more attempt, at once.
      h.reset();
      await h.whileRoundHeld(b, () => {
        for (let i = 0; i < BURST; i++) h.changed(b);
      });
      expect(h.snapshot()).toEqual({ manifestReads: 2, reconciles: 2, statusWrites: 2 });

      // The blobs are back (an install re-published them); its hook is tried at once, not after the 60 s backoff.
      await db.execute(sql`insert into blob_data select * from blob_data_saved`);
      h.reset();
      h.changed(b);
      await h.host.idle();
      await h.runs(b);
      expect(h.snapshot()).toMatchObject({ manifestReads: 1, statusWrites: 1 });
    } finally {
      await db.execute(sql`insert into blob_data select * from blob_data_saved on conflict do nothing`);
      await db.execute(sql`drop table blob_data_saved`);
    }
  });
});
