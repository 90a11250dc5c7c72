// A fleet of real processes on one PostgreSQL database: two core instances (A and B) and three
// spk-agent processes with data dirs of their own (two following A, one following B). Installs made
// through A reach every host; an agent killed mid-way catches up to the latest set; an agent whose
// core is down keeps serving its tree and converges when the core is back; a revoked token is
// refused and its open stream closed; a satellite token cannot administer anything.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { REPO_ROOT, runAgentCommand, spawnAgent, spawnServer, type AgentLogLine, type SpawnedAgent, type SpawnedServer } from '@spk/tools';

const drivers = testDrivers().filter((d) => d === 'postgres');
const POLL_MS = '1000';
const HEARTBEAT_MS = '500';
const SPK_BIN = path.join(REPO_ROOT, 'apps/cli/bin/spk.mjs');
/** A loaded CI machine runs many processes beside these eight; one step must not fail for that alone. */
const SLOW_STEP_MS = 120_000;

interface HostRow {
  hostId: string;
  kind: 'core' | 'satellite';
  lockfileHash: string | null;
}

describe.each(drivers)('a fleet of two core instances and three agents (%s)', () => {
  const token = `fleet_${Date.now()}_admin_token`;
  // Instances sharing a database share the key sealing its registry token.
  const secretKey = randomBytes(32).toString('base64');
  let dbUrl: URL;
  let work: string;
  let a: SpawnedServer;
  let b: SpawnedServer;
  const satellites: Record<string, string> = {};
  const agents: Record<string, SpawnedAgent> = {};
  const dataDirOf = (name: string) => path.join(work, name);

  const call = (s: SpawnedServer, method: string, route: string, body?: unknown, bearer = token) =>
    fetch(`${s.url}/api${route}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ok = async <T>(response: Promise<Response>): Promise<T> => {
    const answer = await response;
    expect(answer.ok, `${answer.url}: ${answer.status} ${answer.ok ? '' : await answer.clone().text()}`).toBe(true);
    return (await answer.json()) as T;
  };

  const startServer = (options: { dataDir?: string; port?: number } = {}) =>
    spawnServer({ databaseUrl: dbUrl.toString(), token, ...options, env: { SPK_POLL_INTERVAL_MS: POLL_MS, SPK_AGENT_HEARTBEAT_MS: HEARTBEAT_MS, SPK_SECRET_KEY: secretKey } });
  const startAgent = (name: string, server: SpawnedServer) =>
    spawnAgent({ server: server.url, token: satellites[name]!, dataDir: dataDirOf(name), env: { SPK_POLL_INTERVAL_MS: POLL_MS, SPK_HEARTBEAT_MS: HEARTBEAT_MS } });
  /** The first log line after the agent's `from`-th that has every field of `fields`. */
  const logged = (agent: SpawnedAgent, fields: Partial<AgentLogLine>, from = 0) =>
    agent.waitForLog((line) => Object.entries(fields).every(([key, value]) => line[key] === value), { from });

  /** Commits the declared set through A and returns its hash. */
  async function install(): Promise<string> {
    const triggeredAt = Date.now();
    expect(await ok(call(a, 'POST', '/install', {}))).toMatchObject({ started: true });
    for (;;) {
      const state = await ok<{ status: string; lockfileHash: string | null; committedAt: string | null; error: { message: string } | null }>(call(a, 'GET', '/install'));
      expect(state.error?.message ?? null).toBeNull();
      if (state.status === 'idle' && state.lockfileHash && state.committedAt && Date.parse(state.committedAt) >= triggeredAt) return state.lockfileHash;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until hosts.status shows both core instances, and the satellites named, on `hash`. */
  async function hostsReport(hash: string, satelliteNames: string[] = []): Promise<void> {
    for (let i = 0; ; i++) {
      const { hosts } = await ok<{ hosts: HostRow[] }>(call(a, 'GET', '/hosts'));
      const runs = [
        ...[a, b].map((s) => hosts.find((h) => h.kind === 'core' && h.hostId.endsWith(`:${s.port}`))?.lockfileHash),
        ...satelliteNames.map((name) => hosts.find((h) => h.kind === 'satellite' && h.hostId === name)?.lockfileHash),
      ];
      if (runs.every((h) => h === hash)) return;
      if (i > 300) expect(runs).toEqual(runs.map(() => hash));
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** `spk run` on a core instance: through its API, as the CLI does. */
  async function runOnCore(s: SpawnedServer, source: string): Promise<unknown> {
    const result = await ok<{ ok: boolean; result: unknown; lockfileHash: string }>(call(s, 'POST', '/runs', { filename: 'check.mjs', source }));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    return result.result;
  }

  async function runOnAgent(name: string, source: string): Promise<{ result: unknown; lockfileHash: string }> {
    const file = path.join(work, `${name}-check.mjs`);
    await writeFile(file, source);
    const run = await runAgentCommand(['run', file, '--data-dir', dataDirOf(name), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as { ok: boolean; result: unknown; lockfileHash: string };
    expect(parsed.ok, run.stdout).toBe(true);
    return { result: parsed.result, lockfileHash: parsed.lockfileHash };
  }

  /** `spk hosts` (the real CLI bin) against `s`: its table. */
  const spkHosts = (s: SpawnedServer) =>
    new Promise<string>((resolve, reject) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPK_')));
      execFile(process.execPath, [SPK_BIN, 'hosts'], { env: { ...env, SPK_SERVER: s.url, SPK_TOKEN: token } }, (error, stdout, stderr) =>
        error ? reject(new Error(`spk hosts failed: ${stderr}`)) : resolve(stdout),
      );
    });

  beforeAll(async () => {
    dbUrl = await createFreshPostgresDatabase();
    work = await mkdtemp(path.join(tmpdir(), 'spk-fleet-'));
    [a, b] = await Promise.all([startServer(), startServer({ dataDir: dataDirOf('core-b') })]);
    await ok(call(a, 'PUT', '/registry', { url: inject('registryUrl'), token: inject('registryToken') }));
    for (const name of ['sat-a1', 'sat-a2', 'sat-b1']) satellites[name] = (await ok<{ token: string }>(call(a, 'POST', '/satellites', { name }))).token;
    [agents['sat-a1'], agents['sat-a2'], agents['sat-b1']] = await Promise.all([startAgent('sat-a1', a), startAgent('sat-a2', a), startAgent('sat-b1', b)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(agents).map((agent) => agent.stop()));
    await Promise.all([a?.stop(), b?.stop()]);
    if (dbUrl) await dropPostgresDatabase(dbUrl);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a package added through server A reaches both servers and every agent, and a script on each imports it', async () => {
    await ok(call(a, 'POST', '/packages', { name: 'spk-fixture-cjs' }));
    const hash = await install();
    await Promise.all(Object.values(agents).map((agent) => agent.waitForConverged(hash)));
    await hostsReport(hash, Object.keys(agents));

    const script = "import cjs from 'spk-fixture-cjs';\nexport default cjs.id;\n";
    const [onA, onB, ...onAgents] = await Promise.all([runOnCore(a, script), runOnCore(b, script), ...Object.keys(agents).map((name) => runOnAgent(name, script))]);
    expect([onA, onB]).toEqual(['spk-fixture-cjs@1.0.0', 'spk-fixture-cjs@1.0.0']);
    for (const run of onAgents) expect(run).toEqual({ result: 'spk-fixture-cjs@1.0.0', lockfileHash: hash });

    // `spk hosts` lists both core instances and the three satellites, each converged to the new hash.
    const table = (await spkHosts(b)).split('\n');
    const rowOf = (hostId: string) => table.find((line) => line.split(/\s+/)[0] === hostId);
    const { hosts } = await ok<{ hosts: HostRow[] }>(call(b, 'GET', '/hosts'));
    const coreIds = [a, b].map((s) => hosts.find((h) => h.kind === 'core' && h.hostId.endsWith(`:${s.port}`))!.hostId);
    for (const id of coreIds) expect(rowOf(id)).toMatch(new RegExp(`\\bcore\\s+${hash.slice(0, 12)}\\s+converged\\b`));
    for (const name of Object.keys(agents)) expect(rowOf(name)).toMatch(new RegExp(`\\bsatellite\\s+${hash.slice(0, 12)}\\s+converged\\b`));
  }, SLOW_STEP_MS);

  it('an agent killed with SIGKILL misses two changes, and on restart converges to the latest', async () => {
    expect(await agents['sat-a2']!.stop('SIGKILL')).toBeNull();
    await ok(call(a, 'POST', '/packages', { name: 'spk-fixture-esm', range: '1.0.0' }));
    const first = await install();
    await ok(call(a, 'PATCH', '/packages/spk-fixture-esm', { range: '^1.1.0' }));
    const latest = await install();
    expect(latest).not.toBe(first);
    await Promise.all(['sat-a1', 'sat-b1'].map((name) => agents[name]!.waitForConverged(latest)));

    agents['sat-a2'] = await startAgent('sat-a2', a);
    await agents['sat-a2'].waitForConverged(latest);
    const run = await runOnAgent('sat-a2', "import { id } from 'spk-fixture-esm';\nexport default id;\n");
    expect(run).toEqual({ result: 'spk-fixture-esm@1.1.0', lockfileHash: latest });
  }, SLOW_STEP_MS);

  it('with its server stopped an agent keeps serving its tree, and converges when the server is back', async () => {
    const agent = agents['sat-b1']!;
    const esm = "import { id } from 'spk-fixture-esm';\nexport default id;\n";
    const before = await runOnAgent('sat-b1', esm);
    expect(before.result).toBe('spk-fixture-esm@1.1.0');
    const port = b.port;
    const from = agent.logs().length;
    await b.stop();
    await logged(agent, { msg: 'core unreachable; keeping the last good tree', lockfileHash: before.lockfileHash }, from);
    expect(await runOnAgent('sat-b1', esm)).toEqual(before);

    await ok(call(a, 'POST', '/packages', { name: 'spk-fixture-nested' }));
    const hash = await install();
    b = await startServer({ dataDir: dataDirOf('core-b'), port });
    await agent.waitForConverged(hash);
    expect(await runOnAgent('sat-b1', "import { id } from 'spk-fixture-nested';\nexport default id;\n")).toEqual({ result: 'spk-fixture-nested@1.0.0', lockfileHash: hash });
  }, SLOW_STEP_MS);

  it('a satellite token gets 403 naming the missing permission on packages.add, install.trigger and runs.execute', async () => {
    const own = satellites['sat-b1']!;
    const refused = [
      await call(a, 'POST', '/packages', { name: 'spk-fixture-leaf' }, own),
      await call(b, 'POST', '/install', {}, own),
      await call(a, 'POST', '/runs', { filename: 'x.mjs', source: 'export default 1;\n' }, own),
    ];
    for (const response of refused) {
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('manage');
    }
  });

  it('a revoked token is refused at once and its open watch stream is closed; the agent says so', async () => {
    const revokedToken = satellites['sat-a1']!;
    // A stream of our own on server B, beside the agent's on A: the revoke made on A closes both.
    const stream = await fetch(`${b.url}/api/agent/watch`, { headers: { authorization: `Bearer ${revokedToken}`, accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    // Keep-alive comments may come first; the stream is open once its first event arrived.
    while (!received.includes('"desired"')) {
      const { done, value } = await reader.read();
      expect(done).toBe(false);
      received += decoder.decode(value, { stream: true });
    }

    const from = agents['sat-a1']!.logs().length;
    await ok(call(a, 'DELETE', '/satellites/sat-a1'));
    let rest = '';
    const closed = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        rest += decoder.decode(value, { stream: true });
      }
    })();
    await expect(Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 5000))])).resolves.toBe('closed');
    expect(rest).toContain('UNAUTHORIZED');

    await logged(agents['sat-a1']!, { msg: 'watch lost', kind: 'unauthorized' }, from);
    for (const s of [a, b]) expect((await call(s, 'GET', '/agent/desired', undefined, revokedToken)).status).toBe(401);
  });
});
