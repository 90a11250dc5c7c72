// The reference package managers the reconcile benchmark compares against, each installing the
// same resolved set from a warm cache into an empty node_modules.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run, timeIt } from './bench-support.ts';

export interface ReferenceInstaller {
  label: string;
  /** One-time setup: lockfile and a warm cache. */
  prepare(): Promise<void>;
  /** One timed install into an empty node_modules. */
  measure(): Promise<number>;
}

const available = (bin: string) => {
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export async function referenceInstallers(root: string, registry: string, dependencies: Record<string, string>): Promise<ReferenceInstaller[]> {
  const project = async (name: string) => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-${name}`, private: true, dependencies }));
    return dir;
  };
  const cleanModules = (dir: string) => rm(path.join(dir, 'node_modules'), { recursive: true, force: true });
  const env = (dir: string) => ({ npm_config_userconfig: path.join(dir, '.npmrc'), npm_config_registry: registry });
  const installers: ReferenceInstaller[] = [];

  const npmDir = await project('npm');
  const npmFlags = ['--ignore-scripts', '--no-audit', '--no-fund', `--registry=${registry}`, `--cache=${path.join(npmDir, '.cache')}`];
  installers.push({
    label: 'npm ci --prefer-offline',
    prepare: async () => {
      await run('npm', ['install', ...npmFlags], { cwd: npmDir, env: env(npmDir) });
    },
    measure: async () => {
      await cleanModules(npmDir);
      return (await timeIt(() => run('npm', ['ci', '--prefer-offline', ...npmFlags], { cwd: npmDir, env: env(npmDir) }))).ms;
    },
  });

  if (available('pnpm')) {
    const dir = await project('pnpm');
    const flags = ['--ignore-scripts', `--registry=${registry}`, `--store-dir=${path.join(dir, '.store')}`, `--cache-dir=${path.join(dir, '.cache')}`];
    installers.push({
      label: 'pnpm install --offline',
      prepare: () => run('pnpm', ['install', ...flags], { cwd: dir, env: env(dir) }),
      measure: async () => {
        await cleanModules(dir);
        return (await timeIt(() => run('pnpm', ['install', '--offline', '--frozen-lockfile', ...flags], { cwd: dir, env: env(dir) }))).ms;
      },
    });
  }

  if (available('bun')) {
    const dir = await project('bun');
    const benv = { ...env(dir), BUN_INSTALL_CACHE_DIR: path.join(dir, '.cache'), BUN_CONFIG_REGISTRY: registry };
    installers.push({
      label: 'bun install (warm cache)',
      prepare: () => run('bun', ['install', '--ignore-scripts'], { cwd: dir, env: benv }),
      measure: async () => {
        await cleanModules(dir);
        return (await timeIt(() => run('bun', ['install', '--ignore-scripts', '--frozen-lockfile'], { cwd: dir, env: benv }))).ms;
      },
    });
  }
  return installers;
}
