// agent.watch against a real database: what a stream yields and when, how a revoke ends it (the
// hook, the heartbeat re-check, and a revoke made through another instance on the same
// PostgreSQL), and that closed streams leave no listener or timer behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeLockfileHash, SCRIPT_PACKAGES_CHANGED, type AgentWatchEvent, type Manifest } from '@spk/common';
import { openDatabase, type Database } from '../db/database.ts';
import { createClusterHookBus } from '../hooks/cluster-hook-bus.ts';
import { createScriptPackagesBackend } from '../plugin.ts';
import { createHookBus, silentLogger, systemClock, type HookBus } from '../services.ts';
import { createInstallStateStore } from '../stores/install-state-store.ts';
import { createSatelliteStore } from '../stores/satellite-store.ts';
import { TEST_ADMIN } from '../testing/test-backend.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { indexManifestBlobs } from '../testing/indexed-blobs.ts';
import { createAgentWatch } from './agent-watch.ts';
import { createSatelliteService } from './satellite-service.ts';

const HEARTBEAT_MS = 150;

/** A hook bus that counts its listeners, so a test can see that closed streams removed theirs. */
function countingHookBus(): HookBus & { listeners(): number } {
  const bus = createHookBus();
  let count = 0;
  return {
    emit: bus.emit,
    on(id, listener) {
      count++;
      const off = bus.on(id, listener);
      let removed = false;
      return () => {
        if (!removed) count--;
        removed = true;
        return off();
      };
    },
    listeners: () => count,
  };
}

const manifestOf = (tag: string): Manifest => [
  {
    name: `pkg-${tag}`,
    version: '1.0.0',
    path: `node_modules/pkg-${tag}`,
    integrity: `sha512-${Buffer.alloc(64, tag.length).toString('base64')}`,
    size: 1,
    hasInstallScript: false,
    bin: {},
    dependencies: {},
  },
];

const nextOf = async (stream: AsyncIterator<AgentWatchEvent>) => (await stream.next()).value as AgentWatchEvent | undefined;

/** The next `desired` event, passing over heartbeats (a slow database may let one in first). */
async function nextDesired(stream: AsyncIterator<AgentWatchEvent>) {
  for (;;) {
    const event = await nextOf(stream);
    if (event?.type !== 'heartbeat') return event;
  }
}

