import { appendFile, chmod, lstat, readdir, readFile, readlink, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FsckProblem } from '@spk/common';
import { dataLayout } from './data-layout.ts';
import { createReconciler, type ReconcilerOptions } from './reconciler.ts';
import { removeSealed } from './sealed-dirs.ts';
import { blobSource, buildFixture, mixedPackages, versioned, type Fixture } from './test-support/fixtures.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';
import type { TreeLayout } from './tree-plan.ts';

const tempDir = useTempDirs();
const ORIGINAL = "export default \"1.0.0\";\n";
const integrityOf = (fixture: Fixture, name: string) => fixture.manifest.find((entry) => entry.name === name)!.integrity;
/** The fields a reader of the report acts on. */
const summary = (damaged: FsckProblem[]) => damaged.map(({ location, package: pkg, file, kind, repaired }) => ({ location, package: pkg, file, kind, repaired }));

async function hostOn(fixture: Fixture, options: { treeLayout?: TreeLayout; others?: Fixture[] } = {}) {
  const dataDir = await tempDir();
  const source = blobSource(fixture, ...(options.others ?? []));
  const reconcilerOptions: ReconcilerOptions = { dataDir, fetchBlob: source.fetchBlob, ...(options.treeLayout ? { treeLayout: options.treeLayout } : {}) };
  const reconciler = createReconciler(reconcilerOptions);
  await reconciler.reconcile(fixture);
  const layout = dataLayout(dataDir);
  const inTree = (hash: string, rel: string) => path.join(layout.treeDir(hash), rel);
  return { dataDir, source, reconciler, layout, inTree };
}

/** What a hostile script run as the host's user could do to a tree file: make it writable, then append. */
async function poison(file: string): Promise<void> {
  await chmod(file, 0o644);
  await appendFile(file, 'globalThis.pwned = true;\n');
}

