// Declaring packages against the real fixture registry (Verdaccio): a typo is refused with close
// names, a range no version matches with the versions on offer, a legacy upper-case name only when
// the registry has it, a name differing from a declared one only in case always; a deprecated pick
// or a dist-tag is declared with a warning; an unreachable or silent registry lets a declaration
// through with a warning.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { craftPackage, freePort, publishPackage, startSlowRegistryProxy, type SlowRegistryProxy } from '@spk/tools';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as { status: number; message: string; data: { code: string } });
const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

describe.each(testDrivers())('declaring packages against the registry (%s)', (driver) => {
  let t: TestBackend;
  const registry = () => withSlash(inject('registryUrl'));
  const legacyName = `SPK-Legacy-${driver}-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl'), token: inject('registryToken') } });
    // Verdaccio takes an upper-case name, as the npm registry once did: a legacy package.
    const crafted = craftPackage({ name: legacyName, version: '1.0.0' }, [{ path: 'package/index.js', content: `module.exports = '${legacyName}';` }]);
    await publishPackage(inject('registryUrl'), crafted);
  });
  afterAll(() => t?.close());

  it('refuses a typo with 404 PACKAGE_NOT_FOUND, suggesting the close name the registry has, and declares nothing', async () => {
    const error = await failureOf(t.client.packages.add({ name: 'spk-fixture-esn' }));
    expect(error).toMatchObject({ status: 404, data: { code: 'PACKAGE_NOT_FOUND', suggestions: ['spk-fixture-esm'] } });
    expect(error?.message).toBe(
      `package "spk-fixture-esn" was not found in the registry ${registry()} (did you mean "spk-fixture-esm"?); check the name, or the registry settings (spk registry get) if it is a private package`,
    );
    expect((await t.client.packages.list()).packages.map((p) => p.name)).not.toContain('spk-fixture-esn');
  });

  it('refuses a range no version matches, listing the newest versions and the dist-tags, on add and on set', async () => {
    const expected = `no version of spk-fixture-esm matches "^9" in the registry ${registry()} (newest versions: 1.1.0, 1.0.0; dist-tags: latest=1.1.0); declare a range one of them satisfies, e.g. spk-fixture-esm@^1.1.0`;
    const onAdd = await failureOf(t.client.packages.add({ name: 'spk-fixture-esm', range: '^9' }));
    expect(onAdd).toMatchObject({ status: 404, data: { code: 'NO_MATCHING_VERSION' } });
    expect(onAdd?.message).toBe(expected);

    expect(await t.client.packages.add({ name: 'spk-fixture-esm', range: '1.0.0' })).not.toHaveProperty('warnings');
    const onSet = await failureOf(t.client.packages.update({ name: 'spk-fixture-esm', range: '^9' }));
    expect(onSet?.message).toBe(expected);
    const tag = await failureOf(t.client.packages.update({ name: 'spk-fixture-esm', range: 'beta' }));
    expect(tag?.data.code).toBe('NO_MATCHING_VERSION');
    expect((await t.client.packages.update({ name: 'spk-fixture-esm', range: '^1.1.0' })).range).toBe('^1.1.0');
    await t.client.packages.remove({ name: 'spk-fixture-esm' });
  });

  it('declares a range that picks a deprecated version, or follows a dist-tag, with warnings that say what to declare instead', async () => {
    const deprecated = await t.client.packages.add({ name: 'spk-fixture-deprecated', range: '^1' });
    expect(deprecated).toMatchObject({ name: 'spk-fixture-deprecated', range: '^1', enabled: true });
    expect(deprecated.warnings).toEqual([
      'spk-fixture-deprecated@^1 installs 1.1.0 today, which is deprecated: "1.1.0 ships a broken build; use 2.x"; declare a range without deprecated versions, e.g. spk-fixture-deprecated@^2.0.0',
    ]);
    const tagged = await t.client.packages.update({ name: 'spk-fixture-deprecated', range: 'next' });
    expect(tagged.warnings).toEqual([
      'spk-fixture-deprecated@next follows the dist-tag "next", which is looked up again at every install and points to 3.0.0-beta.1 today, so an install may switch versions without the declaration changing; declare a range to choose when that happens, e.g. spk-fixture-deprecated@3.0.0-beta.1',
    ]);
    expect(await t.client.packages.update({ name: 'spk-fixture-deprecated', range: '^2' })).not.toHaveProperty('warnings');
    await t.client.packages.remove({ name: 'spk-fixture-deprecated' });
    expect(await t.client.packages.add({ name: 'spk-fixture-deprecated' })).not.toHaveProperty('warnings');
    await t.client.packages.remove({ name: 'spk-fixture-deprecated' });
  });

  it('accepts a legacy upper-case name the registry has, and refuses one it lacks, suggesting the lower-case package', async () => {
    expect(await t.client.packages.add({ name: legacyName })).toMatchObject({ name: legacyName, range: 'latest' });
    const missing = await failureOf(t.client.packages.add({ name: 'SPK-fixture-esm' }));
    expect(missing).toMatchObject({ status: 404, data: { code: 'PACKAGE_NOT_FOUND' } });
    expect(missing?.message).toBe(
      `package "SPK-fixture-esm" was not found in the registry ${registry()} (did you mean "spk-fixture-esm"?); a name like "SPK-fixture-esm" is valid only for packages published before npm's current naming rules (name can no longer contain capital letters); check the name, or the registry settings (spk registry get) if it is a private package`,
    );
  });

  it('refuses with 409 a name that differs from a declared one only in letter case, before asking the registry', async () => {
    const lower = legacyName.toLowerCase();
    const error = await failureOf(t.client.packages.add({ name: lower }));
    expect(error).toMatchObject({ status: 409, data: { code: 'PACKAGE_NAME_CONFLICT', declared: legacyName } });
    expect(error?.message).toBe(
      `package "${lower}" differs only in letter case from the declared "${legacyName}"; both cannot be installed side by side (a case-insensitive file system holds only one), so keep one: change it with "spk packages set ${legacyName}@<range>", or remove it first with "spk packages remove ${legacyName}"`,
    );
  });

  it('installs a legacy name at the top level of the tree', async () => {
    await t.client.install.trigger();
    await t.backend.installer.idle();
    const state = await t.client.install.state();
    expect(state.error).toBeNull();
    expect(state.manifest.find((e) => e.path === `node_modules/${legacyName}`)).toMatchObject({ name: legacyName, version: '1.0.0' });
  });
});

