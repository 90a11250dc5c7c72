// The installer's invariant against the real fixture registry: an enabled declared package that
// npm leaves out of the tree fails the install, naming it, and a range no version matches names
// the versions and dist-tags on offer. Rows are written through the package store, as a database
// from before the declare-time registry check could hold them.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../services.ts';
import { createPackageStore } from '../stores/package-store.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';

describe('the declared set against the resolved tree', () => {
  let t: TestBackend;
  let store: ReturnType<typeof createPackageStore>;
  const registry = () => `${inject('registryUrl').replace(/\/$/, '')}/`;

  async function install() {
    await t.client.install.trigger();
    await t.backend.installer.idle();
    return t.client.install.state();
  }

  beforeAll(async () => {
    t = await createTestBackend('pglite', { registry: { url: inject('registryUrl') } });
    store = createPackageStore(t.database.db, systemClock);
    await t.client.packages.add({ name: 'spk-fixture-leaf', range: '1.0.0' });
    expect((await install()).status).toBe('idle');
  });
  afterAll(() => t?.close());

  it('fails the install naming "SPK-fixture-esm" when npm folds it into "spk-fixture-esm", publishing nothing', async () => {
    const before = await t.client.install.state();
    const blobsBefore = (await t.client.storage.get()).blobCount;
    await store.add({ name: 'SPK-fixture-esm', range: 'latest', enabled: true });
    await store.add({ name: 'spk-fixture-esm', range: 'latest', enabled: true });
    const failed = await install();
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      code: 'DECLARED_PACKAGE_MISSING',
      message:
        'the resolved tree lacks declared package at the top level: SPK-fixture-esm@latest (absent); nothing was published and the previous desired state stays. Check each name and range (spk packages list), or remove it with "spk packages remove"',
    });
    expect(failed.lockfileHash).toBe(before.lockfileHash);
    expect((await t.client.storage.get()).blobCount).toBe(blobsBefore);
    await store.remove('SPK-fixture-esm');
    await store.remove('spk-fixture-esm');
  });

  it('names the package, the range, the newest versions and the dist-tags when no version matches', async () => {
    await store.update({ name: 'spk-fixture-leaf', range: '^3' });
    const failed = await install();
    expect(failed.error).toEqual({
      code: 'NO_MATCHING_VERSION',
      message: `no version of spk-fixture-leaf matches "^3" in the registry ${registry()} (newest versions: 2.0.0, 1.0.0; dist-tags: latest=2.0.0); change its declared range with "spk packages set spk-fixture-leaf@^2.0.0"`,
    });
  });
});
