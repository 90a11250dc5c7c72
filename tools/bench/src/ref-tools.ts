// The reference package managers' binaries, pinned in tools/bench/refs/package-lock.json (bun's
// official binary package and pnpm's native executable) and installed from the npm registry on
// first use, like tools/ci-node24: no download of a binary at bench time, and the same versions
// on every machine.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './bench-support.ts';

const REFS = path.resolve(import.meta.dirname, '../refs');

export interface RefTools {
  bun: string;
  pnpm: string;
  /** `bun 1.4.5, pnpm 12.4.2`: what the rows measured. */
  versions: string;
}

const BINARIES = {
  bun: { pkg: '@oven/bun-linux-x64', bin: 'bin/bun' },
  // pnpm's `pnpm` package is a launcher that starts Node to find this binary: run the binary itself.
  pnpm: { pkg: '@pnpm/exe.linux-x64', bin: 'pnpm', pinnedBy: 'pnpm' },
} as const;

const readVersion = (file: string) => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version : undefined);

function installedMatchesPins(): boolean {
  const pins = (JSON.parse(readFileSync(path.join(REFS, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  return Object.values(BINARIES).every((b) => {
    const pinned = pins['pinnedBy' in b ? b.pinnedBy : b.pkg];
    return existsSync(path.join(REFS, 'node_modules', b.pkg, b.bin)) && readVersion(path.join(REFS, 'node_modules', b.pkg, 'package.json')) === pinned;
  });
}

export async function ensureRefTools(log: (line: string) => void): Promise<RefTools> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the reference installers are pinned for linux-x64 only');
  if (!installedMatchesPins()) {
    log('installing the pinned reference tools: npm ci --prefix tools/bench/refs --ignore-scripts');
    await run('npm', ['ci', '--prefix', REFS, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: REFS });
    if (!installedMatchesPins()) throw new Error('tools/bench/refs: npm ci did not install the pinned bun and pnpm binaries');
  }
  const at = (b: (typeof BINARIES)[keyof typeof BINARIES]) => path.join(REFS, 'node_modules', b.pkg, b.bin);
  const version = (b: (typeof BINARIES)[keyof typeof BINARIES]) => readVersion(path.join(REFS, 'node_modules', b.pkg, 'package.json'));
  return { bun: at(BINARIES.bun), pnpm: at(BINARIES.pnpm), versions: `bun ${version(BINARIES.bun)}, pnpm ${version(BINARIES.pnpm)}` };
}
