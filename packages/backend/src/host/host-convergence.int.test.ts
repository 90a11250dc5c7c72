// What `hosts.status` says about each host over time (convergedAt, lastSeenAt, stale), and how a
// caller waits for the answering instance to run a tree (hosts.waitConverged, runs that wait).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRouterClient } from '@orpc/server';
import { SCRIPT_PACKAGES_CHANGED } from '@spk/common';
import { createScriptPackagesBackend } from '../plugin.ts';
import { createHookBus, silentLogger, systemClock, type HookBus } from '../services.ts';
import { createTestBackend, TEST_ADMIN, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const POLL_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDrivers())('host status and waiting for convergence (%s)', (driver) => {
  let t: TestBackend;
  const hostId = `core-${driver}`;

  /** Another core instance on the same database, with its own data dir and hook bus. */
  async function secondInstance(id: string, options: { pollIntervalMs: number }) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-second-instance-'));
    const hooks: HookBus = createHookBus();
    const backend = createScriptPackagesBackend(
      { database: t.database, logger: silentLogger, dataDir, hooks, clock: systemClock, auth: { authenticate: async () => TEST_ADMIN } },
      { hostId: id, pollIntervalMs: options.pollIntervalMs },
    );
    await backend.start();
    await backend.host.idle();
    const client = createRouterClient(backend.router, { context: { principal: TEST_ADMIN } });
    return {
      backend,
      client,
      hooks,
      async stop() {
        await backend.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }

  const installAndWait = async () => {
    await t.client.install.trigger();
    await t.backend.installer.idle();
    const state = await t.client.install.state();
    expect(state.status).toBe('idle');
    return state.lockfileHash!;
  };

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, hostId, pollIntervalMs: POLL_MS });
    await t.client.packages.add({ name: 'spk-fixture-leaf' });
    await installAndWait();
    await t.backend.host.idle();
  });
  afterAll(() => t?.close());

  it('keeps convergedAt at the first time the host reached its hash, while lastSeenAt follows every report', async () => {
    const first = (await t.client.hosts.status()).hosts.find((h) => h.hostId === hostId)!;
    expect(first).toMatchObject({ lockfileHash: (await t.client.install.state()).lockfileHash, lastError: null });
    expect(first.convergedAt).not.toBeNull();

    // A commit of the same set broadcasts `changed` again, and the poll reports on every tick.
    t.hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash: first.lockfileHash!, committedAt: new Date().toISOString() });
    await sleep(POLL_MS * 3);
    await t.backend.host.idle();

    const later = (await t.client.hosts.status()).hosts.find((h) => h.hostId === hostId)!;
    expect(later.convergedAt).toBe(first.convergedAt);
    expect(Date.parse(later.lastSeenAt)).toBeGreaterThan(Date.parse(first.lastSeenAt));
    expect(later).toMatchObject({ stale: false, updatedAt: later.lastSeenAt });
  });

  it('moves convergedAt when the host reaches a new hash', async () => {
    const before = (await t.client.hosts.status()).hosts.find((h) => h.hostId === hostId)!;
    await t.client.packages.add({ name: 'spk-fixture-esm' });
    const hash = await installAndWait();
    await t.backend.host.idle();
    const after = (await t.client.hosts.status()).hosts.find((h) => h.hostId === hostId)!;
    expect(after.lockfileHash).toBe(hash);
    expect(Date.parse(after.convergedAt!)).toBeGreaterThan(Date.parse(before.convergedAt!));
  });

  it('shows a host that stopped reporting as stale after three poll intervals, and a live one never', async () => {
    const second = await secondInstance(`stopped-${driver}`, { pollIntervalMs: POLL_MS });
    const statusOf = async (id: string) => (await t.client.hosts.status()).hosts.find((h) => h.hostId === id)!;
    expect(await statusOf(`stopped-${driver}`)).toMatchObject({ stale: false });
    await second.stop();

    await sleep(POLL_MS * 3 + 200);
    const stopped = await statusOf(`stopped-${driver}`);
    expect(stopped.stale).toBe(true);
    expect(Date.now() - Date.parse(stopped.lastSeenAt)).toBeGreaterThan(POLL_MS * 3);
    // The answering instance has nothing to do either, and still reports on every tick.
    expect(await statusOf(hostId)).toMatchObject({ stale: false });
  });

  it('hosts.waitConverged answers at once for the tree this instance runs', async () => {
    const hash = (await t.client.install.state()).lockfileHash!;
    await expect(t.client.hosts.waitConverged({ lockfileHash: hash, timeoutMs: 1_000 })).resolves.toEqual({ hostId, lockfileHash: hash, waitedMs: expect.any(Number) });
  });

  it('hosts.waitConverged gives up with NOT_CONVERGED naming both hashes when the tree does not come in time', async () => {
    const never = 'f'.repeat(64);
    const current = await t.backend.host.currentHash();
    const started = Date.now();
    const error = await t.client.hosts.waitConverged({ lockfileHash: never, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toMatchObject({
      status: 503,
      data: { code: 'NOT_CONVERGED', hostId, wantedHash: never, currentHash: current, desiredHash: current, lastError: null },
    });
    expect((error as Error).message).toBe(
      `host ${hostId} still runs ${current}, not ${never}, after 0.3 s (the desired state is now ${current}, not ${never}); ` +
        'check "spk status" for each host\'s tree and last error, and the server log; wait longer to let a large tree finish',
    );
  });

  it('wakes a waiting caller, and a run that waits, when the instance converges on the change hook', async () => {
    // Its own hook bus and a long poll: this instance learns of the next install only when the test says.
    const second = await secondInstance(`waiting-${driver}`, { pollIntervalMs: 60_000 });
    try {
      await t.client.packages.add({ name: 'spk-fixture-cjs' });
      const hash = await installAndWait();
      const script = { filename: 'w.cjs', source: "module.exports = require('spk-fixture-cjs').id;" };
      await expect(second.client.runs.execute(script)).rejects.toMatchObject({ data: { code: 'NOT_CONVERGED' } });

      const waiting = second.client.hosts.waitConverged({ lockfileHash: hash, timeoutMs: 30_000 });
      const run = second.client.runs.execute({ ...script, waitForConvergenceMs: 30_000 });
      await sleep(200);
      expect(await second.backend.host.currentHash()).not.toBe(hash);
      second.hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash: hash, committedAt: new Date().toISOString() });

      await expect(waiting).resolves.toMatchObject({ hostId: `waiting-${driver}`, lockfileHash: hash, waitedMs: expect.any(Number) });
      expect((await waiting).waitedMs).toBeGreaterThanOrEqual(150);
      await expect(run).resolves.toMatchObject({ ok: true, lockfileHash: hash, result: 'spk-fixture-cjs@1.0.0' });
    } finally {
      await second.stop();
    }
  });

  it('refuses a run that asks to wait longer than the limit, naming the limit', async () => {
    const error = await t.client.runs.execute({ filename: 'a.mjs', source: 'export default 1', waitForConvergenceMs: 61_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ data: { code: 'INVALID_INPUT', issues: [{ path: 'waitForConvergenceMs', message: expect.stringContaining('60000') }] } });
  });
});
