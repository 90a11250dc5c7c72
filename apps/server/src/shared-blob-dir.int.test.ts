// The filesystem blob store with several instances on one PostgreSQL database: the blob index is
// shared, so the store's directory (SPK_BLOB_DIR) must be too. Instances on one shared directory
// converge; one with a directory of its own says which store and which file it could not read.
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';

const drivers = testDrivers().filter((d) => d === 'postgres');
const exists = (file: string) => access(file).then(() => true, () => false);
const hexOf = (integrity: string) => Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');

interface HostRow {
  hostId: string;
  lockfileHash: string | null;
  lastError: string | null;
}

describe.each(drivers)('filesystem blob store across instances (%s)', () => {
  const token = `shared_blob_dir_${Date.now()}_token`;
  let dbUrl: URL;
  let sharedDir: string;
  let ownDir: string;
  let a: SpawnedServer;
  let b: SpawnedServer;
  let c: SpawnedServer;
  const call = (s: SpawnedServer, method: string, p: string, body?: unknown) =>
    fetch(`${s.url}/api${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const hostOf = (hosts: HostRow[], s: SpawnedServer) => hosts.find((h) => h.hostId.endsWith(`:${s.port}`));

  beforeAll(async () => {
    dbUrl = await createFreshPostgresDatabase();
    sharedDir = await mkdtemp(path.join(tmpdir(), 'spk-shared-blobs-'));
    ownDir = await mkdtemp(path.join(tmpdir(), 'spk-own-blobs-'));
    // Instances sharing a database share the key sealing its registry token.
    const secretKey = randomBytes(32).toString('base64');
    const start = (blobDir: string) => spawnServer({ databaseUrl: dbUrl.toString(), token, env: { SPK_BLOB_DIR: blobDir, SPK_POLL_INTERVAL_MS: '1000', SPK_SECRET_KEY: secretKey } });
    [a, b, c] = await Promise.all([start(sharedDir), start(sharedDir), start(ownDir)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    if (dbUrl) await dropPostgresDatabase(dbUrl);
    await Promise.all([sharedDir, ownDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('switches to the filesystem store through the API, installs on one instance, and the one sharing its blob dir converges', async () => {
    // Nothing is installed yet, so the (empty) filesystem store holds every blob the desired state needs.
    const switched = await call(b, 'PUT', '/storage', { activeStore: 'filesystem' });
    expect(switched.status).toBe(200);
    expect(await switched.json()).toMatchObject({ activeStore: 'filesystem' });
    expect(await (await call(c, 'GET', '/storage')).json()).toMatchObject({ activeStore: 'filesystem' });

    expect((await call(a, 'PUT', '/registry', { url: inject('registryUrl'), token: inject('registryToken') })).status).toBe(200);
    expect((await call(a, 'POST', '/packages', { name: 'spk-fixture-nested' })).status).toBe(201);
    expect((await call(a, 'POST', '/install', {})).status).toBe(202);
    let state: { status: string; lockfileHash: string | null; manifest: Array<{ integrity: string }> };
    do {
      await new Promise((r) => setTimeout(r, 100));
      state = (await (await call(a, 'GET', '/install')).json()) as typeof state;
    } while (state.status === 'installing');
    expect(state).toMatchObject({ status: 'idle', lockfileHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const entry of state.manifest) expect(await exists(path.join(sharedDir, hexOf(entry.integrity)))).toBe(true);
    expect(await exists(path.join(a.dataDir, 'blobs'))).toBe(false);

    let hosts: HostRow[] = [];
    for (let i = 0; i < 200; i++) {
      hosts = ((await (await call(b, 'GET', '/hosts')).json()) as { hosts: HostRow[] }).hosts;
      if ([a, b].every((s) => hostOf(hosts, s)?.lockfileHash === state.lockfileHash) && hostOf(hosts, c)?.lastError) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(hostOf(hosts, a)).toMatchObject({ lockfileHash: state.lockfileHash, lastError: null });
    expect(hostOf(hosts, b)).toMatchObject({ lockfileHash: state.lockfileHash, lastError: null });

    // The instance with a blob dir of its own cannot converge, and says where it looked.
    const failed = hostOf(hosts, c)!;
    expect(failed.lockfileHash).not.toBe(state.lockfileHash);
    expect(failed.lastError).toContain('is indexed in the "filesystem" blob store, but this core instance cannot find it there at ');
    const tried = /at (\S+);/.exec(failed.lastError!)![1]!;
    expect(path.dirname(tried)).toBe(ownDir);
    expect(state.manifest.map((e) => hexOf(e.integrity))).toContain(path.basename(tried));
    expect(failed.lastError).toContain(`every core instance must read the same blob directory (SPK_BLOB_DIR, here ${ownDir})`);
    expect(failed.lastError).not.toContain(token);

    // The blob route of that instance answers the same way.
    const res = await fetch(`${c.url}/blobs/${path.basename(tried)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'BLOB_MISSING', message: expect.stringContaining(tried) });
  });

  it('refuses to switch back to a store that lacks the installed blobs, naming the code and what to do', async () => {
    const res = await call(a, 'PUT', '/storage', { activeStore: 'postgres' });
    expect(res.status).toBe(409);
    const error = (await res.json()) as { message: string; data: { code: string; missing: number } };
    expect(error.data).toMatchObject({ code: 'STORE_INCOMPLETE', missing: expect.any(Number) });
    expect(error.data.missing).toBeGreaterThan(0);
    expect(error.message).toMatch(/^the "postgres" blob store lacks \d+ of the \d+ blobs the desired state needs .*"filesystem" stays active; copy the blobs into it first/);
    expect(await (await call(b, 'GET', '/storage')).json()).toMatchObject({ activeStore: 'filesystem' });
    const unknown = await call(a, 'PUT', '/storage', { activeStore: 's3' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain('known stores: postgres, filesystem');
  });
});
