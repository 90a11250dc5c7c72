// A core instance that goes away under a running spk-agent: the agent keeps its tree (scripts still
// run against it), says so in its log, and converges to what was committed meanwhile once the core
// is back on its address.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgentCommand, spawnAgent, type SpawnedAgent } from '@spk/tools';
import { agentTestEnv, startTestCore, type TestCore } from './test-support/core-with-satellite.ts';

describe('spk-agent while its core is down', () => {
  let core: TestCore;
  let agent: SpawnedAgent;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'spk-agent-outage-'));
    core = await startTestCore({ dataDir: path.join(work, 'core') });
  }, 90_000);

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await core?.server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('keeps its tree while the core is stopped, says so, and converges once the core is back', async () => {
    const token = await core.createSatellite('outage-1');
    await core.addPackage('spk-fixture-cjs');
    const hash = await core.install();
    const dataDir = path.join(work, 'agent');
    agent = await spawnAgent({ server: core.server.url, token, dataDir, env: agentTestEnv });
    await agent.waitForConverged(hash);

    const { port, token: adminToken } = core.server;
    const from = agent.logs().length;
    await core.server.stop();
    const line = await agent.waitForLog((l) => l.msg === 'core unreachable; keeping the last good tree', { from });
    expect(line).toMatchObject({ level: 'warn', lockfileHash: hash, error: expect.stringContaining('core unreachable') });
    const script = path.join(work, 'still.cjs');
    await writeFile(script, "module.exports = require('spk-fixture-cjs').id;\n");
    const run = await runAgentCommand(['run', script, '--data-dir', dataDir, '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, lockfileHash: hash, result: 'spk-fixture-cjs@1.0.0' });

    core = await startTestCore({ dataDir: path.join(work, 'core'), port, token: adminToken });
    await core.addPackage('spk-fixture-leaf');
    const next = await core.install();
    // By polling or by the push stream, whichever is back first.
    await agent.waitForConverged(next, { from });
  });
});
