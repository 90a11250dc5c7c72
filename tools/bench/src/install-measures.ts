// bench:install's measures. Ours: a central install in a worker process hosting its own backend
// (install.cold: a fresh backend and data dir every round; install.noop and install.one-change:
// one backend kept across the rounds, as a server keeps its data dir and caches). References: npm
// resolving and installing the same declared set.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parsePackageSpec } from '@spk/common';
import type { Measure, Sample } from './bench-rounds.ts';
import type { PackageSource } from './bench-support.ts';
import type { DeltaPackage } from './delta-package.ts';
import type { InstallReply, InstallRequest } from './install-worker.ts';
import { isolatedProject, npmFlags } from './isolated-project.ts';
import { runMeasured } from './measured-process.ts';
import { startWorker, type BenchWorker } from './worker-process.ts';

const WORKER = path.join(import.meta.dirname, 'install-worker.ts');

async function openWorker(source: PackageSource): Promise<BenchWorker> {
  const worker = startWorker(WORKER);
  const open: InstallRequest = { type: 'open', registryUrl: source.registryUrl, ...(source.token ? { token: source.token } : {}), packages: source.packages };
  try {
    await worker.request(open);
  } catch (error) {
    await worker.close();
    throw error;
  }
  return worker;
}

const installIn = (worker: BenchWorker) => worker.request<InstallReply>({ type: 'install' } satisfies InstallRequest);

export interface OurInstallMeasures {
  cold: Measure;
  noop: Measure;
  oneChange: Measure;
  /** Packages in the last committed install, for the title. */
  packages(): number;
  /** Every worker's RSS before its install, for the footnote. */
  baselines: number[];
  /** Stops the backend kept across rounds. */
  close(): Promise<void>;
}

/** `delta` is changed once per round, to a version the kept backend has not installed yet while there are any. */
export function ourInstallMeasures(source: PackageSource, delta: DeltaPackage): OurInstallMeasures {
  let kept: BenchWorker | undefined;
  let packages = 0;
  const baselines: number[] = [];
  const keptWorker = () => {
    if (!kept) throw new Error('install.noop prepares the kept backend');
    return kept;
  };
  // declared -> older[0] -> older[1] … ; back to the declared range when the older versions run out.
  const ranges = [delta.declared, ...delta.older];
  let at = 0;
  const counted = (reply: InstallReply): Sample => {
    packages = reply.packages;
    baselines.push(reply.baselineRssMiB);
    return { ms: reply.ms, peakRssMiB: reply.peakRssMiB };
  };
  return {
    cold: {
      id: 'install.cold',
      label: 'central install, cold (resolve+fetch+publish)*',
      reference: 'npm.install',
      async sample() {
        const worker = await openWorker(source);
        try {
          return counted(await installIn(worker));
        } finally {
          await worker.close();
        }
      },
    },
    noop: {
      id: 'install.noop',
      label: 'central install, same set again*',
      reference: 'npm.lock-only',
      async prepare() {
        kept = await openWorker(source);
        await installIn(kept);
      },
      sample: async () => counted(await installIn(keptWorker())),
    },
    oneChange: {
      id: 'install.one-change',
      label: "central install, one package's range changed*",
      reference: 'npm.lock-only',
      async sample() {
        at = (at + 1) % ranges.length;
        await keptWorker().request({ type: 'update', name: delta.name, range: ranges[at]! } satisfies InstallRequest);
        return counted(await installIn(keptWorker()));
      },
    },
    packages: () => packages,
    baselines,
    close: async () => kept?.close(),
  };
}

/** npm install (empty cache), npm --package-lock-only with a warm cache kept across rounds, and with an empty one. */
export function npmInstallMeasures(source: PackageSource, work: string): Measure[] {
  const dependencies = Object.fromEntries(source.packages.map((s) => Object.values(parsePackageSpec(s))));
  const warmCache = path.join(work, 'npm-warm-cache');
  let n = 0;
  const npmIn = async (cache: string | undefined, extra: string[]) => {
    const dir = path.join(work, `npm-${++n}`);
    await mkdir(dir, { recursive: true });
    const p = await isolatedProject(dir, { registry: source.registryUrl, dependencies });
    return runMeasured('npm', ['install', ...npmFlags(source.registryUrl, cache ?? path.join(dir, '.cache')), ...extra], { cwd: p.dir, env: p.env });
  };
  return [
    { id: 'npm.install', label: 'npm install, empty cache, no scripts', sample: () => npmIn(undefined, []) },
    {
      id: 'npm.lock-only',
      label: 'npm install --package-lock-only, warm cache',
      prepare: async () => void (await npmIn(warmCache, ['--package-lock-only'])),
      sample: () => npmIn(warmCache, ['--package-lock-only']),
    },
    { id: 'npm.lock-only.cold', label: 'npm install --package-lock-only, empty cache', sample: () => npmIn(undefined, ['--package-lock-only']) },
  ];
}
