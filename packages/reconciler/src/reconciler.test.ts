import { lstat, mkdir, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { integrityToHex, isSpkError } from '@spk/common';
import { dataLayout } from './data-layout.ts';
import { createReconciler } from './reconciler.ts';
import { removeSealed } from './sealed-dirs.ts';
import { blobSource, buildFixture, mixedPackages, versioned, type FixturePackage } from './test-support/fixtures.ts';
import { makeTarball } from './test-support/tarball.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';
import { TREE_MARKER } from './tree-state.ts';

const tempDir = useTempDirs();
const withVer = (version: string) => buildFixture([...mixedPackages, versioned(version)]);
const verIntegrity = (fixture: Awaited<ReturnType<typeof withVer>>) => fixture.manifest.find((e) => e.name === 'ver')!.integrity;

describe('reconciler on a real disk', () => {
  it('converges a fresh host: tree hard-linked from the extract-once store, bins linked, current flipped', async () => {
    const dataDir = await tempDir();
    const fixture = await withVer('1.0.0');
    const source = blobSource(fixture);
    const reconciler = createReconciler({ dataDir, fetchBlob: source.fetchBlob });
    expect(await reconciler.currentHash()).toBeNull();

    const result = await reconciler.reconcile(fixture);
    expect(result).toMatchObject({ lockfileHash: fixture.lockfileHash, changed: true, fetched: 6, reusedBlobs: 0 });
    expect(await reconciler.currentHash()).toBe(fixture.lockfileHash);
    const layout = dataLayout(dataDir);
    expect(await readlink(layout.currentLink)).toBe(`trees/${fixture.lockfileHash}`);
    const tree = path.join(layout.treeDir(fixture.lockfileHash), 'node_modules');
    const inTree = await stat(path.join(tree, 'cjs-pkg/node_modules/dep/index.js'));
    const nested = fixture.manifest.find((e) => e.path === 'node_modules/cjs-pkg/node_modules/dep')!;
    const inStore = await stat(path.join(layout.extractedPath(nested.integrity), 'index.js'));
    expect(inTree.ino).toBe(inStore.ino);
    expect(await readlink(path.join(tree, '.bin/tool'))).toBe('../@scope/tool/bin/cli.js');
    expect((await stat(path.join(tree, '.bin/tool'))).mode & 0o111).not.toBe(0);
  });

  it('treats a second reconcile to the same state as a no-op that fetches and touches nothing', async () => {
    const dataDir = await tempDir();
    const fixture = await withVer('1.0.0');
    const source = blobSource(fixture);
    const reconciler = createReconciler({ dataDir, fetchBlob: source.fetchBlob });
    await reconciler.reconcile(fixture);
    const layout = dataLayout(dataDir);
    const snapshot = async () => ({
      tree: (await stat(layout.treeDir(fixture.lockfileHash))).mtimeMs,
      modules: (await stat(path.join(layout.treeDir(fixture.lockfileHash), 'node_modules'))).mtimeMs,
      current: (await lstat(layout.currentLink)).mtimeMs,
      data: (await stat(dataDir)).mtimeMs,
      blobs: (await stat(layout.blobsDir)).mtimeMs,
    });
    const before = await snapshot();
    await new Promise((resolve) => setTimeout(resolve, 20));

    const again = await reconciler.reconcile(fixture);
    expect(again).toMatchObject({ changed: false, fetched: 0 });
    expect(source.calls).toHaveLength(6);
    expect(await snapshot()).toEqual(before);
  });

  it('pulls only the changed blob for a one-package delta', async () => {
    const dataDir = await tempDir();
    const v1 = await withVer('1.0.0');
    const v2 = await withVer('2.0.0');
    const source = blobSource(v1, v2);
    const reconciler = createReconciler({ dataDir, fetchBlob: source.fetchBlob });
    await reconciler.reconcile(v1);
    source.calls.length = 0;

    const result = await reconciler.reconcile(v2);
    expect(source.calls).toEqual([verIntegrity(v2)]);
    expect(result).toMatchObject({ changed: true, fetched: 1, reusedBlobs: 5 });
    expect(await reconciler.currentHash()).toBe(v2.lockfileHash);
    // Going back needs nothing: the old tree is still complete.
    source.calls.length = 0;
    expect(await reconciler.reconcile(v1)).toMatchObject({ changed: true, fetched: 0 });
    expect(source.calls).toEqual([]);
  });

  it('refuses corrupt downloaded bytes, keeps them out of the cache, and refetches them on the next reconcile', async () => {
    const dataDir = await tempDir();
    const fixture = await withVer('1.0.0');
    const source = blobSource(fixture);
    const reconciler = createReconciler({ dataDir, fetchBlob: source.fetchBlob });
    source.corruptNext(verIntegrity(fixture));

    const error = await reconciler.reconcile(fixture).catch((e: unknown) => e);
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('ver@1.0.0');
    expect((error as Error).message).toContain(verIntegrity(fixture));
    const layout = dataLayout(dataDir);
    expect(await readdir(layout.blobsDir)).not.toContain(integrityToHex(verIntegrity(fixture)));
    expect(await readdir(layout.cacheTmpDir)).toEqual([]);
    expect(await reconciler.currentHash()).toBeNull();

    source.calls.length = 0;
    expect(await reconciler.reconcile(fixture)).toMatchObject({ changed: true, fetched: 1, reusedBlobs: 5 });
    expect(source.calls).toEqual([verIntegrity(fixture)]);
  });

  it('discards a cached blob found corrupt when it is needed, and refetches it next time', async () => {
    const dataDir = await tempDir();
    const base = await buildFixture([versioned('1.0.0')]);
    const bigger = await buildFixture([versioned('1.0.0'), mixedPackages[0]!]);
    const source = blobSource(base, bigger);
    const reconciler = createReconciler({ dataDir, fetchBlob: source.fetchBlob });
    const layout = dataLayout(dataDir);
    // Cache the blob without extracting it: a reconcile whose other blob fails verification
    // (a download is extracted at once, so that extraction is dropped again).
    source.corruptNext(bigger.manifest[1]!.integrity);
    await expect(reconciler.reconcile(bigger)).rejects.toThrow(/esm-pkg@1.0.0/);
    await removeSealed(layout.extractedPath(base.manifest[0]!.integrity));
    await writeFile(layout.blobPath(base.manifest[0]!.integrity), 'bit rot');

    const error = await reconciler.reconcile(base).catch((e: unknown) => e);
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('the cached blob for ver@1.0.0');
    source.calls.length = 0;
    expect(await reconciler.reconcile(base)).toMatchObject({ changed: true, fetched: 1 });
    expect(source.calls).toEqual([base.manifest[0]!.integrity]);
  });

  it('rebuilds a tree directory that lacks the completion marker instead of trusting it', async () => {
    const dataDir = await tempDir();
    const fixture = await withVer('1.0.0');
    const layout = dataLayout(dataDir);
    const half = path.join(layout.treeDir(fixture.lockfileHash), 'node_modules', 'esm-pkg');
    await mkdir(half, { recursive: true });
    await mkdir(path.join(layout.treesDir, `${fixture.lockfileHash}.tmp-999999999-abc`, 'node_modules'), { recursive: true });
    const reconciler = createReconciler({ dataDir, fetchBlob: blobSource(fixture).fetchBlob });

    expect(await reconciler.reconcile(fixture)).toMatchObject({ changed: true, fetched: 6 });
    const tree = layout.treeDir(fixture.lockfileHash);
    expect(await readdir(tree)).toEqual(expect.arrayContaining([TREE_MARKER, 'node_modules']));
    expect(await readdir(path.join(tree, 'node_modules/esm-pkg'))).toEqual(['index.js', 'package.json']);
    // The leftover of a dead process's build was swept.
    expect(await readdir(layout.treesDir)).toEqual([fixture.lockfileHash]);
  });

  it('fails with UNSAFE_TARBALL on a malicious package and leaves current and the store untouched', async () => {
    const dataDir = await tempDir();
    const good = await withVer('1.0.0');
    const evil = await buildFixture([
      {
        name: 'evil',
        version: '1.0.0',
        files: {},
        tarball: makeTarball([{ path: 'package/index.js', content: 'x' }, { path: 'package/../../../pwned', content: 'x' }]),
      },
    ]);
    const reconciler = createReconciler({ dataDir, fetchBlob: blobSource(good, evil).fetchBlob });
    await reconciler.reconcile(good);

    const error = await reconciler.reconcile(evil).catch((e: unknown) => e);
    expect(isSpkError(error, 'UNSAFE_TARBALL')).toBe(true);
    expect((error as Error).message).toContain('evil@1.0.0');
    expect(await reconciler.currentHash()).toBe(good.lockfileHash);
    const layout = dataLayout(dataDir);
    expect(await readdir(layout.extractedDir)).not.toContain(integrityToHex(evil.manifest[0]!.integrity));
    expect(await readdir(layout.cacheTmpDir)).toEqual([]);
    expect((await readdir(path.dirname(dataDir))).includes('pwned')).toBe(false);
  });

  it('in the linked-packages layout builds a delta tree from one link per package, not one per file', async () => {
    const dataDir = await tempDir();
    const v1 = await withVer('1.0.0');
    const v2 = await withVer('2.0.0');
    const built: Array<{ files: number; packageLinks: number }> = [];
    const reconciler = createReconciler({
      dataDir,
      fetchBlob: blobSource(v1, v2).fetchBlob,
      treeLayout: 'linked-packages',
      logger: { info: (message, fields) => message === 'tree built' && built.push(fields as never), error: () => undefined },
    });
    await reconciler.reconcile(v1);
    await reconciler.reconcile(v2);
    const layout = dataLayout(dataDir);
    const tree = path.join(layout.treeDir(v2.lockfileHash), 'node_modules');
    expect((await lstat(path.join(tree, 'esm-pkg'))).isSymbolicLink()).toBe(true);
    expect(path.resolve(path.join(tree), await readlink(path.join(tree, 'esm-pkg')))).toBe(layout.extractedPath(v2.manifest[0]!.integrity));
    // cjs-pkg has a nested package, so it is a real directory holding its files and the nested link.
    expect((await lstat(path.join(tree, 'cjs-pkg'))).isDirectory()).toBe(true);
    expect((await lstat(path.join(tree, 'cjs-pkg/node_modules/dep'))).isSymbolicLink()).toBe(true);
    expect(built[1]).toMatchObject({ packageLinks: 5, files: 2 });
  });

  it('refuses a desired state whose manifest does not hash to its lockfileHash', async () => {
    const dataDir = await tempDir();
    const fixture = await withVer('1.0.0');
    const reconciler = createReconciler({ dataDir, fetchBlob: blobSource(fixture).fetchBlob });
    const error = await reconciler.reconcile({ ...fixture, lockfileHash: 'f'.repeat(64) }).catch((e: unknown) => e);
    expect(isSpkError(error, 'INVALID_INPUT')).toBe(true);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('coalesces requests made during a reconcile into exactly one more reconcile, to the latest state', async () => {
    const dataDir = await tempDir();
    const states = await Promise.all(['1.0.0', '2.0.0', '3.0.0', '4.0.0'].map((v) => buildFixture([versioned(v)] as FixturePackage[])));
    const source = blobSource(...states);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reconciler = createReconciler({
      dataDir,
      fetchBlob: async (integrity) => {
        if (integrity === states[0]!.manifest[0]!.integrity) await released;
        return source.fetchBlob(integrity);
      },
    });

    const first = reconciler.request(states[0]!);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = states.slice(1).map((state) => reconciler.request(state));
    release();
    expect((await first).lockfileHash).toBe(states[0]!.lockfileHash);
    const results = await Promise.all(later);
    expect(results.map((r) => r.lockfileHash)).toEqual([states[3]!.lockfileHash, states[3]!.lockfileHash, states[3]!.lockfileHash]);
    expect(source.calls).toEqual([states[0]!.manifest[0]!.integrity, states[3]!.manifest[0]!.integrity]);
    expect(await readdir(dataLayout(dataDir).treesDir)).toHaveLength(2);
    expect(await reconciler.currentHash()).toBe(states[3]!.lockfileHash);
  });
});
