// Tree GC end to end on a real server: a long script keeps importing its package while two
// installs retire its tree; `gc.run` deletes the other retired tree past the grace but not the
// pinned one, and the script finishes on its old version. A run SIGKILLed together with its server
// leaves a pin that does not keep its tree once the restarted server's grace is over; on a
// satellite, whose daemon reaps nothing while it runs, the pin of a SIGKILLed `spk-agent run` is
// judged stale by the agent's own GC timer, and the satellite's disk usage shows in hosts.status.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HostStatus, RunPinRecord, RunResult } from '@spk/common';
import { removeSealed } from '@spk/reconciler';
import { AGENT_DEV_BIN, spawnAgent, spawnServer, type SpawnedServer } from '@spk/tools';
import { serverClient, settledInstall, type ServerClient } from './test-support/server-client.ts';

const GRACE_MS = 1_000;
const STEP_MS = 120_000;
const RUN_ID = /^[0-9a-f-]{36}$/;

/** Imports its package (a fresh module instance each time) and reads its file until ./tmp/stop appears. */
const LONG_SCRIPT = `
import { existsSync, readFileSync } from 'node:fs';
const entry = import.meta.resolve('spk-fixture-esm');
const stop = new URL('./tmp/stop', import.meta.url);
const ids = new Set();
let imports = 0;
while (!existsSync(stop)) {
  ids.add((await import(entry + '?n=' + imports++)).id);
  ids.add(/export const id = '([^']+)'/.exec(readFileSync(new URL(entry), 'utf8'))[1]);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
export default { ids: [...ids], imports };
`;

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, output: () => string): Promise<T> {
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// One driver is enough: tree GC is the host's, on its own disk.
describe('tree GC on a real server (PGlite)', () => {
  let server: SpawnedServer;
  let client: ServerClient;
  /** Ours, not the server's: it outlives a SIGKILLed server for the restarted one. */
  let dataDir: string;
  const env = { SPK_TREE_GC_GRACE_MS: String(GRACE_MS), SPK_TREE_GC_INTERVAL_MS: '3600000', SPK_POLL_INTERVAL_MS: '1000', LOG_LEVEL: 'info' };
  const coreStatus = async (): Promise<HostStatus | undefined> => (await client.hosts.status()).hosts.find((h) => h.kind === 'core');
  const trees = async (dir = server.dataDir) => (await readdir(path.join(dir, 'trees'))).filter((name) => /^[a-f0-9]{64}$/.test(name)).sort();
  const runDirs = async (dir = server.dataDir) => (await readdir(path.join(dir, '.runs')).catch(() => [])).filter((name) => RUN_ID.test(name));
  /** pin.json of a run dir once it names the script process. */
  const recordedChild = (runDir: string) =>
    until(
      'the run to record its script process',
      async () => {
        const pin = JSON.parse(await readFile(path.join(runDir, 'pin.json'), 'utf8')) as RunPinRecord;
        return pin.child ? pin : null;
      },
      server.output,
    );

  /** Installs the declared set and waits until this server runs it. */
  async function installed(): Promise<string> {
    const { lockfileHash } = await settledInstall(client);
    await until('the server to run the new tree', async () => ((await coreStatus())?.lockfileHash === lockfileHash ? true : null), server.output);
    return lockfileHash;
  }

  /** Starts the long script and waits until its run dir pins a tree; returns the run's result and its run dir. */
  async function startLongRun(): Promise<{ result: Promise<RunResult>; runDir: string }> {
    const before = new Set(await runDirs());
    const result = client.runs.execute({ filename: 'long.mjs', source: LONG_SCRIPT, timeoutMs: STEP_MS });
    result.catch(() => undefined);
    const runId = await until('the run to pin its tree', async () => (await runDirs()).find((name) => !before.has(name)), server.output);
    return { result, runDir: path.join(server.dataDir, '.runs', runId) };
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-tree-gc-'));
    server = await spawnServer({ env, dataDir });
    client = serverClient(server);
    await client.registry.set({ url: inject('registryUrl'), token: null });
    await client.packages.add({ name: 'spk-fixture-esm', range: '1.0.0' });
  }, STEP_MS);
  afterAll(async () => {
    await server?.stop();
    if (dataDir) await removeSealed(dataDir);
  });

  it('keeps the tree a running script pins while collecting the other retired one, and the script keeps importing its old version', async () => {
    const first = await installed();
    const run = await startLongRun();

    await client.packages.update({ name: 'spk-fixture-esm', range: '1.1.0' });
    const second = await installed();
    await client.packages.add({ name: 'spk-fixture-leaf' });
    const third = await installed();
    expect(new Set([first, second, third]).size).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 200));
    const { host } = await client.gc.run();
    expect(host?.collection).toMatchObject({ trees: 1, stalePins: 0 });
    expect(await trees()).toEqual([first, third].sort());
    // The report that follows the pass carries what it measured.
    const disk = await until('hosts.status to show the pass', async () => ((await coreStatus())?.disk?.lastCollection?.trees === 1 ? (await coreStatus())!.disk : null), server.output);
    expect(disk).toMatchObject({ trees: 2, retiredTrees: 1, pinnedTrees: 1 });
    expect(disk.bytes).toBeGreaterThan(0);

    await writeFile(path.join(run.runDir, 'tmp', 'stop'), '');
    const result = await run.result;
    expect(result.error).toBeNull();
    expect(result.lockfileHash).toBe(first);
    expect(result.result).toMatchObject({ ids: ['spk-fixture-esm@1.0.0'] });
    expect((result.result as { imports: number }).imports).toBeGreaterThan(5);

    // Released with the run: the next pass takes it.
    expect((await client.gc.run()).host?.collection).toMatchObject({ trees: 1 });
    expect(await trees()).toEqual([third]);
  }, 6 * STEP_MS);

  it('does not let the pin of a run SIGKILLed with its server keep the tree after the restarted server’s grace', async () => {
    const pinnedHash = (await trees())[0]!;
    const run = await startLongRun();
    const record = await recordedChild(run.runDir);
    server.child.kill('SIGKILL');
    process.kill(record.child!.pid, 'SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await run.result.catch(() => undefined);

    // The same port keeps the same host id in hosts.status.
    server = await spawnServer({ env, dataDir, token: server.token, port: server.port });
    client = serverClient(server);
    await client.packages.remove({ name: 'spk-fixture-leaf' });
    const next = await installed();
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 200));
    expect((await client.gc.run()).host?.collection).toMatchObject({ trees: 1 });
    expect(await trees()).toEqual([next]);
    expect(await trees()).not.toContain(pinnedHash);
    expect(await runDirs()).toEqual([]);
  }, 4 * STEP_MS);

  it("collects a satellite's tree whose `spk-agent run` was SIGKILLed with its script, and shows the satellite's disk in hosts.status", async () => {
    const { token } = await client.satellites.create({ name: 'gc-edge' });
    const agent = await spawnAgent({
      server: server.url,
      token,
      env: { SPK_POLL_INTERVAL_MS: '1000', SPK_HEARTBEAT_MS: '500', SPK_TREE_GC_GRACE_MS: String(GRACE_MS), SPK_TREE_GC_INTERVAL_MS: '1000' },
    });
    try {
      const pinnedHash = (await client.install.state()).lockfileHash!;
      await agent.waitForConverged(pinnedHash, { timeoutMs: STEP_MS });
      const script = path.join(dataDir, 'long.mjs');
      await writeFile(script, LONG_SCRIPT);
      const runner = spawn(process.execPath, [AGENT_DEV_BIN, 'run', script, '--data-dir', agent.dataDir, '--timeout', '120'], { stdio: 'ignore' });
      const runId = await until('the agent run to pin its tree', async () => (await runDirs(agent.dataDir))[0], agent.output);
      const record = await recordedChild(path.join(agent.dataDir, '.runs', runId));
      runner.kill('SIGKILL');
      process.kill(record.child!.pid, 'SIGKILL');
      await new Promise((resolve) => runner.once('exit', resolve));

      await client.packages.add({ name: 'spk-fixture-leaf' });
      const next = (await settledInstall(client)).lockfileHash;
      await agent.waitForConverged(next, { timeoutMs: STEP_MS });
      // The daemon's timer: once past the grace, the dead run's pin protects nothing.
      await until('the satellite to collect its retired tree', async () => ((await trees(agent.dataDir)).join() === next ? true : null), agent.output);
      expect(await runDirs(agent.dataDir)).toEqual([]);
      const disk = await until('hosts.status to show the satellite\'s disk', async () => {
        const status = (await client.hosts.status()).hosts.find((h) => h.hostId === 'gc-edge');
        return status?.disk?.trees === 1 ? status.disk : null;
      }, agent.output);
      expect(disk).toMatchObject({ trees: 1, retiredTrees: 0, pinnedTrees: 0 });
      expect(disk.bytes).toBeGreaterThan(0);
      expect(agent.logs().some((line) => line.msg === 'stale run pin ignored' && line.lockfileHash === pinnedHash)).toBe(true);
    } finally {
      await agent.stop();
    }
  }, 4 * STEP_MS);
});
