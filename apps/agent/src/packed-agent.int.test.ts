// What a satellite operator does: `npm pack` the agent, `npm install -g` the tarball into a prefix
// of its own, offline, then run it with plain node, outside the monorepo. The installed agent
// must converge against a real core and run a script that imports from its tree.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runAgentCommand, spawnAgent, type SpawnedAgent } from '@spk/tools';
import { agentTestEnv, startTestCore, type TestCore } from './test-support/core-with-satellite.ts';

const run = promisify(execFile);
const AGENT_DIR = path.join(REPO_ROOT, 'apps/agent');

/** npm's own settings from the `npm test` that started vitest must not steer these npm commands. */
function cleanNpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

describe('the packed agent, installed with npm install -g', () => {
  let work: string;
  let prefix: string;
  let installedBin: string;
  let core: TestCore;
  let agent: SpawnedAgent | undefined;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'spk-packed-agent-'));
    prefix = path.join(work, 'prefix');
    const env = cleanNpmEnv();
    // The test builds the bundle it packs: a fresh clone has no dist/.
    await run(process.execPath, [path.join(AGENT_DIR, 'scripts/build-bundle.mjs')], { cwd: AGENT_DIR, env });
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: AGENT_DIR, env });
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(work, filename)], { cwd: work, env });
    installedBin = path.join(prefix, 'lib/node_modules/@spk/agent/bin/spk-agent.mjs');
    core = await startTestCore();
  }, 120_000);

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await core?.server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs as the bin, the bundle and the run helpers only, with no dependencies', async () => {
    const installed = path.join(prefix, 'lib/node_modules/@spk/agent');
    expect((await readdir(installed)).sort()).toEqual(['bin', 'dist', 'package.json']);
    expect((await readdir(path.join(installed, 'dist'))).sort()).toEqual(['run-child.mjs', 'run-confinement.mjs', 'spk-agent.mjs']);
    const version = await run(path.join(prefix, 'bin/spk-agent'), ['--version'], { cwd: work, env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` } });
    expect(version.stdout).toBe('0.1.0\n');
  });

  it('converges against a real core with plain node, and runs a script against its tree', async () => {
    const token = await core.createSatellite('packed-1');
    await core.addPackage('spk-fixture-cjs');
    const hash = await core.install();
    const dataDir = path.join(work, 'agent-data');
    agent = await spawnAgent({ server: core.server.url, token, dataDir, bin: installedBin, cwd: work, env: agentTestEnv });
    await agent.waitForConverged(hash);

    const script = path.join(work, 'check.cjs');
    await writeFile(script, "module.exports = require('spk-fixture-cjs').id;\n");
    const result = await runAgentCommand(['run', script, '--data-dir', dataDir, '--json'], { bin: installedBin, cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, lockfileHash: hash, result: 'spk-fixture-cjs@1.0.0' });
    expect(await agent.stop('SIGTERM')).toBe(0);
  });
});
