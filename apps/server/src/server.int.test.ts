import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';

describe.each(testDrivers())('server over HTTP (%s)', (driver) => {
  let server: SpawnedServer;
  let dbUrl: URL | undefined;
  const api = (p: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = init.token === undefined ? server.token : init.token;
    if (token) headers.authorization = `Bearer ${token}`;
    return fetch(`${server.url}/api${p}`, { ...init, headers });
  };
  const listNames = async () => ((await (await api('/packages')).json()) as { packages: Array<{ name: string }> }).packages.map((p) => p.name);

  beforeAll(async () => {
    dbUrl = driver === 'postgres' ? await createFreshPostgresDatabase() : undefined;
    server = await spawnServer({ databaseUrl: dbUrl?.toString() });
    // Declarations are checked against the registry: the fixture one, never the internet.
    expect((await api('/registry', { method: 'PUT', body: JSON.stringify({ url: inject('registryUrl'), token: null }) })).status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
  });

  it('serves /healthz and the OpenAPI document without a token', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/packages', '/packages/{name}', '/install', '/registry', '/hosts']));
  });

  it('answers 401 to a missing or wrong token on REST, RPC and blob routes', async () => {
    expect((await api('/packages', { token: null })).status).toBe(401);
    expect((await api('/packages', { token: 'wrong-token-wrong-token' })).status).toBe(401);
    const rpc = await fetch(`${server.url}/rpc/packages/list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(rpc.status).toBe(401);
    expect((await fetch(`${server.url}/blobs/${'a'.repeat(128)}`)).status).toBe(401);
  });

  it('adds, lists, updates and removes a scoped package', async () => {
    const add = await api('/packages', { method: 'POST', body: JSON.stringify({ name: '@spk-fixtures/scoped', range: '^1.0.0' }) });
    expect(add.status).toBe(201);
    expect(await listNames()).toContain('@spk-fixtures/scoped');
    const upd = await api('/packages/@spk-fixtures/scoped', { method: 'PATCH', body: JSON.stringify({ enabled: false }) });
    expect(upd.status).toBe(200);
    expect(await upd.json()).toMatchObject({ name: '@spk-fixtures/scoped', range: '^1.0.0', enabled: false });
    expect((await api('/packages/@spk-fixtures/scoped', { method: 'DELETE' })).status).toBe(200);
    expect(await listNames()).not.toContain('@spk-fixtures/scoped');
  });

  it('answers 409 to a duplicate name and keeps the first declaration', async () => {
    expect((await api('/packages', { method: 'POST', body: JSON.stringify({ name: 'spk-fixture-leaf', range: '1.0.0' }) })).status).toBe(201);
    const again = await api('/packages', { method: 'POST', body: JSON.stringify({ name: 'spk-fixture-leaf', range: '2.0.0' }) });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { data: { code: string } }).data.code).toBe('ALREADY_EXISTS');
    const list = (await (await api('/packages')).json()) as { packages: Array<{ name: string; range: string }> };
    expect(list.packages.find((p) => p.name === 'spk-fixture-leaf')?.range).toBe('1.0.0');
  });

  it('answers 404 PACKAGE_NOT_FOUND naming the close name to a typo', async () => {
    const typo = await api('/packages', { method: 'POST', body: JSON.stringify({ name: 'spk-fixture-lef' }) });
    expect(typo.status).toBe(404);
    const refused = (await typo.json()) as { message: string; data: { code: string; suggestions: string[] } };
    expect(refused.data).toMatchObject({ code: 'PACKAGE_NOT_FOUND', suggestions: ['spk-fixture-leaf'] });
    expect(refused.message).toContain('(did you mean "spk-fixture-leaf"?)');
  });

  it.each([
    ['a git spec', { name: 'left-pad', range: 'github:a/b' }, 'range', /git spec/],
    ['a file spec', { name: 'left-pad', range: 'file:../x' }, 'range', /only registry specs/],
    ['an alias spec', { name: 'left-pad', range: 'npm:evil@1' }, 'range', /alias/],
    ['an invalid name', { name: 'Bad Name!', range: '1' }, 'name', /not a valid npm package name/],
    ['a tarball URL as the name', { name: 'https://example.com/x.tgz' }, 'name', /^"https:\/\/example.com\/x.tgz" is a tarball URL spec, not a package name; only registry specs/],
    ['a git URL as the name', { name: 'git+ssh://git@github.com/a/b.git' }, 'name', /is a git spec \(GitHub\), not a package name; only registry specs/],
    ['a directory as the name', { name: './local-dir' }, 'name', /is a local directory \(file:\) spec, not a package name/],
    ['a wrong type', { name: 'left-pad', enabled: 'yes' }, 'enabled', /boolean/],
    ['an unknown field', { name: 'left-pad', sneaky: true }, '(input)', /sneaky/],
    ['an oversize name', { name: 'a'.repeat(300) }, 'name', /214/],
  ])('refuses %s with a 400 naming the field, and writes nothing', async (_label, body, field, message) => {
    const before = await listNames();
    const res = await api('/packages', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    const error = (await res.json()) as { data: { code: string; issues: Array<{ path: string; message: string }> } };
    expect(error.data.code).toBe('INVALID_INPUT');
    const issue = error.data.issues.find((i) => i.path === field);
    expect(issue?.message).toMatch(message);
    expect(await listNames()).toEqual(before);
  });

  it('refuses a body over the size limit and writes nothing', async () => {
    const before = await listNames();
    const res = await api('/packages', { method: 'POST', body: JSON.stringify({ name: 'big', range: 'x'.repeat(3 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
    expect(await listNames()).toEqual(before);
  });

  it('never returns or logs the registry token', async () => {
    const secret = 'npm_SECRETTOKEN_0123456789';
    const set = await api('/registry', { method: 'PUT', body: JSON.stringify({ url: 'http://127.0.0.1:9/', token: secret }) });
    expect(set.status).toBe(200);
    const body = await (await api('/registry')).text();
    expect(JSON.parse(body)).toMatchObject({ url: 'http://127.0.0.1:9/', hasToken: true });
    expect(body).not.toContain(secret);
    expect(server.output()).not.toContain(secret);
  });
});

describe('admin token', () => {
  it('is generated on first start with mode 0600, printed once, and reused', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-token-'));
    try {
      const first = await spawnServer({ dataDir, env: { SPK_ADMIN_TOKEN: '' } });
      await first.stop();
      const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
      expect(token.length).toBeGreaterThanOrEqual(16);
      expect((await stat(path.join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
      expect(first.output()).toContain(token);
      const second = await spawnServer({ dataDir, env: { SPK_ADMIN_TOKEN: '' } });
      const res = await fetch(`${second.url}/api/packages`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await second.stop()).toBe(0);
      expect(second.output()).not.toContain(token);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

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
    // Instances sharing a database share the key sealing its registry token.
    const env = { SPK_SECRET_KEY: randomBytes(32).toString('base64') };
    [a, b] = await Promise.all([
      spawnServer({ databaseUrl: dbUrl.toString(), token, env }),
      spawnServer({ databaseUrl: dbUrl.toString(), token, env }),
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

    // The other instance hears of the commit through LISTEN/NOTIFY (the 30 s poll is far too slow
    // for this wait) and converges too: both report the new hash.
    let hosts: Array<{ lockfileHash: string | null }> = [];
    for (let i = 0; i < 100; i++) {
      hosts = ((await (await call(a, 'GET', '/hosts')).json()) as { hosts: typeof hosts }).hosts;
      if (hosts.length === 2 && hosts.every((h) => h.lockfileHash === state.lockfileHash)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(hosts.map((h) => h.lockfileHash)).toEqual([state.lockfileHash, state.lockfileHash]);

    // Every manifest blob is served, verified, by either instance; bad and unknown digests are refused.
    const entry = (state.manifest as Array<{ integrity: string }>)[0]!;
    const hex = Buffer.from(entry.integrity.slice('sha512-'.length), 'base64').toString('hex');
    const res = await fetch(`${b.url}/blobs/${hex}`, { headers: { authorization: `Bearer ${b.token}` } });
    expect(res.status).toBe(200);
    expect(ssri.checkData(Buffer.from(await res.arrayBuffer()), entry.integrity)).toBeTruthy();
    expect((await fetch(`${b.url}/blobs/not-hex`, { headers: { authorization: `Bearer ${b.token}` } })).status).toBe(400);
    expect((await fetch(`${b.url}/blobs/${'0'.repeat(128)}`, { headers: { authorization: `Bearer ${b.token}` } })).status).toBe(404);

    // Once the winner is done the lock is free again: the other instance can install.
    expect((await call(loserServer, 'POST', '/install', {})).status).toBe(202);
  });
});
