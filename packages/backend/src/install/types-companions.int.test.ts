import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InstallState } from '@spk/common';
import { craftPackage, FIXTURES_DIR, startLoopbackServer, startTestRegistry, type LoopbackServer, type TestRegistry } from '@spk/tools';
import { createBlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { createPostgresBlobStore, POSTGRES_STORE_ID } from '../blob-stores/postgres-blob-store.ts';
import { createHookBus, systemClock } from '../services.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import { createInstallStateStore } from '../stores/install-state-store.ts';
import { createPackageStore } from '../stores/package-store.ts';
import { createScriptsPolicyStore } from '../stores/scripts-policy-store.ts';
import { createSettingsStore } from '../stores/settings-store.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { createInstallController, type TypesAutoAdd } from './install-controller.ts';
import { createBusyProbe } from './busy-probe.ts';
import { createOperationLock } from './operation-lock.ts';
import { createPackumentCache, packumentCacheDir } from '../packument-cache/packument-cache.ts';

// The installer adding `@types/*` companions and `@types/node` for the script editor, end to end:
// a real registry, a real database, Arborist. Each install is driven through an install controller
// built here, so the setting and the Node major are the test's to choose.

// PostgreSQL when the run has it; nothing here depends on the driver.
const DRIVER = testDrivers().at(-1)!;

/** An install controller on `t`'s database with its own logger and setting. */
function installerOn(t: TestBackend, typesAutoAdd: TypesAutoAdd) {
  const db = t.database.db;
  const lines: LogLine[] = [];
  const blobStores = createBlobStoreRegistry();
  blobStores.register(createPostgresBlobStore(db));
  const controller = createInstallController({
    database: t.database,
    packages: createPackageStore(db, systemClock),
    settings: createSettingsStore(db, systemClock, { storeId: POSTGRES_STORE_ID }, { keys: t.backend.secretKeys }),
    scriptsPolicy: createScriptsPolicyStore(db, systemClock),
    state: createInstallStateStore(db),
    blobIndex: createBlobIndexStore(db),
    blobStores,
    // Its own bus: the backend's host need not materialize every tree these tests commit.
    hooks: createHookBus(),
    clock: systemClock,
    logger: memoryLogger(lines),
    dataDir: t.dataDir,
    operations: createOperationLock({ database: t.database, logger: memoryLogger(lines), probe: createBusyProbe(db) }),
    typesAutoAdd,
    // These tests publish versions and expect the very next install to see them: no document is used without asking.
    packumentCache: createPackumentCache({ dir: packumentCacheDir(t.dataDir), maxAgeMs: 0 }),
  });
  return {
    lines,
    async install(): Promise<InstallState> {
      lines.length = 0;
      expect((await controller.trigger()).started).toBe(true);
      await controller.idle();
      const state = await controller.state();
      expect(state.error).toBeNull();
      return state;
    },
  };
}

const entry = (state: InstallState, name: string) => state.manifest.find((e) => e.path === `node_modules/${name}`);
const names = (state: InstallState) => state.manifest.map((e) => e.name).sort();
const problems = (lines: LogLine[]) => lines.filter((l) => l.level === 'warn' || l.level === 'error');
/** How many ideal trees the committed install built (its log line says). */
const resolvePasses = (lines: LogLine[]) => lines.find((l) => l.msg === 'install committed')?.fields.resolvePasses;

async function setDeclared(t: TestBackend, packages: Array<{ name: string; range: string }>) {
  for (const p of (await t.client.packages.list()).packages) await t.client.packages.remove({ name: p.name });
  for (const p of packages) await t.client.packages.add(p);
}

describe('packages added for types, against the fixture registry', () => {
  let t: TestBackend;
  const enabled = { enabled: true, nodeMajor: 20 };

  beforeAll(async () => {
    t = await createTestBackend(DRIVER, { registry: { url: inject('registryUrl'), token: inject('registryToken') } });
  });
  afterAll(() => t?.close());

  it('adds the @types companion of an untyped declared package, marked, and skips the missing @types/node with an info line', async () => {
    await setDeclared(t, [{ name: 'spk-fixture-untyped', range: '^1.0.0' }]);
    const installer = installerOn(t, enabled);
    const state = await installer.install();
    expect(names(state)).toEqual(['@types/spk-fixture-untyped', 'spk-fixture-untyped']);
    expect(entry(state, '@types/spk-fixture-untyped')).toMatchObject({ version: '1.0.0', addedForTypes: true });
    expect(entry(state, 'spk-fixture-untyped')).not.toHaveProperty('addedForTypes');
    expect(state.warnings).toEqual([]);
    expect(problems(installer.lines)).toEqual([]);
    expect(installer.lines.some((l) => l.level === 'info' && l.msg?.includes('no @types/node@20.x'))).toBe(true);
    // The companion is known only from the first tree: the tree is built once more with it.
    expect(resolvePasses(installer.lines)).toBe(2);
  });

  it('adds nothing for a package that ships its own types, resolving once', async () => {
    await setDeclared(t, [{ name: 'spk-fixture-typed', range: '^1.0.0' }]);
    const installer = installerOn(t, enabled);
    const state = await installer.install();
    expect(names(state)).toEqual(['spk-fixture-typed']);
    expect(resolvePasses(installer.lines)).toBe(1);
  });

  it('leaves a declared companion unmarked', async () => {
    await setDeclared(t, [
      { name: 'spk-fixture-untyped', range: '^1.0.0' },
      { name: '@types/spk-fixture-untyped', range: '^1.0.0' },
    ]);
    const state = await installerOn(t, enabled).install();
    expect(names(state)).toEqual(['@types/spk-fixture-untyped', 'spk-fixture-untyped']);
    expect(state.manifest.filter((e) => e.addedForTypes)).toEqual([]);
  });

  it('adds nothing and looks nothing up when the setting is off', async () => {
    await setDeclared(t, [{ name: 'spk-fixture-untyped', range: '^1.0.0' }]);
    const installer = installerOn(t, { enabled: false, nodeMajor: 20 });
    const state = await installer.install();
    expect(names(state)).toEqual(['spk-fixture-untyped']);
    expect(installer.lines.some((l) => l.msg?.includes('@types/node'))).toBe(false);
  });

  describe('when the registry refuses the @types lookups', () => {
    let front: LoopbackServer;

    beforeAll(async () => {
      // Everything goes to the fixture registry, except @types packuments, which are refused (403:
      // no retries, as a private registry that does not mirror @types would answer).
      const upstream = new URL(inject('registryUrl'));
      front = await startLoopbackServer((req, res) => {
        if (req.url?.startsWith('/@types%2f') || req.url?.startsWith('/@types/')) {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden"}');
          return;
        }
        const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        out.on('error', () => res.writeHead(502).end());
        req.pipe(out);
      });
      await t.client.registry.set({ url: front.url, token: inject('registryToken') });
    });
    afterAll(async () => {
      await t.client.registry.set({ url: inject('registryUrl'), token: inject('registryToken') });
      await front?.close();
    });

    it('installs the declared set without them and logs each refusal by code, never the token', async () => {
      await setDeclared(t, [{ name: 'spk-fixture-untyped', range: '^1.0.0' }]);
      const installer = installerOn(t, enabled);
      const state = await installer.install();
      expect(names(state)).toEqual(['spk-fixture-untyped']);
      const warned = installer.lines.filter((l) => l.level === 'warn').map((l) => l.fields);
      expect(warned).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ package: '@types/spk-fixture-untyped', code: 'E403' }),
          expect.objectContaining({ package: '@types/node', code: 'E403' }),
        ]),
      );
      expect(JSON.stringify(installer.lines)).not.toContain(inject('registryToken'));
      // In install.state too, naming the registry that refused, never the token.
      const refusal = `the token for ${front.url}/ is missing or wrong (HTTP 403): the registry refused access to @types/spk-fixture-untyped`;
      expect(state.warnings.some((w) => w.startsWith('looking up @types/spk-fixture-untyped (types for spk-fixture-untyped@1.0.0) failed (') && w.includes(refusal))).toBe(true);
      expect(state.warnings.some((w) => w.startsWith('looking up @types/node (types for Node 20) failed ('))).toBe(true);
      expect(JSON.stringify(state)).not.toContain(inject('registryToken'));
    });
  });
});

