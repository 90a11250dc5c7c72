// `npm run bench:install [-- --set medium] [--runs N] [--json]`: central installs (cold; the same
// set again; one package's range changed) against npm resolving and installing the same declared
// set, interleaved in rounds, each with its peak RSS. `--set medium` uses the public registry.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measureInRounds, printReport } from './bench-rounds.ts';
import { median, openPackageSource, parseBenchArgs, progress } from './bench-support.ts';
import { findDeltaPackage } from './delta-package.ts';
import { npmInstallMeasures, ourInstallMeasures } from './install-measures.ts';
import { rssProbeName } from './measured-process.ts';

const args = parseBenchArgs(process.argv.slice(2), { runs: 3 });
const source = await openPackageSource(args.set);
const work = await mkdtemp(path.join(tmpdir(), 'spk-bench-install-'));
try {
  const delta = await findDeltaPackage(source.registryUrl, source.packages);
  const ours = ourInstallMeasures(source, delta);
  try {
    const [npmInstall, npmLockOnly, npmLockOnlyCold] = npmInstallMeasures(source, work);
    // Each of ours next to its reference, so a noisy minute hits both.
    const rows = await measureInRounds([ours.cold, npmInstall!, ours.noop, npmLockOnly!, ours.oneChange, npmLockOnlyCold!], args.runs, progress);
    printReport(`central install: ${args.set} set, ${ours.packages()} packages, changing ${delta.name}, ${args.runs} round(s)`, { set: args.set, runs: args.runs, rows }, args.json, [
      `* timed inside a worker process hosting the backend on PGlite (its start, the database and declaring the set are not in ms);`,
      `  peak MiB: that process's high-water mark during the install; it held ${median(ours.baselines).toFixed(0)} MiB (median) before it (backend, PGlite, code).`,
      `  install.cold: a fresh backend and data dir each round; install.noop and install.one-change: one backend and data dir kept`,
      `  across the rounds, as a server keeps them.`,
      `  npm rows: a fresh project each time, wall time with npm's start-up; npm.lock-only keeps one npm cache across the rounds like our`,
      `  kept data dir (warmed once before the rounds), npm.lock-only.cold starts empty. Peak RSS by ${rssProbeName()}.`,
    ]);
  } finally {
    await ours.close();
  }
} finally {
  await source.stop();
  await rm(work, { recursive: true, force: true });
}