describe('declaring packages while the registry cannot answer', () => {
  let t: TestBackend;
  let slow: SlowRegistryProxy;

  beforeAll(async () => {
    slow = await startSlowRegistryProxy(inject('registryUrl'), 3_000);
    t = await createTestBackend('pglite', { registryTimeoutMs: 300 });
  });
  afterAll(async () => {
    await t?.close();
    await slow?.close();
  });

  it('accepts a declaration with a warning when nothing listens at the registry URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    await t.client.registry.set({ url, token: null });
    const added = await t.client.packages.add({ name: 'spk-fixture-unchecked', range: '^1' });
    expect(added).toMatchObject({ name: 'spk-fixture-unchecked', range: '^1', enabled: true });
    expect(added.warnings).toEqual([
      `spk-fixture-unchecked@^1 was declared without checking the registry ${url}: it could not be reached (ECONNREFUSED); the install will fail if the name or range is wrong`,
    ]);
    expect((await t.client.packages.list()).packages.map((p) => p.name)).toContain('spk-fixture-unchecked');
  });

  it('accepts a declaration with a warning when the registry does not answer in time', async () => {
    await t.client.registry.set({ url: slow.url, token: null });
    const started = Date.now();
    const added = await t.client.packages.add({ name: 'spk-fixture-slow' });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(added.warnings).toEqual([
      `spk-fixture-slow@latest was declared without checking the registry ${withSlash(slow.url)}: it did not answer within 0.3 s; the install will fail if the name or range is wrong`,
    ]);
  });

  it('refuses a legacy upper-case name it cannot confirm, with 502 REGISTRY_UNREACHABLE', async () => {
    await t.client.registry.set({ url: slow.url, token: null });
    const error = await failureOf(t.client.packages.add({ name: 'JSONStream' }));
    expect(error).toMatchObject({ status: 502, data: { code: 'REGISTRY_UNREACHABLE' } });
    expect(error?.message).toBe(
      `"JSONStream" is valid only for packages published before npm's current naming rules (name can no longer contain capital letters), so it is accepted only once the registry ${withSlash(slow.url)} confirms it exists, and the registry could not be asked: it did not answer within 0.3 s; try again when it answers`,
    );
  });
});
