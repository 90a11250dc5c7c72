// install.watch and hosts.watch on a real backend: the state at once, each change after it (also
// of an install another instance on the same database runs), and nothing left open once a
// client goes away.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { INSTALL_PHASES, type InstallState } from '@spk/common';
import { startSlowRegistryProxy, type SlowRegistryProxy } from '@spk/tools';
import { createScriptPackagesBackend } from '../plugin.ts';
import { createHookBus, silentLogger, systemClock } from '../services.ts';
import { createTestBackend, TEST_ADMIN, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const POLL_MS = 250;

/** Reads a stream until `done` holds for an event (which is included), or fails after `timeoutMs`. */
async function until<T>(stream: AsyncIterator<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T[]> {
  const seen: T[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    const next = await Promise.race([stream.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(0, left)).unref())]);
    if (next === 'timeout') throw new Error(`no matching event within ${timeoutMs} ms; seen: ${JSON.stringify(seen).slice(0, 2000)}`);
    if (next.done) throw new Error(`the stream ended before a matching event; seen: ${JSON.stringify(seen).slice(0, 2000)}`);
    seen.push(next.value);
    if (done(next.value)) return seen;
  }
}

/** The next event of a stream. */
const nextOf = async <T,>(stream: AsyncIterator<T>): Promise<T> => (await until(stream, () => true))[0]!;

const phaseIndex = (s: InstallState) => (s.progress ? INSTALL_PHASES.indexOf(s.progress.phase) : -1);

describe.each(testDrivers())('install.watch and hosts.watch (%s)', (driver) => {
  let t: TestBackend;
  let proxy: SlowRegistryProxy;
  const hostId = `core-${driver}`;
  // Instances sharing a database share the key their registry secrets are sealed with.
  const secretKey = randomBytes(32).toString('base64');

  /** Another core instance on the same database, with its own data dir and hook bus: it hears nothing from this one. */
  async function secondInstance(id: string) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-watch-second-'));
    const backend = createScriptPackagesBackend(
      { database: t.database, logger: silentLogger, dataDir, hooks: createHookBus(), clock: systemClock, auth: { authenticate: async () => TEST_ADMIN } },
      { hostId: id, pollIntervalMs: POLL_MS, secretKey },
    );
    await backend.start();
    return {
      backend,
      client: createRouterClient(backend.router, { context: { principal: TEST_ADMIN } }),
      async stop() {
        await backend.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }

  beforeAll(async () => {
    proxy = await startSlowRegistryProxy(inject('registryUrl'), 0);
    t = await createTestBackend(driver, { registry: { url: proxy.url, token: inject('registryToken') }, hostId, pollIntervalMs: POLL_MS, secretKey });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('install.watch sends the state at once, the phases in order, then the committed state', async () => {
    const stream = await t.client.install.watch();
    try {
      const first = await nextOf(stream);
      expect(first).toEqual(await t.client.install.state());

      await t.client.packages.add({ name: 'spk-fixture-leaf' });
      proxy.delayMs = 150;
      await t.client.install.trigger();
      const events = await until(stream, (s) => s.status === 'idle' && s.committedAt !== null);
      proxy.delayMs = 0;

      const running = events.filter((s) => s.status === 'installing');
      expect(running.length).toBeGreaterThan(1);
      const phases = running.map(phaseIndex);
      expect(phases).toEqual([...phases].sort((a, b) => a - b));
      expect(new Set(phases.filter((p) => p >= 0)).size).toBeGreaterThan(1);
      const last = events.at(-1)!;
      expect(last).toEqual(await t.client.install.state());
      expect(last.manifest.map((e) => e.name)).toContain('spk-fixture-leaf');
      // Each event differs from the one before it.
      for (let i = 1; i < events.length; i++) expect(events[i]).not.toEqual(events[i - 1]);
    } finally {
      proxy.delayMs = 0;
      await stream.return();
    }
  });

  it('install.watch on one instance follows an install another instance runs', async () => {
    const second = await secondInstance(`second-${driver}`);
    const stream = await t.client.install.watch();
    try {
      const before = await nextOf(stream);
      await t.client.packages.add({ name: 'spk-fixture-esm', range: '1.0.0' });
      // Slow enough that the installing state outlasts this instance's idle re-read interval.
      proxy.delayMs = 700;
      await second.backend.installer.trigger();
      const events = await until(stream, (s) => s.status === 'idle' && s.committedAt !== before.committedAt);
      expect(events.some((s) => s.status === 'installing')).toBe(true);
      expect(events.at(-1)!.lockfileHash).toBe((await second.client.install.state()).lockfileHash);
      expect(events.at(-1)!.manifest.map((e) => e.name)).toContain('spk-fixture-esm');
    } finally {
      proxy.delayMs = 0;
      await stream.return();
      await second.backend.installer.idle();
      await second.stop();
    }
  });

  it('ends install.watch and hosts.watch when the client disconnects or returns, leaving no stream open', async () => {
    expect(t.backend.openStatusStreams()).toBe(0);
    const abort = new AbortController();
    const install = await t.client.install.watch(undefined, { signal: abort.signal });
    const hosts = await t.client.hosts.watch(undefined, { signal: abort.signal });
    const returned = await t.client.hosts.watch();
    await Promise.all([install.next(), hosts.next(), returned.next()]);
    expect(t.backend.openStatusStreams()).toBe(3);
    // A disconnect aborts the signal while the stream waits for its next change.
    const pending = [install.next(), hosts.next()];
    abort.abort();
    expect(await Promise.all(pending)).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    await returned.return();
    expect(t.backend.openStatusStreams()).toBe(0);
  });

  it('hosts.watch sends the hosts at once, then the core host converging on a new install', async () => {
    const stream = await t.client.hosts.watch();
    try {
      const first = await nextOf(stream);
      expect(first.hosts.map((h) => h.hostId)).toContain(hostId);

      await t.client.packages.add({ name: 'spk-fixture-cjs' });
      await t.client.install.trigger();
      await t.backend.installer.idle();
      const hash = (await t.client.install.state()).lockfileHash;
      expect(first.hosts.find((h) => h.hostId === hostId)?.lockfileHash).not.toBe(hash);
      await until(stream, (s) => s.hosts.find((h) => h.hostId === hostId)?.lockfileHash === hash);
    } finally {
      await stream.return();
    }
  });

  it('hosts.watch sends a host turning stale, which no write announces', async () => {
    const second = await secondInstance(`stale-${driver}`);
    const stream = await t.client.hosts.watch();
    try {
      await until(stream, (s) => s.hosts.some((h) => h.hostId === `stale-${driver}` && !h.stale));
      await second.stop();
      await until(stream, (s) => s.hosts.some((h) => h.hostId === `stale-${driver}` && h.stale), 10_000);
    } finally {
      await stream.return();
    }
  });
});
