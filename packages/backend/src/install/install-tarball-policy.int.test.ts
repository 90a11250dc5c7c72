import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { craftPackage, publishPackage, type CraftedEntry } from '@spk/tools';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { installOn } from './test-support/install-on.ts';

// Tarballs the host's safe extraction would refuse, served by the real registry: the installer must
// refuse them too, before publishing anything, or it commits a state no host can reach.
const UNSAFE: Array<[string, CraftedEntry]> = [
  ['a ".." entry', { path: 'package/../../../escaped.js', content: 'escaped' }],
  ['a symlink out of the package', { path: 'package/lib', type: 'SymbolicLink', linkpath: '../../../../etc' }],
];

describe.each(testDrivers())('install refuses a tarball no host could extract (%s)', (driver) => {
  let t: TestBackend;

  const install = () => installOn(t);
  const blobCount = async () => (await t.client.storage.get()).blobCount;

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') } });
    await t.client.packages.add({ name: 'spk-fixture-leaf', range: '1.0.0' });
    expect((await install()).status).toBe('idle');
  });
  afterAll(() => t?.close());

  it.each(UNSAFE)('fails the install naming the package and the entry (%s), keeps the previous state, publishes nothing', async (_, entry) => {
    const name = `spk-unsafe-${driver}-${UNSAFE.findIndex(([, e]) => e === entry)}-${Date.now()}`;
    const crafted = craftPackage({ name, version: '1.0.0', main: 'index.js' }, [{ path: 'package/index.js', content: `module.exports = '${name}';` }, entry]);
    await publishPackage(inject('registryUrl'), crafted);

    const before = await t.client.install.state();
    const blobsBefore = await blobCount();
    // A safe package not yet published rides along: it must not be published either.
    await t.client.packages.add({ name: 'spk-fixture-esm', range: '1.0.0' });
    await t.client.packages.add({ name, range: '1.0.0' });
    const failed = await install();

    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('UNSAFE_TARBALL');
    expect(failed.error?.message).toContain(`${name}@1.0.0`);
    expect(failed.error?.message).toContain(`entry "${entry.path}"`);
    expect(failed.lockfileHash).toBe(before.lockfileHash);
    expect(failed.manifest).toEqual(before.manifest);
    expect(await blobCount()).toBe(blobsBefore);

    await t.client.packages.remove({ name });
    await t.client.packages.remove({ name: 'spk-fixture-esm' });
  });
});
