// Rollback end to end with real processes: a server and a satellite agent install set A, then set B,
// from a registry of this file's own; the registry is stopped, and one `install.rollback` to A makes
// both hosts run A again (scripts on each import A's version) and brings A's declared set back.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { FIXTURES_DIR, runAgentCommand, spawnAgent, spawnServer, startTestRegistry, type SpawnedAgent, type SpawnedServer, type TestRegistry } from '@spk/tools';
import { serverClient, settledInstall, type ServerClient } from './test-support/server-client.ts';

const POLL_MS = '1000';
/** Installs, convergence of two hosts and script runs on a loaded CI machine. */
const STEP_MS = 120_000;
const SATELLITE = 'edge-1';
const LEAF_ID = "import { id } from 'spk-fixture-leaf';\nexport default id;\n";

describe.each(testDrivers())('rollback with the registry stopped (%s)', (driver) => {
  let registry: TestRegistry;
  let server: SpawnedServer;
  let agent: SpawnedAgent;
  let client: ServerClient;
  let dbUrl: URL | undefined;
  let work: string;

  /** Waits until hosts.status shows the core instance and the satellite on `hash`. */
  async function bothOn(hash: string): Promise<void> {
    for (let i = 0; ; i++) {
      const { hosts } = await client.hosts.status();
      const on = [hosts.find((h) => h.kind === 'core')?.lockfileHash, hosts.find((h) => h.hostId === SATELLITE)?.lockfileHash];
      if (on.every((h) => h === hash)) return;
      if (i > 600) expect(on).toEqual([hash, hash]);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const declared = async () => (await client.packages.list()).packages.map(({ name, range, enabled }) => ({ name, range, enabled }));
  async function leafOnAgent(): Promise<{ result: unknown; lockfileHash: string }> {
    const file = path.join(work, 'leaf.mjs');
    await writeFile(file, LEAF_ID);
    const run = await runAgentCommand(['run', file, '--data-dir', agent.dataDir, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { result, lockfileHash } = JSON.parse(run.stdout) as { result: unknown; lockfileHash: string };
    return { result, lockfileHash };
  }
  async function leafOnCore(): Promise<{ result: unknown; lockfileHash: string }> {
    const run = await client.runs.execute({ filename: 'leaf.mjs', source: LEAF_ID });
    expect(run.ok, run.stderr).toBe(true);
    return { result: run.result, lockfileHash: run.lockfileHash };
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'spk-rollback-'));
    // Its own registry: stopping it must not affect other test files.
    registry = await startTestRegistry({ logLevel: 'error' });
    for (const fixture of ['spk-fixture-leaf/1.0.0', 'spk-fixture-leaf/2.0.0', 'spk-fixture-cjs/1.0.0', 'spk-fixture-esm/1.0.0']) {
      await registry.publish(path.join(FIXTURES_DIR, fixture));
    }
    dbUrl = driver === 'postgres' ? await createFreshPostgresDatabase() : undefined;
    server = await spawnServer({
      databaseUrl: dbUrl?.toString(),
      env: { SPK_POLL_INTERVAL_MS: POLL_MS, SPK_AGENT_HEARTBEAT_MS: '500', SPK_TYPES_AUTO_ADD: 'false' },
    });
    client = serverClient(server);
    await client.registry.set({ url: registry.url, token: null });
    const { token } = await client.satellites.create({ name: SATELLITE });
    agent = await spawnAgent({ server: server.url, token, env: { SPK_POLL_INTERVAL_MS: POLL_MS, SPK_HEARTBEAT_MS: '500' } });
  }, STEP_MS);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await registry?.stop();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a rollback to set A, with the registry stopped, converges the core and the satellite to A and restores its declared set', async () => {
    await client.packages.add({ name: 'spk-fixture-leaf', range: '^1.0.0' });
    await client.packages.add({ name: 'spk-fixture-esm', range: '1.0.0', enabled: false });
    const setA = await declared();
    const a = await settledInstall(client);
    await bothOn(a.lockfileHash);

    await client.packages.update({ name: 'spk-fixture-leaf', range: '^2.0.0' });
    await client.packages.remove({ name: 'spk-fixture-esm' });
    await client.packages.add({ name: 'spk-fixture-cjs', range: '^1.0.0' });
    const b = await settledInstall(client);
    await bothOn(b.lockfileHash);
    expect(await leafOnCore()).toEqual({ result: 'spk-fixture-leaf@2.0.0', lockfileHash: b.lockfileHash });

    await registry.stop();
    const from = agent.logs().length;
    const result = await client.install.rollback({ lockfileHash: a.lockfileHash.slice(0, 10) });
    expect(result).toMatchObject({ lockfileHash: a.lockfileHash, previousHash: b.lockfileHash, declared: setA, warnings: [] });
    expect(result.state).toMatchObject({ status: 'idle', lockfileHash: a.lockfileHash, manifest: a.manifest });

    await agent.waitForConverged(a.lockfileHash, { from, timeoutMs: STEP_MS });
    await bothOn(a.lockfileHash);
    expect(await declared()).toEqual(setA);
    expect(await leafOnCore()).toEqual({ result: 'spk-fixture-leaf@1.0.0', lockfileHash: a.lockfileHash });
    expect(await leafOnAgent()).toEqual({ result: 'spk-fixture-leaf@1.0.0', lockfileHash: a.lockfileHash });

    const { entries } = await client.install.history();
    expect(entries.map((e) => [e.lockfileHash, e.source, e.desired])).toEqual([
      [a.lockfileHash, 'rollback', true],
      [b.lockfileHash, 'install', false],
    ]);
  }, 4 * STEP_MS);
});
