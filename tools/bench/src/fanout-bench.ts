// `npm run bench:fanout [-- --agents 10,50] [--set medium|fixtures] [--runs 1]`: one core (the real
// server, on PostgreSQL with TEST_DATABASE_URL, else PGlite) and N satellite agent processes. Per N:
// the agents sit converged on an empty set, the set is committed, and we measure the time from the
// commit to the last agent converged, how often the core read each blob from its blob store, and the
// bytes it served. One agent is always measured first: it is the reference for the ratios.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { createFreshPostgresDatabase, dropPostgresDatabase } from '@spk/backend/testing';
import { parsePackageSpec } from '@spk/common';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { openPackageSource, parseBenchArgs, printTable, type Row } from './bench-support.ts';
import { readBlobCounters, STORE_READ_MSG } from './fanout-blob-counters.ts';
import { createCoreApi, type CoreApi } from './fanout-core-api.ts';
import { installPackedAgent, startFleet } from './fanout-fleet.ts';

const args = parseBenchArgs(process.argv.slice(2), { runs: 1, set: 'medium', extra: { agents: '10,50' } });
const fleetSizes = [1, ...args.extra.agents.split(',').map(Number)].filter((n, i, all) => all.indexOf(n) === i);
if (fleetSizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--agents must be positive integers separated by commas, not "${args.extra.agents}"`);

const source = await openPackageSource(args.set);
const work = await mkdtemp(path.join(tmpdir(), 'spk-bench-fanout-'));
const dbUrl = process.env.TEST_DATABASE_URL ? await createFreshPostgresDatabase() : undefined;
const coreDataDir = path.join(work, 'core');
const token = `bench_fanout_${Date.now()}_admin`;
const agentBin = await installPackedAgent(path.join(work, 'agent'));

/** A fresh core process on the same database and data dir: its blob cache and counters start empty. */
async function startCore(): Promise<{ server: SpawnedServer; api: CoreApi }> {
  const server = await spawnServer({
    databaseUrl: dbUrl?.toString(),
    dataDir: coreDataDir,
    token,
    // The poll is only the fallback; the push (watch) is what is measured. Debug level logs each
    // store read of the blob-serving cache, which is how the reads are counted.
    env: { SPK_POLL_INTERVAL_MS: '30000', LOG_LEVEL: 'debug' },
  });
  return { server, api: createCoreApi(server.url, token) };
}

async function declare(api: CoreApi, specs: string[]): Promise<void> {
  const declared = await api.packageNames();
  for (const name of declared) if (!specs.some((s) => parsePackageSpec(s).name === name)) await api.removePackage(name);
  for (const spec of specs) if (!declared.includes(parsePackageSpec(spec).name)) await api.addPackage(parsePackageSpec(spec));
}

interface Sample {
  agents: number;
  commitToLastMs: number;
  commitToFirstMs: number;
  blobs: number;
  storeReads: number | null;
  maxReadsPerBlob: number | null;
  bytesPulled: number;
  setBytes: number;
}

async function measure(agents: number, satellites: Array<{ name: string; token: string }>): Promise<Sample> {
  const fleetOf = satellites.slice(0, agents);
  // Start each measurement from an empty set that the agents already run.
  let core = await startCore();
  await declare(core.api, []);
  const empty = await core.api.installAndCommit();
  await core.server.stop();
  core = await startCore();
  const fleet = await startFleet({ serverUrl: core.server.url, tokens: fleetOf.map((s) => s.token), dir: path.join(work, `fleet-${agents}`), bin: agentBin });
  try {
    await fleet.allConverged(empty.lockfileHash, 120_000);
    await declare(core.api, source.packages);
    const committed = await core.api.installAndCommit();
    const converged = await fleet.allConverged(committed.lockfileHash, 600_000);
    const commitAt = committed.committedAt.getTime();
    const counters = readBlobCounters(core.server);
    const blobs = new Set(committed.manifest.map((e) => e.integrity)).size;
    return {
      agents,
      commitToLastMs: Math.max(...converged.map((c) => c.at)) - commitAt,
      commitToFirstMs: Math.min(...converged.map((c) => c.at)) - commitAt,
      blobs,
      storeReads: counters.storeReads,
      maxReadsPerBlob: counters.maxReadsPerBlob,
      bytesPulled: converged.reduce((sum, c) => sum + c.pulledBytes, 0),
      setBytes: [...new Map(committed.manifest.map((e) => [e.integrity, e.size])).values()].reduce((a, b) => a + b, 0),
    };
  } finally {
    await fleet.stop();
    await core.server.stop();
  }
}

try {
  const bootstrap = await startCore();
  await bootstrap.api.setRegistry(source.registryUrl, source.token);
  const satellites: Array<{ name: string; token: string }> = [];
  for (let i = 1; i <= Math.max(...fleetSizes); i++) satellites.push({ name: `bench-agent-${i}`, token: await bootstrap.api.createSatellite(`bench-agent-${i}`) });
  await bootstrap.server.stop();

  const samples: Sample[] = [];
  for (let run = 0; run < args.runs; run++) {
    for (const n of fleetSizes) {
      const sample = await measure(n, satellites);
      samples.push(sample);
      process.stderr.write(`run ${run + 1}: ${n} agent(s) converged ${(sample.commitToLastMs / 1000).toFixed(1)} s after the commit\n`);
    }
  }

  const label = (n: number) => `${n} agent process${n === 1 ? '' : 'es'}: commit -> last converged`;
  const cpus = availableParallelism();
  const rows: Row[] = fleetSizes.map((n) => ({
    label: label(n),
    samples: samples.filter((s) => s.agents === n).map((s) => s.commitToLastMs),
    ...(n === 1 ? {} : { reference: label(1) }),
  }));
  printTable(
    `fan-out: ${args.set} set, one core on ${dbUrl ? 'PostgreSQL' : 'PGlite'}, agents as separate processes (the packed agent), ${cpus} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${args.runs} run(s)`,
    rows,
  );
  const size = (b: number) => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
  const na = (v: number | null, f: (v: number) => string = String) => (v === null ? 'n/a' : f(v));
  const head = ['agents', 'blobs', 'store reads', 'reads/blob', 'max/blob', 'set size', 'served', 'first ms'];
  const widths = head.map((h) => Math.max(h.length, 9));
  const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join(' ');
  const lines = ['', row(head)];
  for (const s of samples) {
    const perBlob = s.storeReads === null ? null : s.storeReads / s.blobs;
    lines.push(row([String(s.agents), String(s.blobs), na(s.storeReads), na(perBlob, (v) => v.toFixed(2)), na(s.maxReadsPerBlob), size(s.setBytes), size(s.bytesPulled), s.commitToFirstMs.toFixed(0)]));
  }
  lines.push(
    `Each agent extracts and links the whole set itself: with ${cpus} CPUs, N agents need at least N/${cpus} x the CPU time of one (${fleetSizes.map((n) => `${n}: ${Math.max(1, n / cpus).toFixed(1)}x`).join(', ')}), whatever the core does.`,
    'goals: every blob read from the store at most once per core (max/blob <= 1); the largest fleet within 3x of one agent.',
    '"served": blob bytes the agents pulled from the core to reach the new tree (the `pulled` of their "converged" log lines);',
    `"store reads": "${STORE_READ_MSG}" lines in the core's debug log (n/a: this core does not log them); "first ms": commit to the first agent converged.`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await source.stop();
  if (dbUrl) await dropPostgresDatabase(dbUrl);
  // Fifty agents' caches and trees are over a million files and links: this takes a few minutes.
  process.stderr.write(`removing ${work}\n`);
  await rm(work, { recursive: true, force: true });
}
