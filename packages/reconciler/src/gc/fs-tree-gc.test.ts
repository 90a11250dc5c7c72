import { spawn } from 'node:child_process';
import { access, link, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { integrityToHex, type RunPinRecord } from '@spk/common';
import { dataLayout } from '../data-layout.ts';
import { listingsDir } from '../package-listing.ts';
import { createReconciler, type ReconcilerTreeGc } from '../reconciler.ts';
import { pinCurrentTree, releaseRunPin } from '../runs/run-pins.ts';
import { blobSource, buildFixture, mixedPackages, versioned, type Fixture } from '../test-support/fixtures.ts';
import { stopsRunning } from '../test-support/process-state.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';
import { TREE_MARKER } from '../tree-state.ts';
import { measureDiskBytes } from './disk-usage.ts';
import { collectTrees, deleteRetiredTree } from './fs-tree-gc.ts';
import { PIN_AGE_MARGIN_MS } from './tree-gc.ts';

const tempDir = useTempDirs();
const OWNER = fileURLToPath(new URL('../test-support/run-owner-child.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const RUN_TIMEOUT_MS = 600_000;
const exists = (file: string) => access(file).then(() => true, () => false);
const verOf = (fixture: Fixture) => fixture.manifest.find((entry) => entry.name === 'ver')!.integrity;

/** A host that runs ver@1.0.0; `moveOn` makes it run ver@2.0.0, retiring the 1.0.0 tree. */
async function hostWithRetiredTree(treeGc?: ReconcilerTreeGc) {
  const dataDir = await tempDir();
  const v1 = await buildFixture([...mixedPackages, versioned('1.0.0')]);
  const v2 = await buildFixture([...mixedPackages, versioned('2.0.0')]);
  const reconciler = createReconciler({ dataDir, fetchBlob: blobSource(v1, v2).fetchBlob, ...(treeGc ? { treeGc } : {}) });
  await reconciler.reconcile(v1);
  const layout = dataLayout(dataDir);
  const collect = (options: { graceMs?: number; retained?: ReadonlySet<string> | null; now?: () => number } = {}) =>
    collectTrees({ layout, graceMs: options.graceMs ?? 0, runTimeoutMs: RUN_TIMEOUT_MS, retained: options.retained === undefined ? new Set() : options.retained, ...(options.now ? { now: options.now } : {}) });
  return { dataDir, layout, reconciler, v1, v2, collect, moveOn: () => reconciler.reconcile(v2) };
}

describe('tree GC on a real disk', () => {
  it('keeps a retired tree within the grace, across passes, and deletes it once the grace is over', async () => {
    const host = await hostWithRetiredTree();
    await host.moveOn();
    const retiredAt = Date.now();
    const first = await host.collect({ graceMs: 60_000 });
    expect(first.collection).toMatchObject({ trees: 0, errors: [] });
    expect(first.disk).toMatchObject({ trees: 2, retiredTrees: 1, pinnedTrees: 0 });
    expect(await exists(host.layout.treeDir(host.v1.lockfileHash))).toBe(true);

    // A later pass (another process, say) goes by the retirement time the first one recorded.
    const later = await host.collect({ graceMs: 60_000, now: () => retiredAt + 61_000 });
    expect(later.collection).toMatchObject({ trees: 1, errors: [] });
    expect(later.collection.bytesFreed).toBeGreaterThan(0);
    expect(later.disk).toMatchObject({ trees: 1, retiredTrees: 0, bytes: first.disk.bytes - later.collection.bytesFreed });
    expect(await exists(host.layout.treeDir(host.v1.lockfileHash))).toBe(false);
    expect(await readdir(host.layout.treesDir)).toEqual([host.v2.lockfileHash]);
    // The current tree still works.
    expect(await readFile(path.join(host.layout.currentLink, 'node_modules/ver/index.js'), 'utf8')).toContain('2.0.0');
  });

  it('keeps a tree a live run pins until the run ends, and ignores that pin once it is older than the run timeout', async () => {
    const host = await hostWithRetiredTree();
    const pin = await pinCurrentTree(host.layout, host.v1.lockfileHash);
    await host.moveOn();
    const pinned = await host.collect();
    expect(pinned.collection).toMatchObject({ trees: 0, stalePins: 0 });
    expect(pinned.disk).toMatchObject({ trees: 2, retiredTrees: 1, pinnedTrees: 1 });
    expect(await readFile(path.join(pin.runDir, 'node_modules/ver/index.js'), 'utf8')).toContain('1.0.0');

    const overdue = await host.collect({ now: () => Date.now() + RUN_TIMEOUT_MS + PIN_AGE_MARGIN_MS + 1000 });
    expect(overdue.collection).toMatchObject({ trees: 1, stalePins: 1 });
    // Its owner (this process) is alive: the run dir is the owner's to remove.
    expect(await exists(pin.runDir)).toBe(true);
    await releaseRunPin(pin);
  });

  it('does not let the pin of a SIGKILLed run protect its tree, and removes that run dir', async () => {
    const host = await hostWithRetiredTree();
    const owner = spawn(process.execPath, ['--import', 'tsx', OWNER, host.dataDir, host.v1.lockfileHash], { cwd: PACKAGE_DIR, stdio: 'ignore' });
    const record = await vi.waitFor(
      async () => {
        const runId = (await readdir(host.layout.runsDir)).find((name) => !name.startsWith('.'))!;
        const pin = JSON.parse(await readFile(path.join(host.layout.runsDir, runId, 'pin.json'), 'utf8')) as RunPinRecord;
        expect(pin.child).not.toBeNull();
        return pin;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(record.pinnedAt).toBeGreaterThan(Date.now() - 60_000);
    await host.moveOn();

    // The owner dies; its script, in a session of its own, still runs and still imports from the tree.
    owner.kill('SIGKILL');
    expect(await stopsRunning(owner.pid!)).toBe(true);
    const scriptRuns = await host.collect();
    expect(scriptRuns.collection).toMatchObject({ trees: 0, stalePins: 0 });

    process.kill(record.child!.pid, 'SIGKILL');
    expect(await stopsRunning(record.child!.pid)).toBe(true);
    const gone = await host.collect();
    expect(gone.collection).toMatchObject({ trees: 1, stalePins: 1, errors: [] });
    expect(await exists(host.layout.treeDir(host.v1.lockfileHash))).toBe(false);
    expect(await readdir(host.layout.runsDir)).toEqual([]);
  });

  it('removes the extracted package and cached blob only the deleted tree used, unless the kept history needs them', async () => {
    const host = await hostWithRetiredTree();
    await host.moveOn();
    const old = verOf(host.v1);
    const shared = host.v1.manifest[0]!.integrity;

    const retained = await host.collect({ retained: new Set([old]) });
    expect(retained.collection).toMatchObject({ trees: 1, extracted: 0, blobs: 0 });
    expect(await exists(host.layout.extractedPath(old))).toBe(true);
    expect(await exists(host.layout.blobPath(old))).toBe(true);

    // Unknown history needs: nothing of the cache goes.
    expect((await host.collect({ retained: null })).collection).toMatchObject({ extracted: 0, blobs: 0 });

    const dropped = await host.collect({ retained: new Set() });
    expect(dropped.collection).toMatchObject({ trees: 0, extracted: 1, blobs: 1, errors: [] });
    expect(await exists(host.layout.extractedPath(old))).toBe(false);
    expect(await exists(host.layout.blobPath(old))).toBe(false);
    expect(await exists(host.layout.extractedPath(shared))).toBe(true);
    expect(await exists(host.layout.extractedPath(verOf(host.v2)))).toBe(true);
    // The deleted package's recorded listing goes with it; the kept packages' stay.
    const listings = await readdir(listingsDir(host.layout));
    expect(listings).not.toContain(`${integrityToHex(old)}.json`);
    expect(listings).toContain(`${integrityToHex(shared)}.json`);
  });

  it('keeps every cache entry while a remaining tree has a marker of an older version (no integrities)', async () => {
    const host = await hostWithRetiredTree();
    await host.moveOn();
    const marker = path.join(host.layout.treeDir(host.v2.lockfileHash), TREE_MARKER);
    const { integrities, ...older } = JSON.parse(await readFile(marker, 'utf8')) as Record<string, unknown>;
    expect(integrities).toHaveLength(new Set(host.v2.manifest.map((entry) => entry.integrity)).size);
    await rm(marker, { force: true });
    await writeFile(marker, JSON.stringify(older));
    const pass = await host.collect();
    expect(pass.collection).toMatchObject({ trees: 1, extracted: 0, blobs: 0, errors: [] });
    expect(await exists(host.layout.extractedPath(verOf(host.v1)))).toBe(true);
  });

  it('puts a tree back when a run pinned it after the pins were judged, and deletes it past a pin judged stale', async () => {
    const host = await hostWithRetiredTree();
    // Pinned while current, as a run starting just before the flip would.
    const pin = await pinCurrentTree(host.layout, host.v1.lockfileHash);
    await host.moveOn();
    expect(await deleteRetiredTree(host.layout, host.v1.lockfileHash, new Set())).toBe(false);
    expect(await readdir(host.layout.treesDir)).toEqual([host.v1.lockfileHash, host.v2.lockfileHash].sort());
    expect(await readFile(path.join(pin.runDir, 'node_modules/ver/index.js'), 'utf8')).toContain('1.0.0');

    expect(await deleteRetiredTree(host.layout, host.v1.lockfileHash, new Set([pin.runId]))).toBe(true);
    expect(await readdir(host.layout.treesDir)).toEqual([host.v2.lockfileHash]);
    await releaseRunPin(pin);
  });

  it('runs a pass after every reconcile that moved `current`, serialized with the reconciles', async () => {
    const host = await hostWithRetiredTree({ graceMs: 0, runTimeoutMs: RUN_TIMEOUT_MS, retainedIntegrities: async () => new Set() });
    expect(host.reconciler.disk()).toBeNull();
    await host.moveOn();
    // Queued behind the pass that followed the flip.
    await host.moveOn();
    expect(await readdir(host.layout.treesDir)).toEqual([host.v2.lockfileHash]);
    expect(await exists(host.layout.blobPath(verOf(host.v1)))).toBe(false);
    expect(host.reconciler.disk()).toMatchObject({ trees: 1, retiredTrees: 0, lastCollection: { trees: 1, extracted: 1, blobs: 1 } });
  });

  it('shares one waiting pass among the requests made before it starts, and runs a new one for a request made after', async () => {
    const host = await hostWithRetiredTree();
    const waiting = host.reconciler.reconcile(host.v2);
    const [first, second] = [host.reconciler.collect(), host.reconciler.collect()];
    expect(second).toBe(first);
    await waiting;
    await first;
    const third = host.reconciler.collect();
    expect(third).not.toBe(first);
    await third;
  });

  it('reports a history that cannot be read as an error of the pass and keeps the cache', async () => {
    const host = await hostWithRetiredTree({ graceMs: 0, runTimeoutMs: RUN_TIMEOUT_MS, retainedIntegrities: () => Promise.reject(new Error('history unavailable')) });
    await host.moveOn();
    const collection = await host.reconciler.collect();
    expect(collection.errors).toEqual([expect.stringContaining('history unavailable')]);
    expect(await exists(host.layout.blobPath(verOf(host.v1)))).toBe(true);
    expect(await readdir(host.layout.treesDir)).toEqual([host.v2.lockfileHash]);
  });
});

describe('disk usage', () => {
  it('counts a hard-linked file once', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a'), 'x'.repeat(1000));
    await link(path.join(dir, 'a'), path.join(dir, 'b'));
    await writeFile(path.join(dir, 'c'), 'y'.repeat(10));
    expect(await measureDiskBytes([dir, path.join(dir, 'missing')])).toBe(1010);
  });
});
