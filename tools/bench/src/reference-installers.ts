// The reference installers bench:reconcile compares against, each installing set A's versions
// from the loopback registry into an empty node_modules: bun with an empty cache (bun.cold) and
// with a full one (bun.warm), pnpm offline from a filled store, npm ci from a warm cache, each in
// its own isolated project.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Measure } from './bench-rounds.ts';
import { run } from './bench-support.ts';
import { isolatedProject, npmFlags, type IsolatedProject } from './isolated-project.ts';
import { runMeasured } from './measured-process.ts';
import type { RefTools } from './ref-tools.ts';

export interface ReferenceSetup {
  /** Scratch directory for the reference projects. */
  work: string;
  /** The loopback registry serving set A. */
  registry: string;
  /** Top-level packages at set A's exact versions. */
  dependencies: Record<string, string>;
  tools: RefTools;
}

const project = (setup: ReferenceSetup, name: string, env: NodeJS.ProcessEnv = {}) =>
  isolatedProject(path.join(setup.work, name), { registry: setup.registry, dependencies: setup.dependencies, env });

async function bunMeasures(setup: ReferenceSetup): Promise<Measure[]> {
  const bunfig = `[install]\nregistry = ${JSON.stringify(setup.registry)}\n`;
  const cold = await project(setup, 'bun-cold');
  const warm = await project(setup, 'bun-warm', { BUN_INSTALL_CACHE_DIR: path.join(setup.work, 'bun-warm', '.bun-cache') });
  const install = (p: IsolatedProject, extra: string[], env: NodeJS.ProcessEnv = {}) => runMeasured(setup.tools.bun, ['install', '--ignore-scripts', ...extra], { cwd: p.dir, env: { ...p.env, ...env } });
  let round = 0;
  const coldCache = () => path.join(cold.dir, `.bun-cache-${round}`);
  return [
    {
      id: 'bun.cold',
      label: 'bun install, empty cache, loopback registry',
      async prepare() {
        await writeFile(path.join(cold.dir, 'bunfig.toml'), bunfig);
        await install(cold, [], { BUN_INSTALL_CACHE_DIR: coldCache() });
      },
      async sample() {
        await cold.clean();
        await rm(coldCache(), { recursive: true, force: true });
        round++;
        return install(cold, ['--frozen-lockfile'], { BUN_INSTALL_CACHE_DIR: coldCache() });
      },
    },
    {
      id: 'bun.warm',
      label: 'bun install, warm cache',
      async prepare() {
        await writeFile(path.join(warm.dir, 'bunfig.toml'), bunfig);
        await install(warm, []);
      },
      async sample() {
        await warm.clean();
        return install(warm, ['--frozen-lockfile']);
      },
    },
  ];
}

async function pnpmMeasure(setup: ReferenceSetup): Promise<Measure> {
  const p = await project(setup, 'pnpm');
  // pnpm 12 has no --cache-dir: its metadata cache is under the project's own HOME.
  const flags = ['--ignore-scripts', `--registry=${setup.registry}`, `--store-dir=${path.join(p.dir, '.store')}`];
  return {
    id: 'pnpm.offline',
    label: 'pnpm install --offline, store filled',
    prepare: () => run(setup.tools.pnpm, ['install', ...flags], { cwd: p.dir, env: p.env }),
    async sample() {
      await p.clean();
      return runMeasured(setup.tools.pnpm, ['install', '--offline', '--frozen-lockfile', ...flags], { cwd: p.dir, env: p.env });
    },
  };
}

async function npmMeasure(setup: ReferenceSetup): Promise<Measure> {
  const p = await project(setup, 'npm');
  const flags = npmFlags(setup.registry, path.join(p.dir, '.cache'));
  return {
    id: 'npm.ci',
    label: 'npm ci --prefer-offline, warm cache',
    prepare: () => run('npm', ['install', ...flags], { cwd: p.dir, env: p.env }),
    async sample() {
      await p.clean();
      return runMeasured('npm', ['ci', '--prefer-offline', ...flags], { cwd: p.dir, env: p.env });
    },
  };
}

export async function referenceMeasures(setup: ReferenceSetup): Promise<{ bunCold: Measure; bunWarm: Measure; pnpm: Measure; npm: Measure }> {
  const [bunCold, bunWarm] = (await bunMeasures(setup)) as [Measure, Measure];
  return { bunCold, bunWarm, pnpm: await pnpmMeasure(setup), npm: await npmMeasure(setup) };
}
