import { execFile } from 'node:child_process';
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createBlobCache } from './blob-cache.ts';
import { dataLayout } from './data-layout.ts';
import { createExtractedStore } from './extracted-store.ts';
import { buildTree } from './materialize-tree.ts';
import { createReconciler } from './reconciler.ts';
import { unsealDirs } from './sealed-dirs.ts';
import { blobSource, buildFixture, mixedPackages, type FixturePackage } from './test-support/fixtures.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';
import { isTreeComplete } from './tree-state.ts';

const tempDir = useTempDirs();
const OTHER_HASH = 'b'.repeat(64);

/** A many-file package: enough entries that writes of different packages overlap. */
const wide: FixturePackage = {
  name: 'wide',
  version: '1.0.0',
  files: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`lib/d${i % 9}/f${i}.js`, `module.exports = ${i};\n`])),
};

/** A data dir whose extracted store holds every package of the fixture (a first reconcile put them there). */
async function filledStore() {
  const dataDir = await tempDir();
  const fixture = await buildFixture([...mixedPackages, wide]);
  await createReconciler({ dataDir, fetchBlob: blobSource(fixture).fetchBlob }).reconcile(fixture);
  const layout = dataLayout(dataDir);
  // A new store object: listings are walked afresh, as in a new process.
  const store = createExtractedStore({ layout, blobs: createBlobCache(layout) });
  return { layout, store, fixture };
}

async function filesBelow(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

describe('buildTree', () => {
  it('builds a tree that plain node resolves, nested versions included, and counts every file it wrote', async () => {
    const { layout, store, fixture } = await filledStore();
    const stats = await buildTree({ layout, store, lockfileHash: OTHER_HASH, manifest: fixture.manifest });

    const tree = layout.treeDir(OTHER_HASH);
    expect(await isTreeComplete(tree)).toBe(true);
    const nodeModules = path.join(tree, 'node_modules');
    expect(stats.files).toBe(await filesBelow(nodeModules));
    expect(stats.files).toBeGreaterThan(300);
    // No --preserve-symlinks: real directories, so cjs-pkg finds its own nested dep and the root the top one.
    const resolved = await promisify(execFile)(process.execPath, ['-p', "JSON.stringify([require('cjs-pkg').depVersion, require('dep').version, require('wide/lib/d4/f292.js')])"], { cwd: tree });
    expect(JSON.parse(resolved.stdout)).toEqual(['2.0.0', '1.0.0', 292]);
    expect(Object.keys(stats.phasesMs)).toEqual(expect.arrayContaining(['listing', 'plan', 'write', 'marker', 'rename']));
  });

  it('leaves neither a tree nor its temp dir behind when a write fails midway', async () => {
    const { layout, store, fixture } = await filledStore();
    // A file the listing names but the disk no longer has: its link fails with ENOENT.
    const wideEntry = fixture.manifest.find((entry) => entry.name === 'wide')!;
    const packageDir = layout.extractedPath(wideEntry.integrity);
    await store.listing(wideEntry.integrity);
    await unsealDirs(packageDir);
    await unlink(path.join(packageDir, 'lib/d2/f200.js'));

    const before = new Set(await readdir(layout.treesDir));
    await expect(buildTree({ layout, store, lockfileHash: OTHER_HASH, manifest: fixture.manifest })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(new Set(await readdir(layout.treesDir))).toEqual(before);
  });
});