describe.each(testDrivers())('agent.watch (%s)', (driver) => {
  let t: TestDatabase;
  let hooks: ReturnType<typeof countingHookBus>;
  const setup = () => {
    const satellites = createSatelliteStore(t.database.db);
    const state = createInstallStateStore(t.database.db);
    const service = createSatelliteService({ satellites, hooks, clock: systemClock, logger: silentLogger });
    const watchWith = (heartbeatMs: number) =>
      createAgentWatch({ hooks, satellites, readDesiredHash: () => state.readDesiredHash(), heartbeatMs, clock: systemClock });
    /** Commits a made-up manifest as the installer would; the hook is sent unless the test drops it. */
    const commit = async (tag: string, options: { hook: boolean } = { hook: true }) => {
      const manifest = manifestOf(tag);
      const lockfileHash = await computeLockfileHash(manifest);
      const generation = await state.markStarted(new Date());
      await indexManifestBlobs(t.database.db, manifest);
      await state.commit({ lockfileHash, manifest, totalSize: 1, warnings: [], at: new Date(), generation });
      if (options.hook) hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash, committedAt: new Date().toISOString() });
      return lockfileHash;
    };
    return { satellites, service, watchWith, commit };
  };

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    hooks = countingHookBus();
  });
  afterAll(() => t?.drop());

  it('yields the current hash at once, each new one once, and heartbeats with the current hash', async () => {
    const { service, watchWith, commit } = setup();
    await service.create('w-events');
    const first = await commit('a');
    const stream = watchWith(HEARTBEAT_MS).watch('w-events');
    expect(await nextOf(stream)).toEqual({ type: 'desired', lockfileHash: first, heartbeatMs: expect.any(Number) });

    const second = await commit('bb');
    expect(await nextDesired(stream)).toEqual({ type: 'desired', lockfileHash: second, heartbeatMs: expect.any(Number) });
    // The same hash again (a re-commit of the same set, or a hook from another instance): no new event.
    hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash: second, committedAt: new Date().toISOString() });
    const started = Date.now();
    const after = [await nextOf(stream), await nextOf(stream), await nextOf(stream)];
    expect(after).toEqual(after.map(() => ({ type: 'heartbeat', lockfileHash: second, at: expect.any(String), heartbeatMs: expect.any(Number) })));
    // Three heartbeats take at least two intervals.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * HEARTBEAT_MS - 20);
    await stream.return();
  });

  it('catches a commit whose hook was missed by the next heartbeat', async () => {
    const { service, watchWith, commit } = setup();
    await service.create('w-missed');
    const stream = watchWith(HEARTBEAT_MS).watch('w-missed');
    const current = (await nextOf(stream)) as { lockfileHash: string | null };
    const missed = await commit('ccc', { hook: false });
    expect(missed).not.toBe(current.lockfileHash);
    expect(await nextDesired(stream)).toEqual({ type: 'desired', lockfileHash: missed, heartbeatMs: expect.any(Number) });
    expect(await nextOf(stream)).toEqual({ type: 'heartbeat', lockfileHash: missed, at: expect.any(String), heartbeatMs: expect.any(Number) });
    await stream.return();
  });

  it('ends with UNAUTHORIZED at once when the satellite is revoked, long before a heartbeat', async () => {
    const { service, watchWith } = setup();
    await service.create('w-revoked');
    await service.create('w-bystander');
    const watch = watchWith(60_000);
    const stream = watch.watch('w-revoked');
    const bystander = watch.watch('w-bystander');
    await nextOf(stream);
    await nextOf(bystander);
    const ended = stream.next().catch((error: unknown) => error);
    const started = Date.now();
    await service.revoke('w-revoked');
    expect(await ended).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('"w-revoked" was revoked') });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(watch.openStreams()).toBe(1);
    await bystander.return();
    expect(watch.openStreams()).toBe(0);
  });

  it('ends at the next heartbeat when the revoke hook never came, also if the name was taken again', async () => {
    const { satellites, service, watchWith } = setup();
    await service.create('w-silent');
    const stream = watchWith(HEARTBEAT_MS).watch('w-silent');
    await nextOf(stream);
    // Revoked and re-created through the table alone, as if the hook were lost between instances.
    await satellites.markRevoked('w-silent', new Date());
    await service.create('w-silent');
    const error = await (async () => {
      for (;;) await stream.next();
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('removes every listener and timer when streams are closed by disconnect, return() or the backend stopping', async () => {
    const { service, watchWith } = setup();
    await service.create('w-leaks');
    const baseline = hooks.listeners();
    const watch = watchWith(HEARTBEAT_MS);
    const controllers = Array.from({ length: 10 }, () => new AbortController());
    const aborted = controllers.map((c) => watch.watch('w-leaks', c.signal));
    const returned = Array.from({ length: 10 }, () => watch.watch('w-leaks'));
    const stopped = Array.from({ length: 10 }, () => watch.watch('w-leaks'));
    await Promise.all([...aborted, ...returned, ...stopped].map((s) => nextOf(s)));
    expect(watch.openStreams()).toBe(30);
    expect(hooks.listeners()).toBe(baseline + 60);

    // A disconnect aborts the signal while the stream waits for its next event.
    const pending = aborted.map((s) => s.next());
    for (const c of controllers) c.abort();
    expect(await Promise.all(pending)).toEqual(aborted.map(() => ({ done: true, value: undefined })));
    await Promise.all(returned.map((s) => s.return()));
    const closing = stopped.map((s) => s.next());
    watch.closeAll();
    expect((await Promise.all(closing)).every((r) => r.done)).toBe(true);

    expect(watch.openStreams()).toBe(0);
    expect(hooks.listeners()).toBe(baseline);
  });
});

describe.each(testDrivers().filter((d) => d === 'postgres'))('revocation across instances (%s)', (driver) => {
  let t: TestDatabase;
  let second: Database;
  const instances: Array<{ stop(): Promise<void> }> = [];

  /** A core instance on `database` whose hooks travel through PostgreSQL, as apps/server wires it. */
  async function instance(database: Database, hostId: string) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-watch-instance-'));
    const hooks = createClusterHookBus(database, silentLogger);
    await hooks.start();
    const backend = createScriptPackagesBackend(
      { database, logger: silentLogger, dataDir, hooks, clock: systemClock },
      { hostId, pollIntervalMs: 600_000, agentHeartbeatMs: 60_000 },
    );
    await backend.start();
    const admin = createRouterClient(backend.router, { context: { principal: TEST_ADMIN } });
    const handle = {
      backend,
      admin,
      async clientFor(token: string) {
        return createRouterClient(backend.router, { context: { principal: await backend.authenticate(token) } });
      },
      async stop() {
        await hooks.stop();
        await backend.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
    instances.push(handle);
    return handle;
  }

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    second = await openDatabase({ url: t.url!, maxConnections: 3 });
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await second?.close();
    await t?.drop();
  });

  it('closes a stream open on one instance when the satellite is revoked through another', async () => {
    const a = await instance(t.database, 'core-a');
    const b = await instance(second, 'core-b');
    const { token } = await a.admin.satellites.create({ name: 'roamer' });
    const onB = await b.clientFor(token);
    const stream = await onB.agent.watch();
    expect(await stream.next()).toEqual({ done: false, value: { type: 'desired', lockfileHash: null, heartbeatMs: expect.any(Number) } });
    expect(b.backend.openAgentStreams()).toBe(1);

    const ended = stream.next().catch((error: unknown) => error);
    const started = Date.now();
    await a.admin.satellites.revoke({ name: 'roamer' });
    // The heartbeat is a minute away: only the hook carried by PostgreSQL can end it this soon.
    expect(await ended).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: expect.stringContaining('was revoked') });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(b.backend.openAgentStreams()).toBe(0);
  });
});
