import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@spk/common';
import { manifests } from '../db/schema.ts';
import { indexManifestBlobs } from '../testing/indexed-blobs.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { createInstallStateStore, type InstallStateStore } from './install-state-store.ts';

const entry = (version: string): Manifest[number] => ({
  name: 'spk-fixture-esm',
  version,
  path: 'node_modules/spk-fixture-esm',
  integrity: `sha512-${Buffer.from(version.padEnd(64, '.')).toString('base64')}`,
  size: 100,
  hasInstallScript: false,
  bin: {},
  dependencies: {},
});
const result = (hash: string, version: string) => ({ lockfileHash: hash.repeat(64), manifest: [entry(version)], totalSize: 100, warnings: [] });

describe.each(testDrivers())('install state fencing (%s)', (driver) => {
  let t: TestDatabase;
  let state: InstallStateStore;
  const manifestCount = async () => (await t.database.db.select({ n: count() }).from(manifests))[0]!.n;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    state = createInstallStateStore(t.database.db);
  });
  afterAll(() => t?.drop());

  it('hands each elected installer a newer generation', async () => {
    const first = await state.markStarted(new Date());
    const second = await state.markStarted(new Date());
    expect(second).toBeGreaterThan(first);
    await indexManifestBlobs(t.database.db, result('a', '1.0.0').manifest);
    await state.commit({ ...result('a', '1.0.0'), at: new Date(), generation: second });
    expect((await state.read()).lockfileHash).toBe('a'.repeat(64));
  });

  it('refuses a stale installer\'s commit with INSTALL_SUPERSEDED and changes nothing, manifest history included', async () => {
    const stale = await state.markStarted(new Date());
    const newer = await state.markStarted(new Date());
    await state.setProgress({ phase: 'fetching', done: 1, total: 3 }, newer);
    const before = await state.read();
    const manifestsBefore = await manifestCount();

    await indexManifestBlobs(t.database.db, result('b', '1.1.0').manifest);
    await expect(state.commit({ ...result('b', '1.1.0'), at: new Date(), generation: stale })).rejects.toMatchObject({
      code: 'INSTALL_SUPERSEDED',
      message: expect.stringMatching(/not committed/),
    });
    expect(await state.read()).toEqual(before);
    expect(await manifestCount()).toBe(manifestsBefore);
    expect(await state.readManifest('b'.repeat(64))).toBeNull();

    // Nor can it report progress or a failure over the newer install.
    await state.setProgress({ phase: 'publishing', done: 9, total: 9 }, stale);
    expect(await state.markFailed({ code: 'INSTALL_LEASE_LOST', message: 'stale' }, new Date(), stale)).toBe(false);
    expect(await state.read()).toEqual(before);

    // The newer installer commits as usual.
    await indexManifestBlobs(t.database.db, result('c', '1.1.0').manifest);
    await state.commit({ ...result('c', '1.1.0'), at: new Date(), generation: newer });
    const after = await state.read();
    expect(after).toMatchObject({ status: 'idle', lockfileHash: 'c'.repeat(64), error: null });
  });

  it('records a failure only for the current generation, keeping the committed desired state', async () => {
    const before = await state.read();
    const current = await state.markStarted(new Date());
    expect(await state.markFailed({ code: 'INSTALL_LEASE_LOST', message: 'lost' }, new Date(), current)).toBe(true);
    const failed = await state.read();
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'INSTALL_LEASE_LOST' }, lockfileHash: before.lockfileHash, manifest: before.manifest });
  });

  it('fences off an installer whose interrupted install was cleared by the next elected instance', async () => {
    const before = await state.read();
    const orphan = await state.markStarted(new Date());
    expect(await state.clearStaleInstalling(new Date())).toBe(true);
    await indexManifestBlobs(t.database.db, result('d', '2.0.0').manifest);
    await expect(state.commit({ ...result('d', '2.0.0'), at: new Date(), generation: orphan })).rejects.toMatchObject({ code: 'INSTALL_SUPERSEDED' });
    expect((await state.read()).lockfileHash).toBe(before.lockfileHash);
  });
});
