import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';

const readyz = async (s: SpawnedServer) => {
  const res = await fetch(`${s.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
};

// Dropping the database under a running server needs PostgreSQL.
describe.each(testDrivers().filter((d) => d === 'postgres'))('a running server whose database is dropped (%s)', () => {
  let server: SpawnedServer;
  let dbUrl: URL;
  beforeAll(async () => {
    dbUrl = await createFreshPostgresDatabase();
    server = await spawnServer({ databaseUrl: dbUrl.toString() });
  });
  afterAll(async () => {
    await server?.stop();
    await dropPostgresDatabase(dbUrl);
  });

  it('stays live but not ready, and logs the PostgreSQL code without SQL text', async () => {
    expect(await readyz(server)).toEqual({ status: 200, body: { status: 'ready' } });
    await dropPostgresDatabase(dbUrl);

    const ready = await readyz(server);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^database unavailable \((57P01|3D000)\)/) });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // A query with a parameter: neither the answer nor the log may carry it, or the SQL.
    const res = await fetch(`${server.url}/api/packages/sha512-secretparam`, { method: 'DELETE', headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(500);
    expect((await res.text()).toLowerCase()).not.toMatch(/select|delete from|params|secretparam/);

    const log = server.output();
    expect(log).toMatch(/"code":"(57P01|3D000)"/);
    expect(log).not.toContain('"code":"UNKNOWN"');
    expect(log).not.toMatch(/Failed query|params:|secretparam/);
  });
});

describe('a PGlite server that lost its data-dir lock', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer();
  });
  afterAll(() => server?.stop());

  it('answers 503 on /readyz naming the lock, while /healthz stays 200', async () => {
    expect((await readyz(server)).status).toBe(200);
    await rm(path.join(server.dataDir, 'server.lock'));
    const ready = await readyz(server);
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/no longer holds the data-dir lock.*start it again/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
