// `npm run bench:lifecycle [-- --set fixtures] [--runs N]`: storage migration throughput for every
// ordered pair of blob stores (PostgreSQL, filesystem, S3 on a loopback s3rver), one blob GC run over
// 1,000 unreferenced blobs, and one tree GC pass over 10 retired trees, all in one run. The default
// set is medium (the public registry); its real tarballs are what migration copies.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import type { TestDriver } from '@spk/backend/testing';
import { DEFAULT_MIGRATION_CONCURRENCY } from '@spk/common';
import { startS3Server } from '@spk/tools';
import { openPackageSource, parseBenchArgs, printTable, type Row } from './bench-support.ts';
import { randomTarballs, type SeedBlob } from './blob-seeding.ts';
import { openSetBackend } from './installed-set.ts';
import { measureBlobGc, measureMigration, STORE_IDS, type StoreBench } from './store-lifecycle-measures.ts';
import { measureTreeGc, RETIRED_TREES } from './tree-gc-measure.ts';

const GC_BLOBS = 1000;

const args = parseBenchArgs(process.argv.slice(2), { runs: 3, set: 'medium' });
const source = await openPackageSource(args.set);
const work = await mkdtemp(path.join(tmpdir(), 'spk-bench-lifecycle-'));
const s3 = await startS3Server({ bucket: 'spk-bench' });
const driver: TestDriver = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
const size = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
const totalBytes = (blobs: readonly SeedBlob[]) => blobs.reduce((sum, b) => sum + b.bytes.byteLength, 0);

/** The set's desired state and its tarballs, from one real central install. */
async function installSet() {
  const t = await openSetBackend(source);
  try {
    const state = await t.install();
    return { state, blobs: await t.readBlobs(state.manifest) };
  } finally {
    await t.close();
  }
}

try {
  const { state, blobs } = await installSet();
  const setBlobs = [...blobs].map(([integrity, bytes]) => ({ integrity, bytes }));
  const setBytes = totalBytes(setBlobs);
  const gcBlobs = randomTarballs(GC_BLOBS);
  const gcBytes = totalBytes(gcBlobs);
  const bench: StoreBench = { driver, work, s3: s3.settings };

  const rows: Row[] = [];
  const pairs = STORE_IDS.flatMap((from) => STORE_IDS.filter((to) => to !== from).map((to) => [from, to] as const));
  for (const [from, to] of pairs) {
    const samples: number[] = [];
    for (let i = 0; i < args.runs; i++) samples.push(await measureMigration(bench, from, to, setBlobs));
    rows.push({ label: `migrate ${from} -> ${to}`, samples, work: { count: setBlobs.length, unit: 'blobs', bytes: setBytes } });
  }
  for (const store of STORE_IDS) {
    const samples: number[] = [];
    for (let i = 0; i < args.runs; i++) samples.push((await measureBlobGc(bench, store, gcBlobs)).ms);
    rows.push({ label: `blob GC, ${GC_BLOBS} unreferenced, ${store}`, samples, work: { count: GC_BLOBS, unit: 'blobs', bytes: gcBytes } });
  }
  const treeGc = [];
  for (let i = 0; i < args.runs; i++) treeGc.push(await measureTreeGc(path.join(work, `host-${i}`), state, blobs));
  rows.push({ label: `tree GC, ${RETIRED_TREES} retired trees`, samples: treeGc.map((s) => s.ms), work: { count: RETIRED_TREES, unit: 'trees' } });

  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  printTable(
    `lifecycle: ${args.set} set, ${state.manifest.length} packages, ${setBlobs.length} blobs (${size(setBytes)}), database ${driver === 'postgres' ? 'PostgreSQL' : 'PGlite'}, ${args.runs} run(s)`,
    rows,
  );
  const freed = treeGc.map((s) => s.bytesFreed);
  process.stdout.write(
    [
      `migration: the real storage migration service (concurrency ${DEFAULT_MIGRATION_CONCURRENCY}, source kept), timed from storage.migrate to its "done" with every blob verified in the target; S3 is s3rver on loopback.`,
      `blob GC: ${GC_BLOBS} random tarball-like blobs (${size(gcBytes)}, 1-16 KiB of random content each), referenced by nothing and marked unreferenced past the grace; one run deletes them all.`,
      `tree GC: ${RETIRED_TREES} trees of the set's manifest minus different entries, reconciled into one data dir and then retired by the full set; one pass with grace 0 deleted them, freeing ${freed.map(size).join(', ')} per run (tree files are hard links into the extracted store, which the current tree still uses).`,
      `machine: ${cpu}, ${availableParallelism()} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB. Absolute times are noisy on a shared machine: compare rows within one run.`,
    ].join('\n') + '\n',
  );
} finally {
  await s3.close();
  await source.stop();
  await rm(work, { recursive: true, force: true });
}
