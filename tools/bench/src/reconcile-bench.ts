// `npm run bench:reconcile [-- --set medium] [--runs N]`: reconciling a host from the blob store
// (cold: empty cache; warm: a new tree from a full cache; delta: one package changed) against npm,
// pnpm and bun installing the same set from a warm cache, all measured in one run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pacote from 'pacote';
import semver from 'semver';
import { parsePackageSpec, type DesiredState } from '@spk/common';
import { createReconciler, type TreeLayout } from '@spk/reconciler';
import { openPackageSource, parseBenchArgs, printTable, timeIt, type Row } from './bench-support.ts';
import { openSetBackend } from './installed-set.ts';
import { referenceInstallers } from './reference-installers.ts';

const args = parseBenchArgs(process.argv.slice(2), { runs: 5 });
const source = await openPackageSource(args.set);
const work = await mkdtemp(path.join(tmpdir(), 'spk-bench-reconcile-'));

/** A second version of one dependency-free package: the one-package delta. */
async function deltaSpec(specs: string[]): Promise<{ name: string; range: string }> {
  for (const spec of specs) {
    const { name } = parsePackageSpec(spec);
    const packument = await pacote.packument(name, { registry: source.registryUrl, fullMetadata: false });
    const latest = packument['dist-tags'].latest!;
    if (Object.keys(packument.versions[latest]?.dependencies ?? {}).length > 0) continue;
    const older = semver.rsort(Object.keys(packument.versions).filter((v) => semver.lt(v, latest) && !semver.prerelease(v)))[0];
    if (older) return { name, range: older };
  }
  throw new Error('no package in the set has an older version without dependencies to use as the delta');
}

async function resolveStates(): Promise<{ a: DesiredState; b: DesiredState; blobs: Map<string, Uint8Array>; dependencies: Record<string, string> }> {
  const t = await openSetBackend(source);
  try {
    const a = await t.install();
    const delta = await deltaSpec(source.packages);
    await t.client.packages.update(delta);
    const b = await t.install();
    const blobs = await t.readBlobs([...a.manifest, ...b.manifest]);
    // The references install exactly set A's versions.
    const dependencies = Object.fromEntries(
      source.packages.map(parsePackageSpec).map((s) => [s.name, a.manifest.find((e) => e.path === `node_modules/${s.name}`)!.version]),
    );
    return { a, b, blobs, dependencies };
  } finally {
    await t.close();
  }
}

try {
  const { a, b, blobs, dependencies } = await resolveStates();
  const fetchBlob = async (integrity: string) => blobs.get(integrity)!;
  async function measureLayout(treeLayout: TreeLayout) {
    const samples = { cold: [] as number[], warm: [] as number[], delta: [] as number[] };
    for (let i = 0; i < args.runs; i++) {
      const dataDir = path.join(work, `host-${treeLayout}-${i}`);
      const reconciler = createReconciler({ dataDir, fetchBlob, treeLayout });
      samples.cold.push((await timeIt(() => reconciler.reconcile(a))).ms);
      await rm(path.join(dataDir, 'trees'), { recursive: true, force: true });
      await rm(path.join(dataDir, 'current'), { force: true });
      samples.warm.push((await timeIt(() => reconciler.reconcile(a))).ms);
      samples.delta.push((await timeIt(() => reconciler.reconcile(b))).ms);
      await rm(dataDir, { recursive: true, force: true });
    }
    return samples;
  }
  const hardlinked = await measureLayout('hardlinked');
  const linked = await measureLayout('linked-packages');

  const rows: Row[] = [];
  const references = await referenceInstallers(path.join(work, 'refs'), source.registryUrl, dependencies);
  for (const ref of references) {
    await ref.prepare();
    const samples: number[] = [];
    for (let i = 0; i < args.runs; i++) samples.push(await ref.measure());
    rows.push({ label: ref.label, samples });
  }
  const fastest = rows.length ? rows.reduce((x, y) => (Math.min(...x.samples) <= Math.min(...y.samples) ? x : y)).label : undefined;
  const bun = rows.find((r) => r.label.startsWith('bun'))?.label ?? fastest;
  const vsBun = bun ? { reference: bun } : {};
  rows.push(
    { label: 'reconcile cold (empty cache)', samples: hardlinked.cold, ...vsBun },
    { label: 'reconcile warm, new tree (cache full)', samples: hardlinked.warm, ...vsBun },
    { label: 'reconcile one-package delta', samples: hardlinked.delta, reference: 'reconcile warm, new tree (cache full)' },
    { label: 'linked-packages: cold', samples: linked.cold, ...vsBun },
    { label: 'linked-packages: warm, new tree', samples: linked.warm, ...vsBun },
    { label: 'linked-packages: one-package delta', samples: linked.delta, reference: 'linked-packages: warm, new tree' },
  );
  const files = a.manifest.length;
  printTable(`reconcile: ${args.set} set, ${files} packages, ${blobs.size} blobs, ${args.runs} run(s)`, rows);
} finally {
  await source.stop();
  await rm(work, { recursive: true, force: true });
}