describe('@types/node of the hosts\' Node major, from a registry that has it', () => {
  let registry: TestRegistry;
  let t: TestBackend;

  beforeAll(async () => {
    // Its own registry: publishing @types/node into the shared one would change every other install.
    registry = await startTestRegistry();
    await registry.publish(path.join(FIXTURES_DIR, 'spk-fixture-untyped', '1.0.0'));
    await registry.publish(path.join(FIXTURES_DIR, 'spk-fixture-typed', '1.0.0'));
    // A DefinitelyTyped-style stub for a package that ships its own types: it must not be added.
    const stub = { name: '@types/spk-fixture-typed', version: '1.0.0', types: 'index.d.ts' };
    await registry.publish({ manifest: stub, tarball: craftPackage(stub, [{ path: 'package/index.d.ts', content: 'export {};\n' }]).tarball });
    for (const version of ['18.0.0', '20.1.0', '20.2.0', '22.0.0']) {
      const manifest = { name: '@types/node', version, types: 'index.d.ts' };
      const crafted = craftPackage(manifest, [{ path: 'package/index.d.ts', content: `declare const nodeTypes: '${version}';\n` }]);
      await registry.publish({ manifest, tarball: crafted.tarball });
    }
    t = await createTestBackend(DRIVER, { registry: { url: registry.url } });
    await t.client.packages.add({ name: 'spk-fixture-untyped', range: '^1.0.0' });
  });
  afterAll(async () => {
    await t?.close();
    await registry?.stop();
  });

  it('adds the newest @types/node of the requested major, marked, and no companion the registry lacks', async () => {
    const installer = installerOn(t, { enabled: true, nodeMajor: 20 });
    const state = await installer.install();
    expect(names(state)).toEqual(['@types/node', 'spk-fixture-untyped']);
    expect(entry(state, '@types/node')).toMatchObject({ version: '20.2.0', addedForTypes: true });
    expect(resolvePasses(installer.lines)).toBe(1);
  });

  it('resolves once, with @types/node marked, when every declared package ships its own types', async () => {
    await t.client.packages.remove({ name: 'spk-fixture-untyped' });
    await t.client.packages.add({ name: 'spk-fixture-typed', range: '^1.0.0' });
    const installer = installerOn(t, { enabled: true, nodeMajor: 20 });
    const state = await installer.install();
    expect(names(state)).toEqual(['@types/node', 'spk-fixture-typed']);
    expect(entry(state, '@types/node')).toMatchObject({ version: '20.2.0', addedForTypes: true });
    expect(resolvePasses(installer.lines)).toBe(1);
    expect(problems(installer.lines)).toEqual([]);
    await t.client.packages.remove({ name: 'spk-fixture-typed' });
    await t.client.packages.add({ name: 'spk-fixture-untyped', range: '^1.0.0' });
  });

  it('follows the Node major it is given', async () => {
    const state = await installerOn(t, { enabled: true, nodeMajor: 18 }).install();
    expect(entry(state, '@types/node')).toMatchObject({ version: '18.0.0', addedForTypes: true });
  });

  it('adds none, and logs at info, when the major has no release', async () => {
    const installer = installerOn(t, { enabled: true, nodeMajor: 24 });
    const state = await installer.install();
    expect(names(state)).toEqual(['spk-fixture-untyped']);
    expect(problems(installer.lines)).toEqual([]);
    expect(installer.lines.some((l) => l.level === 'info' && l.msg?.includes('no @types/node@24.x'))).toBe(true);
  });

  it('leaves a declared @types/node alone, at the declared range and unmarked', async () => {
    await t.client.packages.add({ name: '@types/node', range: '^22.0.0' });
    const state = await installerOn(t, { enabled: true, nodeMajor: 20 }).install();
    expect(entry(state, '@types/node')?.version).toBe('22.0.0');
    expect(entry(state, '@types/node')).not.toHaveProperty('addedForTypes');
    await t.client.packages.remove({ name: '@types/node' });
  });

  it('does not add the @types package of a package whose published manifest declares its own types', async () => {
    await t.client.packages.add({ name: 'spk-fixture-typed', range: '^1.0.0' });
    const state = await installerOn(t, { enabled: true, nodeMajor: 20 }).install();
    expect(names(state)).toEqual(['@types/node', 'spk-fixture-typed', 'spk-fixture-untyped']);
    await t.client.packages.remove({ name: 'spk-fixture-typed' });
  });

  it('keeps the first tree, with a warning in the log, when the set with the companions cannot be resolved', async () => {
    // A companion whose own dependency the registry lacks: the second resolve pass fails on it.
    const manifest = { name: '@types/spk-fixture-untyped', version: '1.0.0', types: 'index.d.ts', dependencies: { 'spk-fixture-types-only-missing': '^1.0.0' } };
    const crafted = craftPackage(manifest, [{ path: 'package/index.d.ts', content: 'export declare const id: string;\n' }]);
    await registry.publish({ manifest, tarball: crafted.tarball });
    const installer = installerOn(t, { enabled: true, nodeMajor: 20 });
    const state = await installer.install();
    expect(names(state)).toEqual(['@types/node', 'spk-fixture-untyped']);
    expect(entry(state, '@types/node')).toMatchObject({ version: '20.2.0', addedForTypes: true });
    expect(problems(installer.lines).map((l) => l.fields)).toEqual([
      expect.objectContaining({ code: 'PACKAGE_NOT_FOUND', packages: ['@types/spk-fixture-untyped@1.0.0'] }),
    ]);
    expect(state.warnings).toEqual([
      expect.stringMatching(/^the packages added for the script editor's types \(@types\/spk-fixture-untyped@1\.0\.0\) could not be resolved \(.*spk-fixture-types-only-missing.*\); installed without them$/),
    ]);
    expect(resolvePasses(installer.lines)).toBe(2);
  });

  it('resolves the declared set without @types/node, with a warning in the log, when it cannot be resolved with it', async () => {
    // The newest 20.x now depends on a package the registry lacks: the first pass fails on it.
    const manifest = { name: '@types/node', version: '20.3.0', types: 'index.d.ts', dependencies: { 'spk-fixture-types-only-missing': '^1.0.0' } };
    await registry.publish({ manifest, tarball: craftPackage(manifest, [{ path: 'package/index.d.ts', content: 'export {};\n' }]).tarball });
    await t.client.packages.remove({ name: 'spk-fixture-untyped' });
    await t.client.packages.add({ name: 'spk-fixture-typed', range: '^1.0.0' });
    const installer = installerOn(t, { enabled: true, nodeMajor: 20 });
    const state = await installer.install();
    expect(names(state)).toEqual(['spk-fixture-typed']);
    expect(problems(installer.lines).map((l) => l.fields)).toEqual([expect.objectContaining({ code: 'PACKAGE_NOT_FOUND', packages: ['@types/node@20.3.0'] })]);
    expect(resolvePasses(installer.lines)).toBe(2);
  });
});
