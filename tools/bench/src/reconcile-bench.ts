// `npm run bench:reconcile [-- --set medium] [--runs N] [--json] [--blobs memory|http] [--layouts hardlinked,linked-packages]`:
// reconciling a host (cold: empty cache; warm: a new tree from a full cache; delta: one package
// changed) against bun (empty cache from a loopback registry; warm cache), pnpm --offline and npm
// ci installing the same versions, interleaved in rounds, each with its peak RSS.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { integrityToHex, parsePackageSpec, type DesiredState } from '@spk/common';
import { removeSealed, type TreeLayout } from '@spk/reconciler';
import { measureInRounds, printReport, type Measure } from './bench-rounds.ts';
import { median, openPackageSource, parseBenchArgs, progress } from './bench-support.ts';
import { findDeltaPackage } from './delta-package.ts';
import { openSetBackend } from './installed-set.ts';
import { startLoopbackRegistry } from './loopback-registry.ts';
import { rssProbeName } from './measured-process.ts';
import { reconcileMeasures, type ReconcileSetup } from './reconcile-measures.ts';
import { referenceMeasures } from './reference-installers.ts';
import { ensureRefTools } from './ref-tools.ts';

const args = parseBenchArgs(process.argv.slice(2), { runs: 5, extra: { blobs: 'memory', layouts: 'hardlinked,linked-packages' } });
if (args.extra.blobs !== 'memory' && args.extra.blobs !== 'http') throw new Error('--blobs must be "memory" or "http"');
const layouts = args.extra.layouts.split(',') as TreeLayout[];
if (!layouts.includes('hardlinked') || layouts.some((l) => l !== 'hardlinked' && l !== 'linked-packages')) throw new Error('--layouts: hardlinked[,linked-packages]');

/** Set A (the declared set) and set B (one dependency-free package at an older version), from the real installer. */
async function resolveStates(source: Awaited<ReturnType<typeof openPackageSource>>) {
  const t = await openSetBackend(source);
  try {
    const a = await t.install();
    const delta = await findDeltaPackage(source.registryUrl, source.packages);
    await t.client.packages.update({ name: delta.name, range: delta.older[0]! });
    const b = await t.install();
    const blobs = await t.readBlobs([...a.manifest, ...b.manifest]);
    // The references install exactly set A's versions.
    const dependencies = Object.fromEntries(
      source.packages.map(parsePackageSpec).map((s) => [s.name, a.manifest.find((e) => e.path === `node_modules/${s.name}`)!.version]),
    );
    return { a: a as DesiredState, b: b as DesiredState, blobs, dependencies, delta: `${delta.name}@${delta.older[0]}` };
  } finally {
    await t.close();
  }
}

const source = await openPackageSource(args.set);
const work = await mkdtemp(path.join(tmpdir(), 'spk-bench-reconcile-'));
try {
  const tools = await ensureRefTools(progress);
  progress(`resolving the ${args.set} set with the central installer…`);
  const { a, b, blobs, dependencies, delta } = await resolveStates(source);
  const registry = await startLoopbackRegistry({ sourceRegistry: source.registryUrl, packumentEntries: a.manifest, blobs });
  try {
    const blobDir = path.join(work, 'blobs');
    await mkdir(blobDir);
    const locations: Record<string, string> = {};
    for (const [integrity, bytes] of blobs) {
      locations[integrity] = args.extra.blobs === 'http' ? registry.blobUrl(integrity) : path.join(blobDir, integrityToHex(integrity));
      if (args.extra.blobs === 'memory') await writeFile(locations[integrity]!, bytes);
    }
    const setup: ReconcileSetup = { work, a, b, blobs: { kind: args.extra.blobs, locations }, baselines: [] };
    const refs = await referenceMeasures({ work: path.join(work, 'refs'), registry: registry.url, dependencies, tools });
    const [cold, warm, deltaRow] = reconcileMeasures(setup, 'hardlinked', { cold: 'reconcile.cold', warm: 'reconcile.warm', delta: 'reconcile.delta' }, { cold: 'bun.cold', warm: 'bun.warm' });
    const linked = layouts.includes('linked-packages')
      ? reconcileMeasures(setup, 'linked-packages', { cold: 'reconcile.linked.cold', warm: 'reconcile.linked.warm', delta: 'reconcile.linked.delta' }, { cold: 'bun.cold', warm: 'bun.warm' })
      : [];
    // Each of ours next to its reference, so a noisy minute hits both.
    const measures: Measure[] = [cold!, refs.bunCold, warm!, refs.bunWarm, deltaRow!, refs.pnpm, refs.npm, ...linked];
    const rows = await measureInRounds(measures, args.runs, progress);
    const bytes = [...blobs.values()].reduce((sum, blob) => sum + blob.byteLength, 0);
    const blobsFrom = args.extra.blobs === 'memory' ? "read into the worker's memory before the clock starts" : 'fetched from the loopback registry while reconciling';
    printReport(
      `reconcile: ${args.set} set, ${a.manifest.length} packages, ${(bytes / 1e6).toFixed(1)} MB of tarballs, delta ${delta}, ${args.runs} round(s), ${tools.versions}`,
      { set: args.set, runs: args.runs, rows },
      args.json,
      [
        `* timed inside a worker process: node start-up and module loading are not in ms; blobs ${blobsFrom}.`,
        `  Peak MiB of ours: the worker's high-water mark during the reconcile; it held ${median(setup.baselines).toFixed(0)} MiB (median) before it (node, tsx, code${args.extra.blobs === 'memory' ? ', blobs' : ''}).`,
        `  Reference rows: wall time of the tool's process from spawn to exit (its start-up included); peak RSS by ${rssProbeName()}.`,
      ],
    );
  } finally {
    await registry.close();
  }
} finally {
  await source.stop();
  await removeSealed(work);
}
