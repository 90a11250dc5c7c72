import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SCRIPT_PACKAGES_CHANGED, type ChangedPayload, type InstallState } from '@spk/common';
import { packFixture, publishPackage } from '@spk/tools';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { createPostgresBlobStore } from '../blob-stores/postgres-blob-store.ts';
import { systemClock } from '../services.ts';
import { createPackageStore } from '../stores/package-store.ts';

const FIXTURE_SET = ['spk-fixture-nested', 'spk-fixture-cjs', '@spk-fixtures/scoped', 'spk-fixture-install-script', '@spk-private/secret', 'spk-fixture-esm@1.0.0'];

async function packTemp(name: string, source: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'spk-pack-'));
  try {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
    await writeFile(path.join(dir, 'index.js'), source);
    return await packFixture(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.each(testDrivers())('central install (%s)', (driver) => {
  let t: TestBackend;
  const fixtures = inject('fixtureIntegrities');

  async function install(): Promise<InstallState> {
    const { started } = await t.client.install.trigger();
    expect(started).toBe(true);
    await t.backend.installer.idle();
    return t.client.install.state();
  }
  async function declare(spec: string) {
    const at = spec.indexOf('@', 1);
    const [name, range] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, 'latest'];
    await t.client.packages.add({ name, range });
  }
  const blobCount = async () => (await t.client.storage.get()).blobCount;

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl'), token: inject('registryToken') } });
    for (const spec of FIXTURE_SET) await declare(spec);
  });
  afterAll(() => t?.close());

  it('resolves the fixtures into npm\'s hoisted layout with two leaf versions side by side', async () => {
    const changed: ChangedPayload[] = [];
    t.hooks.on(SCRIPT_PACKAGES_CHANGED, (p) => changed.push(p));
    const state = await install();
    expect(state.error).toBeNull();
    expect(state.status).toBe('idle');
    const byPath = Object.fromEntries(state.manifest.map((e) => [e.path, e]));
    expect(byPath['node_modules/spk-fixture-leaf']?.version).toBe('1.0.0');
    expect(byPath['node_modules/spk-fixture-nested/node_modules/spk-fixture-leaf']?.version).toBe('2.0.0');
    expect(byPath['node_modules/@spk-fixtures/scoped']?.version).toBe('1.0.0');
    expect(byPath['node_modules/@spk-private/secret']?.version).toBe('1.0.0');
    expect(byPath['node_modules/spk-fixture-install-script']?.hasInstallScript).toBe(true);
    expect(byPath['node_modules/spk-fixture-cjs']?.dependencies).toEqual({ 'spk-fixture-leaf': '^1.0.0' });
    for (const entry of state.manifest) {
      expect(entry.integrity).toBe(fixtures[`${entry.name}@${entry.version}`]?.integrity);
      expect(entry.size).toBe(fixtures[`${entry.name}@${entry.version}`]?.size);
    }
    expect(changed).toEqual([{ lockfileHash: state.lockfileHash, committedAt: state.committedAt }]);
  });

  it('never runs install scripts and leaves no scratch project or token file behind', async () => {
    const markers = (await readdir(tmpdir())).filter((f) => f.startsWith('spk-fixture-install-script-'));
    expect(markers).toEqual([]);
    expect(await readdir(path.join(t.dataDir, 'tmp'))).toEqual([]);
  });

  it('publishes every blob once, each matching its integrity', async () => {
    const state = await t.client.install.state();
    const store = createPostgresBlobStore(t.database.db);
    for (const entry of state.manifest) {
      const bytes = await store.get(entry.integrity);
      expect(bytes, entry.path).not.toBeNull();
      expect(ssri.checkData(Buffer.from(bytes!), entry.integrity)).toBeTruthy();
    }
    expect(await blobCount()).toBe(new Set(state.manifest.map((e) => e.integrity)).size);
  });

  it('gives the same hash and publishes nothing new when the same set is installed again', async () => {
    const before = await t.client.install.state();
    const blobsBefore = await blobCount();
    const again = await install();
    expect(again.lockfileHash).toBe(before.lockfileHash);
    expect(await blobCount()).toBe(blobsBefore);
  });

  it('publishes only the changed blob when a range is bumped', async () => {
    const before = await t.client.install.state();
    const blobsBefore = await blobCount();
    await t.client.packages.update({ name: 'spk-fixture-esm', range: '^1.1.0' });
    const after = await install();
    expect(after.lockfileHash).not.toBe(before.lockfileHash);
    expect(after.manifest.find((e) => e.name === 'spk-fixture-esm')?.version).toBe('1.1.0');
    expect(await blobCount()).toBe(blobsBefore + 1);
  });

  it('fails cleanly on a missing package and keeps the previous desired state', async () => {
    const before = await t.client.install.state();
    // Declaring it is refused now; a row from before that check (or another registry) still reaches the installer.
    await createPackageStore(t.database.db, systemClock).add({ name: 'spk-fixture-does-not-exist', range: '^1.0.0', enabled: true });
    const failed = await install();
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('PACKAGE_NOT_FOUND');
    expect(failed.error?.message).toContain('spk-fixture-does-not-exist');
    expect(failed.lockfileHash).toBe(before.lockfileHash);
    expect(failed.manifest).toEqual(before.manifest);
    await t.client.packages.remove({ name: 'spk-fixture-does-not-exist' });
  });

  it('refuses a tarball whose bytes do not match the published integrity and publishes nothing', async () => {
    const name = `spk-tamper-${driver}-${Date.now()}`;
    // Unique content, so no blob with either integrity is already published.
    const real = await packTemp(name, `module.exports = 'real ${name}';`);
    const other = await packTemp(name, `module.exports = 'tampered ${name}';`);
    await publishPackage(inject('registryUrl'), {
      manifest: real.manifest,
      tarball: other.tarball,
      // The registry checks only the sha1 shasum; the sha512 integrity it serves is the lie.
      integrity: real.integrity,
      shasum: other.shasum,
    });
    const before = await t.client.install.state();
    const blobsBefore = await blobCount();
    await t.client.packages.add({ name, range: '1.0.0' });
    const failed = await install();
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('INTEGRITY_MISMATCH');
    expect(failed.lockfileHash).toBe(before.lockfileHash);
    expect(await blobCount()).toBe(blobsBefore);
    await t.client.packages.remove({ name });
  });

  it('blocks an oversized package before publishing anything, and warns above the warn cap', async () => {
    const before = await t.client.install.state();
    const caps = await t.client.sizeCaps.get();
    await t.client.packages.update({ name: 'spk-fixture-esm', range: '1.0.0' });
    await t.client.sizeCaps.set({ ...caps, maxPackageBytes: 300 });
    const blocked = await install();
    expect(blocked.status).toBe('failed');
    expect(blocked.error?.code).toBe('SIZE_CAP_EXCEEDED');
    expect(blocked.error?.message).toMatch(/over the per-package cap/);
    expect(blocked.lockfileHash).toBe(before.lockfileHash);

    await t.client.sizeCaps.set({ ...caps, warnTotalBytes: 100, blockTotalBytes: 10 * 1024 * 1024 });
    const warned = await install();
    expect(warned.status).toBe('idle');
    expect(warned.warnings.join()).toMatch(/over the warning threshold/);
    await t.client.sizeCaps.set(caps);
  });

  it('refuses size caps whose warn threshold exceeds the block threshold', async () => {
    await expect(t.client.sizeCaps.set({ warnTotalBytes: 10, blockTotalBytes: 5, maxPackageBytes: 5 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers INSTALL_IN_PROGRESS to a second trigger while one runs', async () => {
    const [first, second] = await Promise.allSettled([t.client.install.trigger(), t.client.install.trigger()]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { started: true } });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT', data: { code: 'INSTALL_IN_PROGRESS' } } });
    await t.backend.installer.idle();
  });

  it('reports an unreachable registry and keeps the desired state', async () => {
    const before = await t.client.install.state();
    const registry = await t.client.registry.get();
    await t.client.registry.set({ url: 'http://127.0.0.1:9/' });
    const failed = await install();
    expect(failed.error?.code).toBe('REGISTRY_UNREACHABLE');
    expect(failed.lockfileHash).toBe(before.lockfileHash);
    await t.client.registry.set({ url: registry.url });
  });
});
