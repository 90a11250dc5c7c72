import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { craftPackage, publishPackage } from '@spk/tools';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { installedOn } from './test-support/install-on.ts';

// Install-time warnings kept in install.state: deprecated versions (a declared one named as
// declared, dependencies grouped) and a declared dist-tag with the version it pointed to. The
// packages are published here under names of this run, so their versions and tags are the test's.
// PGlite only: nothing here depends on the database driver.

const run = Date.now();
const ACC = `spk-warn-acc-${run}`;
const OLD = `spk-warn-old-${run}`;
const USER = `spk-warn-user-${run}`;

async function publish(manifest: { name: string; version: string; [field: string]: unknown }, tag?: string) {
  const crafted = craftPackage(manifest, [{ path: 'package/index.js', content: `module.exports = '${manifest.name}@${manifest.version}';\n` }]);
  await publishPackage(inject('registryUrl'), { manifest, tarball: crafted.tarball, integrity: crafted.integrity, shasum: crafted.shasum }, tag ? { tag } : {});
}

describe('install warnings', () => {
  let t: TestBackend;

  const install = () => installedOn(t);

  beforeAll(async () => {
    await publish({ name: ACC, version: '1.0.0', deprecated: 'acc 1.x is unsupported; use 2.x' });
    await publish({ name: ACC, version: '2.0.0' });
    await publish({ name: ACC, version: '3.0.0-beta.1' }, 'next');
    await publish({ name: OLD, version: '1.0.0', deprecated: 'old is unmaintained' });
    await publish({ name: USER, version: '1.0.0', dependencies: { [OLD]: '^1.0.0' } });
    t = await createTestBackend('pglite', { registry: { url: inject('registryUrl'), token: inject('registryToken') }, types: { autoAdd: false } });
    await t.client.packages.add({ name: ACC, range: 'next' });
    await t.client.packages.add({ name: USER, range: '^1.0.0' });
  });
  afterAll(() => t?.close());

  it('names the version a declared dist-tag pointed to, and groups deprecated dependencies', async () => {
    const state = await install();
    expect(state.manifest.find((e) => e.name === ACC)?.version).toBe('3.0.0-beta.1');
    expect(state.warnings).toEqual([
      `one undeclared package in the tree is deprecated: ${OLD}@1.0.0 ("old is unmaintained")`,
      `${ACC}@next: the tag next pointed to 3.0.0-beta.1 at this install; declare a range to control upgrades`,
    ]);
  });

  it('names a deprecated declared package as declared, with the version it got', async () => {
    await t.client.packages.update({ name: ACC, range: '^1.0.0' });
    const state = await install();
    expect(state.warnings).toContain(
      `${ACC}@^1.0.0 installs 1.0.0, which is deprecated: "acc 1.x is unsupported; use 2.x"; declare a range that avoids it (spk packages set ${ACC}@<range>)`,
    );
    expect(state.warnings.some((w) => w.includes('the tag'))).toBe(false);
  });

  it('has no warning for a tree without deprecations or tags', async () => {
    await t.client.packages.update({ name: ACC, range: '^2.0.0' });
    await t.client.packages.remove({ name: USER });
    expect((await install()).warnings).toEqual([]);
  });
});
