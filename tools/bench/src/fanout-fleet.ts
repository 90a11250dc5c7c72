// The fan-out bench's agents: one spk-agent process per satellite token, each with a data dir of
// its own, and the moment each logged that it converged to a given hash.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, spawnAgent, type SpawnedAgent } from '@spk/tools';
import { run } from './bench-support.ts';

const AGENT_DIR = path.join(REPO_ROOT, 'apps/agent');

/**
 * The agent as an operator deploys it: bundled, packed, and installed with `npm install -g` into a
 * prefix of the bench's own (so a rebuild of apps/agent/dist during the bench cannot pull it away).
 * Returns the installed bin.
 */
export async function installPackedAgent(dir: string): Promise<string> {
  // npm's settings from the `npm run` that started the bench must not steer these npm commands.
  const env = Object.fromEntries(Object.keys(process.env).filter((name) => /^npm_/i.test(name)).map((name) => [name, undefined]));
  await mkdir(dir, { recursive: true });
  await run(process.execPath, [path.join(AGENT_DIR, 'scripts/build-bundle.mjs')], { cwd: AGENT_DIR, env });
  await run('npm', ['pack', '--pack-destination', dir], { cwd: AGENT_DIR, env });
  const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);
  const prefix = path.join(dir, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(dir, tarball)], { cwd: dir, env });
  return path.join(prefix, 'lib/node_modules/@spk/agent/bin/spk-agent.mjs');
}

export interface Fleet {
  /** Waits until every agent logged `converged` for `lockfileHash`: when each did, and what it pulled for it. */
  allConverged(lockfileHash: string, timeoutMs: number): Promise<Array<{ at: number; pulledBytes: number }>>;
  /** Stops every agent; their data dirs stay (the bench removes its whole work dir at the end, after printing). */
  stop(): Promise<void>;
}

export async function startFleet(options: { serverUrl: string; tokens: string[]; dir: string; bin: string }): Promise<Fleet> {
  // The poll is a fallback the bench should not measure: the push stream carries the commit.
  const env = { SPK_POLL_INTERVAL_MS: '60000' };
  const agents: SpawnedAgent[] = [];
  try {
    for (const [i, token] of options.tokens.entries()) {
      agents.push(await spawnAgent({ server: options.serverUrl, token, dataDir: path.join(options.dir, `agent-${i + 1}`), env, bin: options.bin }));
    }
  } catch (error) {
    await Promise.all(agents.map((agent) => agent.stop()));
    throw error;
  }
  return {
    async allConverged(lockfileHash, timeoutMs) {
      const lines = await Promise.all(agents.map((agent) => agent.waitForConverged(lockfileHash, { timeoutMs })));
      return lines.map((line) => ({ at: Date.parse(line.time), pulledBytes: (line.pulled as { bytes?: number } | undefined)?.bytes ?? 0 }));
    },
    async stop() {
      await Promise.all(agents.map((agent) => agent.stop()));
    },
  };
}