describe('fsck on a real disk', () => {
  it('reports an append to a tree file at the exact file in the store and the tree, and repair restores both and every later tree', async () => {
    const v1 = await buildFixture([...mixedPackages, versioned('1.0.0')]);
    const { reconciler, layout, inTree } = await hostOn(v1);
    const treeFile = inTree(v1.lockfileHash, 'node_modules/ver/index.js');
    const storeFile = path.join(layout.extractedPath(integrityOf(v1, 'ver')), 'index.js');
    await poison(treeFile);
    expect(await readFile(storeFile, 'utf8')).toContain('pwned');

    const checked = await reconciler.fsck({ repair: false, desired: v1 });
    expect(summary(checked.damaged)).toEqual([
      { location: 'store', package: 'ver@1.0.0', file: 'index.js', kind: 'content', repaired: false },
      { location: 'tree', package: 'ver@1.0.0', file: 'node_modules/ver/index.js', kind: 'content', repaired: false },
    ]);
    expect(checked.damaged[0]!.problem).toMatch(/it has \d+ bytes, the tarball 24; it is writable \(mode 0644\)/);
    expect(checked).toMatchObject({ currentTree: v1.lockfileHash, repaired: 0, checked: { packages: 6, trees: 1 } });
    // Checking alone changes nothing.
    expect(await readFile(treeFile, 'utf8')).toContain('pwned');

    const repaired = await reconciler.fsck({ repair: true, desired: v1 });
    expect(summary(repaired.damaged).every((found) => found.repaired)).toBe(true);
    expect(repaired.repaired).toBe(2);
    expect(await readFile(storeFile, 'utf8')).toBe(ORIGINAL);
    expect(await readFile(treeFile, 'utf8')).toBe(ORIGINAL);
    expect((await lstat(treeFile)).mode & 0o777).toBe(0o444);
    expect((await lstat(treeFile)).ino).toBe((await lstat(storeFile)).ino);
    expect((await reconciler.fsck({ repair: false, desired: v1 })).damaged).toEqual([]);

    // A tree built afterwards, for another hash, links the repaired bytes.
    const later = await buildFixture([versioned('1.0.0'), mixedPackages[0]!]);
    const { fetchBlob } = blobSource(later);
    const again = createReconciler({ dataDir: layout.dataDir, fetchBlob });
    await again.reconcile(later);
    expect(await readFile(inTree(later.lockfileHash, 'node_modules/ver/index.js'), 'utf8')).toBe(ORIGINAL);
  });

  it('keeps every file of the store and of a tree read-only, and store directories sealed', async () => {
    const fixture = await buildFixture([...mixedPackages, versioned('1.0.0')]);
    const { layout, inTree } = await hostOn(fixture);
    const modes = async (root: string) => {
      const found: Array<{ rel: string; kind: string; mode: number }> = [];
      const visit = async (rel: string): Promise<void> => {
        const stats = await lstat(path.join(root, rel));
        if (stats.isSymbolicLink()) return;
        found.push({ rel, kind: stats.isDirectory() ? 'dir' : 'file', mode: stats.mode & 0o7777 });
        if (stats.isDirectory()) for (const name of await readdir(path.join(root, rel))) await visit(path.join(rel, name));
      };
      await visit('');
      return found;
    };

    const store = await modes(layout.extractedDir);
    const storeFiles = store.filter((entry) => entry.kind === 'file');
    expect(storeFiles.length).toBeGreaterThan(10);
    for (const file of storeFiles) expect([0o444, 0o555], file.rel).toContain(file.mode);
    // Every package dir and everything below it is sealed (the store's own dir is not: packages are added to it).
    for (const dir of store.filter((entry) => entry.kind === 'dir' && entry.rel !== '')) expect(dir.mode, dir.rel).toBe(0o555);

    const tree = await modes(layout.treeDir(fixture.lockfileHash));
    const treeFiles = tree.filter((entry) => entry.kind === 'file');
    expect(treeFiles.map((file) => file.rel)).toEqual(expect.arrayContaining(['.spk-tree-complete', 'node_modules/ver/index.js']));
    for (const file of treeFiles) expect(file.mode & 0o222, file.rel).toBe(0);
    expect((await lstat(inTree(fixture.lockfileHash, 'node_modules/@scope/tool/bin/cli.js'))).mode & 0o777).toBe(0o555);
  });

  it('repairs damage confined to the current tree: a replaced file, an added file and a redirected bin link', async () => {
    const fixture = await buildFixture([...mixedPackages, versioned('1.0.0')]);
    const { reconciler, inTree } = await hostOn(fixture);
    const hash = fixture.lockfileHash;
    await unlink(inTree(hash, 'node_modules/esm-pkg/index.js'));
    await writeFile(inTree(hash, 'node_modules/esm-pkg/index.js'), "export default 'forged';\n");
    await writeFile(inTree(hash, 'node_modules/dep/extra.js'), 'planted');
    await unlink(inTree(hash, 'node_modules/.bin/tool'));
    await symlink('/bin/sh', inTree(hash, 'node_modules/.bin/tool'));

    const report = await reconciler.fsck({ repair: true, desired: fixture });
    expect(summary(report.damaged)).toEqual([
      { location: 'tree', package: '(tree)', file: 'node_modules/.bin/tool', kind: 'link', repaired: true },
      { location: 'tree', package: 'dep@1.0.0', file: 'node_modules/dep/extra.js', kind: 'unexpected', repaired: true },
      { location: 'tree', package: 'esm-pkg@1.0.0', file: 'node_modules/esm-pkg/index.js', kind: 'content', repaired: true },
    ]);
    expect(await readFile(inTree(hash, 'node_modules/esm-pkg/index.js'), 'utf8')).toContain('esm-pkg says hi');
    expect(await readdir(inTree(hash, 'node_modules/dep'))).toEqual(['index.js', 'package.json']);
    expect(await readlink(inTree(hash, 'node_modules/.bin/tool'))).toBe('../@scope/tool/bin/cli.js');
    expect((await reconciler.fsck({ repair: false, desired: fixture })).damaged).toEqual([]);
  });

  it('puts back a package removed from the store and drops a file planted in another, so new trees leave it out', async () => {
    const fixture = await buildFixture([...mixedPackages, versioned('1.0.0')]);
    const { reconciler, layout, source } = await hostOn(fixture);
    await removeSealed(layout.extractedPath(integrityOf(fixture, 'ver')));
    const esmDir = layout.extractedPath(integrityOf(fixture, 'esm-pkg'));
    await chmod(esmDir, 0o755);
    await writeFile(path.join(esmDir, 'planted.js'), 'x');

    const report = await reconciler.fsck({ repair: true, desired: fixture });
    expect(summary(report.damaged)).toEqual([
      { location: 'store', package: 'esm-pkg@1.0.0', file: '', kind: 'mode', repaired: true },
      { location: 'store', package: 'esm-pkg@1.0.0', file: 'planted.js', kind: 'unexpected', repaired: true },
      { location: 'store', package: 'ver@1.0.0', file: '', kind: 'missing', repaired: true },
    ]);
    expect(source.calls).toHaveLength(6);
    expect((await lstat(esmDir)).mode & 0o777).toBe(0o555);
    expect(await readdir(esmDir)).toEqual(['index.js', 'package.json']);

    const next = await buildFixture([mixedPackages[0]!, versioned('1.0.0')]);
    const again = createReconciler({ dataDir: layout.dataDir, fetchBlob: blobSource(next).fetchBlob });
    await again.reconcile(next);
    expect(await readdir(path.join(layout.treeDir(next.lockfileHash), 'node_modules/esm-pkg'))).toEqual(['index.js', 'package.json']);
  });

  it('fetches a cached tarball found corrupt again through fetchBlob before checking against it', async () => {
    const fixture = await buildFixture([versioned('1.0.0')]);
    const { reconciler, layout, source } = await hostOn(fixture);
    const integrity = integrityOf(fixture, 'ver');
    await writeFile(layout.blobPath(integrity), 'bit rot');
    source.calls.length = 0;

    const report = await reconciler.fsck({ repair: false, desired: fixture });
    expect(summary(report.damaged)).toEqual([{ location: 'blob', package: 'ver@1.0.0', file: '', kind: 'blob', repaired: true }]);
    expect(source.calls).toEqual([integrity]);
    expect(Buffer.compare(await readFile(layout.blobPath(integrity)), fixture.blobs.get(integrity)!)).toBe(0);
  });

  it('relinks an older tree that shares a damaged store file, found by its inode', async () => {
    const v1 = await buildFixture([...mixedPackages, versioned('1.0.0')]);
    const v2 = await buildFixture([...mixedPackages, versioned('2.0.0')]);
    const { reconciler, inTree } = await hostOn(v1, { others: [v2] });
    await reconciler.reconcile(v2);
    await poison(inTree(v1.lockfileHash, 'node_modules/dep/index.js'));

    const report = await reconciler.fsck({ repair: true, desired: v2 });
    expect(summary(report.damaged)).toEqual([
      { location: 'store', package: 'dep@1.0.0', file: 'index.js', kind: 'content', repaired: true },
      { location: 'tree', package: 'dep@1.0.0', file: 'node_modules/dep/index.js', kind: 'content', repaired: true },
      { location: 'tree', package: 'dep@1.0.0', file: 'node_modules/dep/index.js', kind: 'content', repaired: true },
    ]);
    expect(report.damaged.filter((found) => found.location === 'tree').map((found) => found.lockfileHash).sort()).toEqual(
      [v1.lockfileHash, v2.lockfileHash].sort(),
    );
    for (const hash of [v1.lockfileHash, v2.lockfileHash]) {
      expect(await readFile(inTree(hash, 'node_modules/dep/index.js'), 'utf8')).toBe("module.exports = { version: '1.0.0' };\n");
    }
  });

  it('repairs a linked-packages tree through its store dir, which never disappears', async () => {
    const fixture = await buildFixture([...mixedPackages, versioned('1.0.0')]);
    const { reconciler, inTree } = await hostOn(fixture, { treeLayout: 'linked-packages' });
    const viaTree = inTree(fixture.lockfileHash, 'node_modules/ver/index.js');
    expect((await lstat(path.dirname(viaTree))).isSymbolicLink()).toBe(true);
    await poison(viaTree);

    const report = await reconciler.fsck({ repair: true, desired: fixture });
    expect(summary(report.damaged)).toEqual([{ location: 'store', package: 'ver@1.0.0', file: 'index.js', kind: 'content', repaired: true }]);
    expect(await readFile(viaTree, 'utf8')).toBe(ORIGINAL);
  });
});

describe('a deleted cache dir', () => {
  it('is recreated by the next reconcile in the same process', async () => {
    const v1 = await buildFixture([...mixedPackages, versioned('1.0.0')]);
    const v2 = await buildFixture([...mixedPackages, versioned('2.0.0')]);
    const { reconciler, layout, inTree } = await hostOn(v1, { others: [v2] });
    // What `chmod -R u+w cache && rm -rf cache` does (a plain rm -rf needs root: package dirs are sealed).
    await removeSealed(path.join(layout.dataDir, 'cache'));

    expect(await reconciler.reconcile(v2)).toMatchObject({ changed: true, fetched: 6 });
    expect(await reconciler.currentHash()).toBe(v2.lockfileHash);
    expect(await readFile(inTree(v2.lockfileHash, 'node_modules/ver/index.js'), 'utf8')).toBe("export default \"2.0.0\";\n");
    expect((await reconciler.fsck({ repair: false, desired: v2 })).damaged).toEqual([]);
  });
});
