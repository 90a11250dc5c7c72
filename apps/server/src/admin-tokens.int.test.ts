// Two real server processes on one PostgreSQL database, as behind a load balancer: admin tokens
// live in the database, so whichever instance answers, a token means the same thing.
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';

const drivers = testDrivers().filter((d) => d === 'postgres');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const exists = (file: string) => access(file).then(() => true, () => false);

function call(server: SpawnedServer, token: string, method: string, p: string, body?: unknown) {
  return fetch(`${server.url}/api${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe.each(drivers)('admin tokens across two server processes (%s)', () => {
  let a: SpawnedServer;
  let b: SpawnedServer;
  let dbUrl: URL;
  const envToken = `env_token_${Date.now()}_abcdefgh`;
  const secrets: string[] = [envToken];

  beforeAll(async () => {
    dbUrl = await createFreshPostgresDatabase();
    a = await spawnServer({ databaseUrl: dbUrl.toString(), token: envToken });
    // B has no SPK_ADMIN_TOKEN and an empty data dir: before tokens were shared, it made its own.
    b = await spawnServer({ databaseUrl: dbUrl.toString(), env: { SPK_ADMIN_TOKEN: '' } });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (dbUrl) await dropPostgresDatabase(dbUrl);
  });

  it('accepts one instance\'s SPK_ADMIN_TOKEN on another that has none, and that one generates nothing', async () => {
    expect((await call(b, envToken, 'GET', '/packages')).status).toBe(200);
    expect(await exists(path.join(b.dataDir, 'admin-token'))).toBe(false);
    expect(b.output()).toContain(`Admin token: none in ${path.join(b.dataDir, 'admin-token')}`);
    expect(b.output()).toContain('spk tokens create <name>');
    expect(a.output()).toContain('Admin token: from SPK_ADMIN_TOKEN (stored for every instance as "env")');
  });

  it('accepts a token created through one instance on the other, and refuses it there at once once revoked', async () => {
    const created = await call(a, envToken, 'POST', '/tokens', { name: 'deploy' });
    expect(created.status).toBe(201);
    const { token, permissions } = (await created.json()) as { token: string; permissions: string[] };
    secrets.push(token);
    expect(permissions).toEqual(['read', 'manage']);
    const caps = { warnTotalBytes: 10_000_000, blockTotalBytes: 20_000_000, maxPackageBytes: 5_000_000 };
    expect((await call(b, token, 'PUT', '/size-caps', caps)).status).toBe(200);

    const revoked = await call(a, envToken, 'DELETE', '/tokens/deploy');
    expect(revoked.status).toBe(200);
    // No wait, no cache: the very next request to the other instance is refused.
    expect((await call(b, token, 'GET', '/packages')).status).toBe(401);
    expect((await call(a, token, 'GET', '/packages')).status).toBe(401);
  });

  it('gives a read-only token reads, and a 403 naming the missing permission on every manage call', async () => {
    const created = await call(b, envToken, 'POST', '/tokens', { name: 'dashboard', readOnly: true });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    secrets.push(token);
    for (const p of ['/packages', '/install', '/registry', '/storage', '/hosts']) {
      expect((await call(a, token, 'GET', p)).status, p).toBe(200);
    }
    const manageCalls: Array<[string, string, unknown]> = [
      ['POST', '/packages', { name: 'spk-fixture-cjs' }],
      ['POST', '/install', {}],
      ['PUT', '/storage', { activeStore: 'filesystem' }],
      ['GET', '/tokens', undefined],
      ['POST', '/tokens', { name: 'escalate' }],
      ['DELETE', '/tokens/env', undefined],
    ];
    for (const [method, p, body] of manageCalls) {
      const res = await call(a, token, method, p, body);
      expect(res.status, `${method} ${p}`).toBe(403);
      const error = (await res.json()) as { message: string; data: { code: string } };
      expect(error).toMatchObject({ message: 'this token lacks the "manage" permission this call needs', data: { code: 'FORBIDDEN' } });
    }
    const list = (await (await call(a, envToken, 'GET', '/packages')).json()) as { packages: Array<{ name: string }> };
    expect(list.packages.map((p) => p.name)).not.toContain('spk-fixture-cjs');
  });

  it('never shows a token or its hash in the token list or in either server\'s log', async () => {
    const body = await (await call(b, envToken, 'GET', '/tokens')).text();
    const { tokens } = JSON.parse(body) as { tokens: Array<{ name: string; permissions: string[]; createdAt: string; lastUsedAt: string | null }> };
    expect(tokens.map((t) => t.name)).toEqual(['dashboard', 'env']);
    expect(Object.keys(tokens[0]!).sort()).toEqual(['createdAt', 'lastUsedAt', 'name', 'permissions']);
    expect(tokens[1]!.lastUsedAt).not.toBeNull();
    for (const secret of secrets) {
      for (const text of [body, a.output(), b.output()]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(sha256(secret));
      }
    }
  });
});

describe.each(drivers)('two instances starting together on an empty database (%s)', () => {
  let servers: SpawnedServer[] = [];
  let dbUrl: URL;
  beforeAll(async () => {
    dbUrl = await createFreshPostgresDatabase();
    servers = await Promise.all([1, 2].map(() => spawnServer({ databaseUrl: dbUrl.toString(), env: { SPK_ADMIN_TOKEN: '' } })));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (dbUrl) await dropPostgresDatabase(dbUrl);
  });

  it('generates exactly one admin token, which the other instance accepts', async () => {
    const generated = servers.filter((s) => s.output().includes('Admin token (shown once'));
    expect(generated).toHaveLength(1);
    const [first] = generated;
    const other = servers.find((s) => s !== first)!;
    const token = (await readFile(path.join(first!.dataDir, 'admin-token'), 'utf8')).trim();
    expect(first!.output()).toContain(token);
    expect(other.output()).not.toContain(token);
    expect((await call(other, token, 'GET', '/packages')).status).toBe(200);
    const { tokens } = (await (await call(other, token, 'GET', '/tokens')).json()) as { tokens: Array<{ name: string }> };
    expect(tokens.map((t) => t.name)).toEqual(['admin']);
  });
});
