// A satellite agent's view of a real server process: its token from `satellites.create`, the
// desired state, the watch stream over SSE (oRPC's RPCLink, as the agent uses it), its report in
// hosts.status, 403 on admin procedures, and a revoke that closes the open stream with 401.
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/fetch';
import type { ContractRouterClient } from '@orpc/contract';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RPC_PREFIX, type AgentWatchEvent, type contract } from '@spk/common';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';

type Client = ContractRouterClient<typeof contract>;
const HEARTBEAT_MS = 300;

describe.each(testDrivers())('satellites through the HTTP server (%s)', (driver) => {
  let server: SpawnedServer;
  let dbUrl: URL | undefined;
  const rpc = (token: string): Client => createORPCClient<Client>(new RPCLink({ url: `${server.url}${RPC_PREFIX}`, headers: { authorization: `Bearer ${token}` } }));
  const rest = (token: string, method: string, p: string, body?: unknown) =>
    fetch(`${server.url}/api${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    dbUrl = driver === 'postgres' ? await createFreshPostgresDatabase() : undefined;
    server = await spawnServer({ databaseUrl: dbUrl?.toString(), env: { SPK_AGENT_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    await rpc(server.token).registry.set({ url: inject('registryUrl'), token: null });
  });
  afterAll(async () => {
    await server?.stop();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
  });

  it('serves desired, watch and report to a satellite token, and closes its stream with 401 on revoke', async () => {
    const created = await rest(server.token, 'POST', '/satellites', { name: 'edge-1' });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const agent = rpc(token);
    const admin = rpc(server.token);

    // Nothing installed yet: no kept history, so no blob to keep either.
    expect(await agent.agent.desired()).toEqual({ desired: null, pollIntervalMs: expect.any(Number), retainedIntegrities: [] });
    const controller = new AbortController();
    const stream = await agent.agent.watch(undefined, { signal: controller.signal });
    const events: AgentWatchEvent[] = [];
    const next = async () => {
      const { value, done } = await stream.next();
      if (done) throw new Error('the watch stream ended');
      events.push(value);
      return value;
    };
    expect(await next()).toEqual({ type: 'desired', lockfileHash: null, heartbeatMs: expect.any(Number) });

    // A commit through the admin API reaches the open stream as a new desired hash.
    await admin.packages.add({ name: 'spk-fixture-leaf' });
    await admin.install.trigger();
    let committed: string | null = null;
    for (let event = await next(); !committed; event = await next()) {
      if (event.type === 'desired' && event.lockfileHash) committed = event.lockfileHash;
    }
    expect((await admin.install.state()).lockfileHash).toBe(committed);
    const desired = await agent.agent.desired();
    expect(desired.desired).toMatchObject({ lockfileHash: committed, manifest: [expect.objectContaining({ name: 'spk-fixture-leaf' })] });
    // Heartbeats carry the current hash.
    let beat = await next();
    while (beat.type !== 'heartbeat') beat = await next();
    expect(beat).toMatchObject({ type: 'heartbeat', lockfileHash: committed });

    const convergedAt = new Date().toISOString();
    expect(
      await agent.agent.report({ lockfileHash: committed, convergedAt, lastError: null, agentVersion: '0.1.0', hostname: 'edge-host', lastPull: { blobs: 1, bytes: 321 } }),
    ).toEqual({ hostId: 'edge-1', pollIntervalMs: desired.pollIntervalMs });
    const hosts = (await admin.hosts.status()).hosts;
    expect(hosts.find((h) => h.hostId === 'edge-1')).toMatchObject({
      kind: 'satellite',
      lockfileHash: committed,
      convergedAt,
      stale: false,
      satellite: { name: 'edge-1', agentVersion: '0.1.0', hostname: 'edge-host', lastPull: { blobs: 1, bytes: 321 } },
    });
    expect(hosts.find((h) => h.kind === 'core')).toMatchObject({ satellite: null });

    // Admin procedures: 403 naming the permission, over REST as over RPC.
    const refused = await rest(token, 'POST', '/packages', { name: 'spk-fixture-esm' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain('"manage" permission');
    await expect(agent.runs.execute({ filename: 'x.mjs', source: 'export default 1' })).rejects.toMatchObject({ status: 403 });

    const started = Date.now();
    const ended = next().then(
      () => null,
      (error: unknown) => error,
    );
    expect((await rest(server.token, 'DELETE', '/satellites/edge-1')).status).toBe(200);
    // The hook closes the stream, whatever events were still on their way.
    let error = await ended;
    while (error === null) error = await next().then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: expect.stringContaining('was revoked') });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await rest(token, 'GET', '/agent/desired')).status).toBe(401);
    controller.abort();
  });
});
