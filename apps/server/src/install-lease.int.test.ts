import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, terminateInstallerLockSession, testDrivers } from '@spk/backend/testing';
import { spawnServer, startSlowRegistryProxy, type SlowRegistryProxy, type SpawnedServer } from '@spk/tools';

// The lock session can only be lost with a real PostgreSQL server between the installer and its lock.
const drivers = testDrivers().filter((d) => d === 'postgres');

interface State {
  status: string;
  lockfileHash: string | null;
  manifest: Array<{ name: string; version: string }>;
  error: { code: string; message: string } | null;
}

describe.each(drivers)('a server whose installer loses its lock session (%s)', () => {
  let server: SpawnedServer;
  let proxy: SlowRegistryProxy;
  let dbUrl: URL;
  const call = (method: string, p: string, body?: unknown) =>
    fetch(`${server.url}/api${p}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const installed = async (): Promise<State> => {
    for (;;) {
      const state = (await (await call('GET', '/install')).json()) as State;
      if (state.status !== 'installing') return state;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    proxy = await startSlowRegistryProxy(inject('registryUrl'), 0);
    dbUrl = await createFreshPostgresDatabase();
    server = await spawnServer({ databaseUrl: dbUrl.toString() });
    expect((await call('PUT', '/registry', { url: proxy.url, token: inject('registryToken') })).status).toBe(200);
    expect((await call('POST', '/packages', { name: 'spk-fixture-cjs' })).status).toBe(201);
    expect((await call('POST', '/packages', { name: 'spk-fixture-esm', range: '1.0.0' })).status).toBe(201);
    expect((await call('POST', '/install', {})).status).toBe(202);
    expect((await installed()).status).toBe('idle');
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
  });

  it('fails the install with INSTALL_LEASE_LOST, keeps the previous desired state, and stays up', async () => {
    const before = await installed();
    expect((await call('PATCH', '/packages/spk-fixture-esm', { range: '^1.1.0' })).status).toBe(200);
    proxy.delayMs = 2_000;
    expect((await call('POST', '/install', {})).status).toBe(202);
    await terminateInstallerLockSession(dbUrl.toString());

    const failed = await installed();
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('INSTALL_LEASE_LOST');
    expect(failed.error?.message).toMatch(/stopped without committing/);
    expect(failed.lockfileHash).toBe(before.lockfileHash);
    expect(failed.manifest).toEqual(before.manifest);

    // Before, the unlock on the dead connection threw inside postgres.js and the process exited.
    proxy.delayMs = 0;
    await new Promise((r) => setTimeout(r, 500));
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.output()).toMatch(/installer lease lost/);

    // The lock is free again, and the next install commits the new set.
    expect((await call('POST', '/install', {})).status).toBe(202);
    const next = await installed();
    expect(next.status).toBe('idle');
    expect(next.manifest.find((e) => e.name === 'spk-fixture-esm')?.version).toBe('1.1.0');
  });
});
