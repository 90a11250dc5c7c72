import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { spawnServer, type SpawnedServer } from '@spk/tools';

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

/** Every entry under dir with its mode, symlinks left out (chmod never applies to them). */
async function modesUnder(dir: string): Promise<Array<{ file: string; dir: boolean; mode: number }>> {
  const out: Array<{ file: string; dir: boolean; mode: number }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    out.push({ file: full, dir: entry.isDirectory(), mode: (await lstat(full)).mode & 0o777 });
    if (entry.isDirectory()) out.push(...(await modesUnder(full)));
  }
  return out;
}

async function openUp(dir: string): Promise<void> {
  for (const { file, dir: isDir } of await modesUnder(dir)) {
    // An open secret key is refused, not repaired: it may have been read (secret-key.int.test.ts).
    if (path.basename(file) === 'secret-key') continue;
    await chmod(file, isDir ? 0o777 : 0o666);
  }
  await chmod(dir, 0o777);
}

async function expectPrivate(dataDir: string, driver: string): Promise<void> {
  expect(await modeOf(dataDir)).toBe(0o700);
  expect(await modeOf(path.join(dataDir, 'admin-token'))).toBe(0o600);
  expect(await modeOf(path.join(dataDir, 'server.lock'))).toBe(0o600);
  const everything = await modesUnder(dataDir);
  // trees/ and cache/ are the reconciler's, sealed read-only; nothing is there before an install.
  expect(everything.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))).toEqual([]);
  if (driver === 'pglite') expect(everything.filter((e) => e.file.includes(`${path.sep}pglite${path.sep}pg_wal${path.sep}`)).length).toBeGreaterThan(0);
}

const deadPid = async () => {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
};

// One lifecycle per driver, in order: a new data dir made private, a second server refused, the
// first killed, the next start cleaning up after it and repairing modes, then a graceful stop.
describe.each(testDrivers())('a data dir across server lifetimes (%s)', (driver) => {
  let first: SpawnedServer;
  let next: SpawnedServer | undefined;
  let dbUrl: URL | undefined;
  let dataDir: string;
  let token: string;
  // The token is generated into <data dir>/admin-token, so its file's mode is checked too.
  const start = () => spawnServer({ dataDir, databaseUrl: dbUrl?.toString(), umask: 0o000, env: { SPK_ADMIN_TOKEN: '' } });
  const addPackage = (s: SpawnedServer, name: string) =>
    fetch(`${s.url}/api/packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-lifetimes-'));
    await chmod(dataDir, 0o777);
    dbUrl = driver === 'postgres' ? await createFreshPostgresDatabase() : undefined;
    first = await start();
    token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    // Declarations are checked against the registry: the fixture one, never the internet.
    const registry = await fetch(`${first.url}/api/registry`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: inject('registryUrl'), token: null }),
    });
    expect(registry.status).toBe(200);
  });
  afterAll(async () => {
    await first?.stop();
    await next?.stop();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a new data dir is private after start under umask 000', async () => {
    await expectPrivate(dataDir, driver);
  });

  it('a second server on the same data dir is refused, saying what to do, and the first keeps serving', async () => {
    const second = spawnServer({ dataDir, databaseUrl: dbUrl?.toString(), token });
    await expect(second).rejects.toThrow(/another server \(pid \d+.*is using the data dir.*Stop that server first.*DATABASE_URL/s);
    const lock = JSON.parse(await readFile(path.join(dataDir, 'server.lock'), 'utf8')) as { pid: number; host: string };
    expect(lock).toMatchObject({ pid: first.child.pid, host: hostname() });
    expect((await addPackage(first, 'spk-fixture-leaf')).status).toBe(201);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  });

  it('after kill -9 the next start takes over the stale lock, removes install scratch dirs and repairs open modes', async () => {
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect(JSON.parse(await readFile(path.join(dataDir, 'server.lock'), 'utf8'))).toMatchObject({ pid: first.child.pid });
    // What an install in flight leaves behind.
    await mkdir(path.join(dataDir, 'tmp', 'install-aB12cd', 'node_modules', 'x'), { recursive: true });
    await writeFile(path.join(dataDir, 'tmp', 'install-aB12cd', 'node_modules', 'x', 'index.js'), '');
    await mkdir(path.join(dataDir, 'tmp', 'install-Zz9yXw'));
    // What an older version (PGlite's files 0666, WAL included) or a careless operator left open.
    await openUp(dataDir);
    expect(await modeOf(path.join(dataDir, 'admin-token'))).toBe(0o666);

    next = await start();
    expect(await readdir(path.join(dataDir, 'tmp'))).toEqual([]);
    expect(JSON.parse(await readFile(path.join(dataDir, 'server.lock'), 'utf8'))).toMatchObject({ pid: next.child.pid });
    await expectPrivate(dataDir, driver);
    const list = await fetch(`${next.url}/api/packages`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await list.json()) as { packages: Array<{ name: string }> }).packages.map((p) => p.name)).toContain('spk-fixture-leaf');
  });

  it('the lock is released on shutdown', async () => {
    expect(await next!.stop()).toBe(0);
    await expect(stat(path.join(dataDir, 'server.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('a lock from another host', () => {
  let dataDir: string;
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('is refused, naming the file to delete, and left in place', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-foreign-'));
    const lockFile = path.join(dataDir, 'server.lock');
    const foreign = { pid: await deadPid(), host: `not-${hostname()}`, bootId: null, startedAt: '2026-01-01T00:00:00.000Z', token: 'x' };
    await writeFile(lockFile, JSON.stringify(foreign));
    await expect(spawnServer({ dataDir })).rejects.toThrow(new RegExp(`locked by a server on host "not-${hostname()}".*delete ${lockFile}`, 's'));
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toEqual(foreign);
  });
});
