import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InstallState } from '@spk/common';
import { craftPackage, publishPackage } from '@spk/tools';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { installedOn } from './test-support/install-on.ts';

// The install-scripts policy, central side: allowing a name marks its manifest entry
// `scriptsAllowed` (so the tree, and its hash, change), disallowing drops the mark again. The
// package allowed here is crafted with a harmless script, so whichever host converges on the
// tree and runs it leaves nothing behind; spk-fixture-install-script is never allowed.

const FIXTURE = 'spk-fixture-install-script';

describe.each(testDrivers())('install-scripts policy (%s)', (driver) => {
  let t: TestBackend;
  const scripted = `spk-scripts-policy-${driver}-${Date.now()}`;

  const install = () => installedOn(t);
  const entryOf = (state: InstallState, name: string) => state.manifest.find((e) => e.path === `node_modules/${name}`);

  beforeAll(async () => {
    const manifest = { name: scripted, version: '1.0.0', scripts: { postinstall: 'node -e ""' } };
    const crafted = craftPackage(manifest, [{ path: 'package/index.js', content: `module.exports = '${scripted}';\n` }]);
    await publishPackage(inject('registryUrl'), { manifest, tarball: crafted.tarball, integrity: crafted.integrity, shasum: crafted.shasum });
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl'), token: inject('registryToken') }, types: { autoAdd: false } });
    await t.client.packages.add({ name: scripted, range: '1.0.0' });
    await t.client.packages.add({ name: FIXTURE, range: '1.0.0' });
  });
  afterAll(() => t?.close());

  let plainHash: string | null = null;

  it('installs packages with install scripts unmarked while none is allowed, and lists them', async () => {
    const state = await install();
    plainHash = state.lockfileHash;
    expect(entryOf(state, FIXTURE)).toMatchObject({ hasInstallScript: true });
    expect(entryOf(state, FIXTURE)).not.toHaveProperty('scriptsAllowed');
    expect(entryOf(state, scripted)).toMatchObject({ hasInstallScript: true });
    expect(entryOf(state, scripted)).not.toHaveProperty('scriptsAllowed');
    expect(await t.client.installScripts.get()).toEqual({
      allowed: [],
      withScripts: [
        { name: FIXTURE, version: '1.0.0', path: `node_modules/${FIXTURE}`, allowed: false },
        { name: scripted, version: '1.0.0', path: `node_modules/${scripted}`, allowed: false },
      ].sort((a, b) => (a.path < b.path ? -1 : 1)),
    });
  });

  it('answers an allow with the policy, the desired tree unchanged until the next install', async () => {
    const policy = await t.client.installScripts.allow({ name: scripted });
    expect(policy.allowed).toEqual([{ name: scripted, allowedAt: expect.any(String) }]);
    expect(policy.withScripts.find((p) => p.name === scripted)?.allowed).toBe(false);
    expect((await t.client.install.state()).lockfileHash).toBe(plainHash);
  });

  it('marks the allowed package at the next install, only it, and the tree gets a new hash', async () => {
    const state = await install();
    expect(state.lockfileHash).not.toBe(plainHash);
    expect(entryOf(state, scripted)).toMatchObject({ hasInstallScript: true, scriptsAllowed: true });
    expect(entryOf(state, FIXTURE)).not.toHaveProperty('scriptsAllowed');
    const policy = await t.client.installScripts.get();
    expect(policy.withScripts.map((p) => [p.name, p.allowed])).toContainEqual([scripted, true]);
    expect(policy.withScripts.map((p) => [p.name, p.allowed])).toContainEqual([FIXTURE, false]);
  });

  it('drops the mark at the install after a disallow, back to the unmarked tree', async () => {
    const allowedHash = (await t.client.install.state()).lockfileHash;
    expect((await t.client.installScripts.disallow({ name: scripted })).allowed).toEqual([]);
    const state = await install();
    expect(entryOf(state, scripted)).not.toHaveProperty('scriptsAllowed');
    expect(state.lockfileHash).not.toBe(allowedHash);
    expect(state.lockfileHash).toBe(plainHash);
  });

  it('refuses an invalid name, and a disallow of a name that is not allowed', async () => {
    await expect(t.client.installScripts.allow({ name: 'Not A Name' })).rejects.toMatchObject({ code: 'BAD_REQUEST', data: { code: 'INVALID_INPUT' } });
    await expect(t.client.installScripts.disallow({ name: 'spk-never-allowed' })).rejects.toMatchObject({ code: 'NOT_FOUND', data: { code: 'NOT_FOUND' } });
    expect((await t.client.installScripts.get()).allowed).toEqual([]);
  });

  it('keeps the first allowedAt when a name is allowed twice', async () => {
    const first = await t.client.installScripts.allow({ name: 'spk-allowed-twice' });
    const again = await t.client.installScripts.allow({ name: 'spk-allowed-twice' });
    expect(again.allowed).toEqual(first.allowed);
    await t.client.installScripts.disallow({ name: 'spk-allowed-twice' });
  });
});
