// Measures tree materialization on a synthetic set (~150 packages, ~14k small files) for both
// tree layouts: cold (download+verify+extract+build), warm new tree (everything extracted), a
// one-package delta, and a no-op.
// Run: [BENCH_DIR=/dev/shm] node --import tsx packages/reconciler/src/bench/materialize-timings.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeLockfileHash, type Manifest } from '@spk/common';
import { createFsReconcileDeps } from '../fs-reconcile-deps.ts';
import { reconcile } from '../reconcile.ts';
import type { TreeLayout } from '../tree-plan.ts';
import { integrityOf, makeTarball } from '../test-support/tarball.ts';

const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 150);
const FILES_PER_PACKAGE = Number(process.env.BENCH_FILES ?? 93);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function syntheticPackage(index: number, version: string) {
  const name = index % 10 === 0 ? `@bench/pkg-${index}` : `pkg-${index}`;
  const entries = [{ path: 'package/package.json', content: JSON.stringify({ name, version, main: 'index.js' }) }];
  for (let f = 0; f < FILES_PER_PACKAGE - 1; f++) {
    const dir = f % 4 === 0 ? 'lib' : `lib/sub${f % 7}/deep${f % 3}`;
    entries.push({ path: `package/${dir}/file-${f}.js`, content: `module.exports = ${JSON.stringify(`${name}@${version}:${f}`)};\n`.repeat(1 + (f % 20)) });
  }
  const tarball = makeTarball(entries);
  // Every 8th package is nested under the previous one, as npm does for conflicting versions.
  const pathInTree = index % 8 === 7 ? `node_modules/pkg-${index - 1}/node_modules/${name}` : `node_modules/${name}`;
  return { tarball, entry: { name, version, path: pathInTree, integrity: integrityOf(tarball), size: tarball.length, hasInstallScript: false, bin: index % 5 === 0 ? { [`bin-${index}`]: 'lib/file-0.js' } : {}, dependencies: {} } };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(0)} ms`;

async function main() {
  const blobs = new Map<string, Buffer>();
  const base: Manifest = [];
  for (let i = 0; i < PACKAGES; i++) {
    const { tarball, entry } = syntheticPackage(i, '1.0.0');
    blobs.set(entry.integrity, tarball);
    base.push(entry);
  }
  const changed = syntheticPackage(3, '1.0.1');
  blobs.set(changed.entry.integrity, changed.tarball);
  const delta = base.map((entry, i) => (i === 3 ? changed.entry : entry));
  const files = PACKAGES * FILES_PER_PACKAGE;
  console.log(`synthetic set: ${PACKAGES} packages, ${files} files, ${(base.reduce((n, e) => n + e.size, 0) / 1024 / 1024).toFixed(1)} MiB of tarballs`);

  for (const treeLayout of ['hardlinked', 'linked-packages'] as const) await measure(treeLayout, blobs, base, delta);
}

async function measure(treeLayout: TreeLayout, blobs: Map<string, Buffer>, base: Manifest, delta: Manifest) {
  const results: Record<string, number[]> = { cold: [], coldExtract: [], coldBuild: [], warmTree: [], warmTreeFreshProcess: [], delta: [], noop: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const dataDir = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), 'spk-bench-'));
    try {
      const fetchBlob = (integrity: string) => blobs.get(integrity)!;
      let built = { durationMs: 0 };
      const deps = createFsReconcileDeps({ dataDir, fetchBlob, treeLayout, onTreeBuilt: (stats) => (built = stats) });
      const run = async (manifest: Manifest, d = deps) => {
        const started = performance.now();
        await reconcile({ lockfileHash: await computeLockfileHash(manifest), manifest, deps: d });
        return performance.now() - started;
      };
      const cold = await run(base);
      results.cold!.push(cold);
      results.coldBuild!.push(built.durationMs);
      results.coldExtract!.push(cold - built.durationMs);
      // Same blobs, another hash (a dependency range changed): a whole new tree, nothing to extract.
      const rehashed = base.map((entry, i) => (i === 0 ? { ...entry, dependencies: { x: `^${round}` } } : entry));
      results.warmTree!.push(await run(rehashed));
      const freshDeps = createFsReconcileDeps({ dataDir, fetchBlob, treeLayout });
      results.warmTreeFreshProcess!.push(await run(base.map((entry, i) => (i === 0 ? { ...entry, dependencies: { y: '1' } } : entry)), freshDeps));
      results.delta!.push(await run(delta));
      results.noop!.push(await run(delta));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const labels: Record<string, string> = {
    cold: 'cold (verify+store blobs, extract, build, flip)',
    coldExtract: '  of which download/verify/extract',
    coldBuild: '  of which tree build (links)',
    warmTree: 'warm new tree (all extracted, listings cached)',
    warmTreeFreshProcess: 'warm new tree (new reconciler: store re-walked)',
    delta: '1-package delta (fetch+extract 1, build tree)',
    noop: 'no-op reconcile',
  };
  console.log(`\nlayout ${treeLayout} (${ROUNDS} rounds, median and each round)`);
  for (const [key, values] of Object.entries(results)) console.log(`${labels[key]!.padEnd(52)} median ${ms(median(values))}  (${values.map(ms).join(', ')})`);
}

await main();
