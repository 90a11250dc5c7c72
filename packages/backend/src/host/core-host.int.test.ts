import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRouterClient } from '@orpc/server';
import { createScriptPackagesBackend } from '../plugin.ts';
import { createPackageStore } from '../stores/package-store.ts';
import { createHookBus, silentLogger, systemClock } from '../services.ts';
import { createTestBackend, TEST_ADMIN, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const SCRIPT = `
import * as esm from 'spk-fixture-esm';
import * as nested from 'spk-fixture-nested';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const cjs = require('spk-fixture-cjs');
const scoped = require('@spk-fixtures/scoped');
console.log('hello from the script');
export default { esm: esm.id, cjs: cjs.id, cjsLeaf: cjs.leafId, nested: nested.id, nestedLeaf: nested.leafId, scoped: scoped.id };
`;

describe.each(testDrivers())('core instance as a host (%s)', (driver) => {
  let t: TestBackend;

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, hostId: `core-test-${driver}` });
    for (const name of ['spk-fixture-esm', 'spk-fixture-cjs', 'spk-fixture-nested', '@spk-fixtures/scoped']) await t.client.packages.add({ name });
  });
  afterAll(() => t?.close());

  it('refuses a run before anything is installed, saying what to do', async () => {
    await expect(t.client.runs.execute({ filename: 'a.mjs', source: 'export default 1' })).rejects.toMatchObject({
      data: { code: 'NO_DESIRED_STATE' },
    });
  });

  it('converges after an install and runs a script that imports ESM, CJS, scoped and nested packages', async () => {
    await t.client.install.trigger();
    await t.backend.installer.idle();
    await t.backend.host.idle();
    const state = await t.client.install.state();
    expect(await t.backend.host.currentHash()).toBe(state.lockfileHash);

    const { hosts } = await t.client.hosts.status();
    expect(hosts).toEqual([expect.objectContaining({ hostId: `core-test-${driver}`, kind: 'core', lockfileHash: state.lockfileHash, lastError: null })]);

    const run = await t.client.runs.execute({ filename: 'check.mjs', source: SCRIPT });
    expect(run.error).toBeNull();
    expect(run.ok).toBe(true);
    expect(run.lockfileHash).toBe(state.lockfileHash);
    expect(run.stdout).toContain('hello from the script');
    expect(run.result).toMatchObject({
      esm: 'spk-fixture-esm@1.1.0',
      cjs: 'spk-fixture-cjs@1.0.0',
      cjsLeaf: 'spk-fixture-leaf@1.0.0',
      nested: 'spk-fixture-nested@1.0.0',
      nestedLeaf: 'spk-fixture-leaf@2.0.0',
      scoped: '@spk-fixtures/scoped@1.0.0',
    });
  });

  it('a restarted instance converges to the last good state even when the latest install failed', async () => {
    const good = await t.client.install.state();
    // Past the declare-time registry check, as a row from before it would be.
    await createPackageStore(t.database.db, systemClock).add({ name: 'spk-fixture-missing-for-host-test', range: 'latest', enabled: true });
    await t.client.install.trigger();
    await t.backend.installer.idle();
    expect((await t.client.install.state()).status).toBe('failed');
    await t.client.packages.remove({ name: 'spk-fixture-missing-for-host-test' });

    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-second-host-'));
    const second = createScriptPackagesBackend(
      { database: t.database, logger: silentLogger, dataDir, hooks: createHookBus(), clock: systemClock, auth: { authenticate: async () => TEST_ADMIN } },
      { hostId: `core-second-${driver}`, pollIntervalMs: 200 },
    );
    try {
      await second.start();
      await second.host.idle();
      expect(await second.host.currentHash()).toBe(good.lockfileHash);
      const client = createRouterClient(second.router, { context: { principal: TEST_ADMIN } });
      const { hosts } = await client.hosts.status();
      expect(hosts.map((h) => [h.hostId, h.lockfileHash])).toEqual(
        expect.arrayContaining([
          [`core-second-${driver}`, good.lockfileHash],
          [`core-test-${driver}`, good.lockfileHash],
        ]),
      );

      // A change it never hears about (separate hook buses) still reaches it through the poll.
      await t.client.packages.remove({ name: 'spk-fixture-esm' });
      await t.client.install.trigger();
      await t.backend.installer.idle();
      const changed = await t.client.install.state();
      expect(changed.lockfileHash).not.toBe(good.lockfileHash);
      let seen: string | null = null;
      for (let i = 0; i < 100 && seen !== changed.lockfileHash; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await second.host.currentHash();
      }
      expect(seen).toBe(changed.lockfileHash);
    } finally {
      await second.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
