// A throwaway npm-style project for a reference tool: its package.json, and an environment with
// its own HOME (so no user configuration, global cache or store of this machine leaks in) that
// points the tool at the bench's registry.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { moveAside } from './move-aside.ts';

export interface IsolatedProject {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Moves node_modules aside: every sample installs into an empty one. */
  clean(): Promise<void>;
}

export async function isolatedProject(dir: string, options: { registry: string; dependencies: Record<string, string>; env?: NodeJS.ProcessEnv }): Promise<IsolatedProject> {
  const home = path.join(dir, '.home');
  await mkdir(home, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-${path.basename(dir)}`, private: true, dependencies: options.dependencies }));
  return {
    dir,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      npm_config_registry: options.registry,
      // npm would ask the public registry whether it is the latest npm: not part of the install.
      npm_config_update_notifier: 'false',
      ...options.env,
    },
    clean: () => moveAside(path.join(dir, 'node_modules')),
  };
}

/** npm's flags for a bench run: no scripts, audit or funding calls, the given registry and cache. */
export const npmFlags = (registry: string, cache: string) => ['--ignore-scripts', '--no-audit', '--no-fund', `--registry=${registry}`, `--cache=${cache}`];
