// `npm run bench:install [-- --set medium] [--runs N]`: a central install (resolve + fetch +
// publish into the PostgreSQL blob store on PGlite) against npm itself installing the same set
// with an empty cache, measured in the same run. `--set medium` uses the public registry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePackageSpec } from '@spk/common';
import { openPackageSource, parseBenchArgs, printTable, run, timeIt, type Row } from './bench-support.ts';
import { openSetBackend } from './installed-set.ts';

const args = parseBenchArgs(process.argv.slice(2), { runs: 3 });
const source = await openPackageSource(args.set);

async function centralInstall(): Promise<{ cold: number; again: number; packages: number }> {
  const t = await openSetBackend(source);
  try {
    const cold = await timeIt(() => t.install());
    const again = await timeIt(() => t.install());
    return { cold: cold.ms, again: again.ms, packages: cold.value.manifest.length };
  } finally {
    await t.close();
  }
}

async function npmInstall(lockOnly: boolean): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spk-bench-npm-'));
  try {
    const dependencies = Object.fromEntries(source.packages.map((s) => Object.values(parsePackageSpec(s))));
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench', private: true, dependencies }));
    const flags = ['install', '--ignore-scripts', '--no-audit', '--no-fund', `--registry=${source.registryUrl}`, `--cache=${path.join(dir, '.cache')}`];
    if (lockOnly) flags.push('--package-lock-only');
    const { ms } = await timeIt(() => run('npm', flags, { cwd: dir, env: { npm_config_userconfig: path.join(dir, '.npmrc') } }));
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  const cold: number[] = [];
  const again: number[] = [];
  const npmFull: number[] = [];
  const npmLock: number[] = [];
  let packages = 0;
  for (let i = 0; i < args.runs; i++) {
    const ours = await centralInstall();
    cold.push(ours.cold);
    again.push(ours.again);
    packages = ours.packages;
    npmFull.push(await npmInstall(false));
    npmLock.push(await npmInstall(true));
  }
  const rows: Row[] = [
    { label: 'npm install (empty cache, no scripts)', samples: npmFull },
    { label: 'npm install --package-lock-only', samples: npmLock },
    { label: 'central install, cold (resolve+fetch+publish)', samples: cold, reference: 'npm install (empty cache, no scripts)' },
    { label: 'central install, same set again', samples: again, reference: 'npm install --package-lock-only' },
  ];
  printTable(`central install: ${args.set} set, ${packages} packages, ${args.runs} run(s)`, rows);
} finally {
  await source.stop();
}
