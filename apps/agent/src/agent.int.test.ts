// One real core instance and one real spk-agent process, with a fault-injecting proxy between them:
// the agent converges in a private, locked data dir and `spk-agent run` imports from its tree beside
// the running daemon; a blob corrupted on the way is refused and retried; a download cut short is
// resumed with Range; SIGTERM stops it cleanly. (The core going away: agent-core-outage.int.test.ts.)
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { craftPackage, publishPackage, runAgentCommand, spawnAgent, startBlobFaultProxy, type BlobFaultProxy, type SpawnedAgent } from '@spk/tools';
import { agentTestEnv, startTestCore, type TestCore } from './test-support/core-with-satellite.ts';

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;
/** A package whose tarball is about 1.5 MB: big enough to be cut while the agent is reading it. */
const BIG = `spk-agent-big-${randomBytes(4).toString('hex')}`;
const CUT_AFTER = 256 * 1024;

describe('spk-agent against a real core', () => {
  let core: TestCore;
  let proxy: BlobFaultProxy;
  let agent: SpawnedAgent;
  let work: string;
  let dataDir: string;
  let token: string;
  let hash: string;

  const script = async (name: string, source: string) => {
    const file = path.join(work, name);
    await writeFile(file, source);
    return file;
  };
  const agentRun = (...args: string[]) => runAgentCommand(['run', ...args, '--data-dir', dataDir]);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'spk-agent-int-'));
    dataDir = path.join(work, 'agent');
    const noise = { path: 'package/noise.txt', content: randomBytes(1_500_000).toString('base64') };
    await publishPackage(inject('registryUrl'), craftPackage({ name: BIG, version: '1.0.0', main: 'index.js' }, [{ path: 'package/index.js', content: `module.exports = '${BIG}';\n` }, noise]), { token: inject('registryToken') });
    core = await startTestCore({ dataDir: path.join(work, 'core') });
    proxy = await startBlobFaultProxy(core.server.url);
    token = await core.createSatellite('probe-1');
    await core.addPackage('spk-fixture-cjs');
    hash = await core.install();
    agent = await spawnAgent({ server: proxy.url, token, dataDir, env: agentTestEnv });
  }, 90_000);

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await proxy?.close();
    await core?.server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('converges in a private, locked data dir, reports itself, and spk-agent run imports from its tree while it runs', async () => {
    await agent.waitForConverged(hash);
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(path.join(dataDir, 'agent.lock'))).toBe(0o600);
    expect(agent.output()).not.toContain(token);

    const check = await script('check.cjs', "console.log('hello from the satellite');\nmodule.exports = require('spk-fixture-cjs').id;\n");
    const json = await agentRun(check, '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, lockfileHash: hash, result: 'spk-fixture-cjs@1.0.0' });
    const human = await agentRun(check);
    expect(human).toMatchObject({ code: 0, stdout: 'hello from the satellite\nresult: "spk-fixture-cjs@1.0.0"\n' });

    const failing = await agentRun(await script('fail.mjs', "throw new Error('probe down');\n"));
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/^spk-agent: script failed after \d+ ms: .*probe down.* \[[A-Z_]+\]\n$/m);

    // A second agent on the same data dir is refused, naming what to do.
    const second = await runAgentCommand([], { env: { SPK_SERVER: proxy.url, SPK_AGENT_TOKEN: token, SPK_DATA_DIR: dataDir } });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('another agent');
    expect(second.stderr).not.toContain(token);

    for (let i = 0; ; i++) {
      const { hosts } = await core.api<{ hosts: Array<Record<string, unknown>> }>('GET', '/hosts');
      const row = hosts.find((h) => h.hostId === 'probe-1');
      if (row?.lockfileHash === hash) break;
      if (i > 50) expect(row).toMatchObject({ lockfileHash: hash });
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('refuses a blob corrupted on the way, retries the reconcile, and converges', async () => {
    const from = agent.logs().length;
    proxy.injectAny({ kind: 'corrupt' });
    await core.addPackage('spk-fixture-esm');
    hash = await core.install();
    const failed = await agent.waitForLog((line) => line.msg === 'reconcile failed; keeping the last good tree', { from });
    expect(failed).toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    await agent.waitForConverged(hash);
    expect(proxy.blobRequests.filter((r) => r.fault === 'corrupt')).toHaveLength(1);
    const run = await agentRun(await script('esm.mjs', "import { id } from 'spk-fixture-esm';\nexport default id;\n"), '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, lockfileHash: hash });
  });

  it('resumes a download cut short with a Range request, and converges', async () => {
    const seen = proxy.blobRequests.length;
    proxy.injectAny({ kind: 'cut', afterBytes: CUT_AFTER });
    await core.addPackage(BIG);
    hash = await core.install();
    await agent.waitForConverged(hash);
    const [cut, resumed, ...rest] = proxy.blobRequests.slice(seen);
    expect(cut).toMatchObject({ fault: 'cut', range: null });
    // The resume asks for the rest (what arrived before the cut, minus what was still buffered), for this same blob.
    expect(resumed).toMatchObject({ hex: cut!.hex, ifRange: `"${cut!.hex}"`, status: 206 });
    const from = Number(/^bytes=(\d+)-$/.exec(resumed!.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(CUT_AFTER);
    expect(rest).toEqual([]);
    const run = await agentRun(await script('big.cjs', `module.exports = require('${BIG}');\n`), '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, result: BIG, lockfileHash: hash });
  });

  it('refuses to start with an SPK_RUN_AS_USER install scripts could not run as, naming the setting', async () => {
    const otherDir = await mkdtemp(path.join(tmpdir(), 'spk-agent-run-user-'));
    const refused = await runAgentCommand([], { env: { SPK_SERVER: proxy.url, SPK_AGENT_TOKEN: token, SPK_DATA_DIR: otherDir, SPK_RUN_AS_USER: 'spk-no-such-user' } });
    await rm(otherDir, { recursive: true, force: true });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('SPK_RUN_AS_USER=spk-no-such-user');
  });

  it('stops on SIGTERM with exit code 0 and releases its lock', async () => {
    expect(await agent.stop('SIGTERM')).toBe(0);
    await expect(stat(path.join(dataDir, 'agent.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(agent.logs().at(-1)).toMatchObject({ msg: 'stopped', lockfileHash: hash });
  });
});
