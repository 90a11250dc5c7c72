import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';

// Election only means something across processes sharing one PostgreSQL database.
const drivers = testDrivers().filter((d) => d === 'postgres');

describe.each(drivers)('install election across two server processes (%s)', () => {
  let a: SpawnedServer;
  let b: SpawnedServer;
  let dbUrl: URL;
  const call = (s: SpawnedServer, method: string, p: string, body?: unknown) =>
    fetch(`${s.url}/api${p}`, {
      method,
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    dbUrl = await createFreshPostgresDatabase();
    const token = `shared_${Date.now()}_token_value`;
    [a, b] = await Promise.all([
      spawnServer({ databaseUrl: dbUrl.toString(), token }),
      spawnServer({ databaseUrl: dbUrl.toString(), token }),
    ]);
    expect((await call(a, 'PUT', '/registry', { url: inject('registryUrl'), token: inject('registryToken') })).status).toBe(200);
    for (const name of ['spk-fixture-nested', 'spk-fixture-cjs', '@spk-fixtures/scoped', '@spk-private/secret']) {
      expect((await call(b, 'POST', '/packages', { name })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (dbUrl) await dropPostgresDatabase(dbUrl);
  });

  it('runs exactly one install when both instances are triggered at once', async () => {
    const [ra, rb] = await Promise.all([call(a, 'POST', '/install', {}), call(b, 'POST', '/install', {})]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses).toEqual([202, 409]);
    const loser = ra.status === 409 ? ra : rb;
    const loserServer = ra.status === 409 ? a : b;
    expect(((await loser.json()) as { data: { code: string } }).data.code).toBe('INSTALL_IN_PROGRESS');

    let state: { status: string; lockfileHash: string | null; manifest: unknown[] };
    for (;;) {
      state = (await (await call(b, 'GET', '/install')).json()) as typeof state;
      if (state.status !== 'installing') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state.status).toBe('idle');
    expect(state.lockfileHash).toMatch(/^[a-f0-9]{64}$/);
    const fromA = (await (await call(a, 'GET', '/install')).json()) as typeof state;
    expect(fromA.lockfileHash).toBe(state.lockfileHash);

    // Once the winner is done the lock is free again: the other instance can install.
    expect((await call(loserServer, 'POST', '/install', {})).status).toBe(202);
  });
});
