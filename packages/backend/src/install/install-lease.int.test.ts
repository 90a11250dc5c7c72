import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSlowRegistryProxy, type SlowRegistryProxy } from '@spk/tools';
import { openDatabase } from '../db/database.ts';
import { createScriptPackagesBackend } from '../plugin.ts';
import { createHookBus, silentLogger, systemClock } from '../services.ts';
import { terminateInstallerLockSession } from '../testing/installer-lock-session.ts';
import { createTestBackend, TEST_ADMIN, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

// Losing the lock session needs a real PostgreSQL server between the installer and its lock.
const drivers = testDrivers().filter((d) => d === 'postgres');

describe.each(drivers)('an install that loses its installer lease (%s)', (driver) => {
  let t: TestBackend;
  let proxy: SlowRegistryProxy;
  // Instances sharing a database share the key their registry secrets are sealed with (SPK_SECRET_KEY).
  const secretKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    proxy = await startSlowRegistryProxy(inject('registryUrl'), 0);
    t = await createTestBackend(driver, { registry: { url: proxy.url, token: inject('registryToken') }, secretKey });
    await t.client.packages.add({ name: 'spk-fixture-cjs', range: '^1.0.0' });
    await t.client.packages.add({ name: 'spk-fixture-esm', range: '1.0.0' });
    await t.client.install.trigger();
    await t.backend.installer.idle();
    expect((await t.client.install.state()).status).toBe('idle');
  });
  afterEach(() => {
    proxy.delayMs = 0;
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('stops without committing, records INSTALL_LEASE_LOST and keeps the previous desired state', async () => {
    const before = await t.client.install.state();
    await t.client.packages.update({ name: 'spk-fixture-esm', range: '^1.1.0' });
    proxy.delayMs = 1_500;
    await t.client.install.trigger();
    await terminateInstallerLockSession(t.databaseUrl!);
    await t.backend.installer.idle();

    const failed = await t.client.install.state();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'INSTALL_LEASE_LOST', message: expect.stringMatching(/trigger the install again/) });
    expect(failed.lockfileHash).toBe(before.lockfileHash);
    expect(failed.manifest).toEqual(before.manifest);
    expect(await readdir(path.join(t.dataDir, 'tmp'))).toEqual([]);

    // The lease was released cleanly: the next trigger is elected and commits the new set.
    proxy.delayMs = 0;
    await t.client.install.trigger();
    await t.backend.installer.idle();
    const next = await t.client.install.state();
    expect(next.status).toBe('idle');
    expect(next.manifest.find((e) => e.name === 'spk-fixture-esm')?.version).toBe('1.1.0');
  });

  it('lets the instance elected after a lost lease decide the desired state; the stale installer changes nothing', async () => {
    // A second instance on the same database.
    const database = await openDatabase({ url: t.databaseUrl!, maxConnections: 3 });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-backend-b-'));
    const other = createScriptPackagesBackend(
      { database, logger: silentLogger, dataDir, hooks: createHookBus(), clock: systemClock, auth: { authenticate: async () => TEST_ADMIN } },
      { hostId: 'other', secretKey },
    );
    await other.start();
    try {
      // This instance starts installing set S1 (spk-fixture-esm 1.0.0) slowly, then loses its lock session.
      await t.client.packages.update({ name: 'spk-fixture-esm', range: '1.0.0' });
      proxy.delayMs = 1_500;
      await t.backend.installer.trigger();
      await terminateInstallerLockSession(t.databaseUrl!);

      // The other instance is elected and installs S2 (1.1.0) at full speed.
      await t.client.packages.update({ name: 'spk-fixture-esm', range: '^1.1.0' });
      proxy.delayMs = 0;
      await other.installer.trigger();
      await other.installer.idle();
      await t.backend.installer.idle();

      const final = await other.installer.state();
      expect(final.status).toBe('idle');
      expect(final.error).toBeNull();
      expect(final.manifest.find((e) => e.name === 'spk-fixture-esm')?.version).toBe('1.1.0');
    } finally {
      await other.stop();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
