// Registries end to end, as an operator meets them: two private Verdaccios each serving one scope to
// one user, the fixture registry as the uplink-free default, an .npmrc imported through the CLI and
// the API into a real server process, installs that a script then imports. Then the refusals (a wrong
// token, a registry answering 401/403/500 or echoing the credentials), key rotation, a restart on
// the rotated key file, and a grep of everything the test captured for every secret in every form.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InstallState, RegistryConfig, RotateKeyResult } from '@spk/common';
import { openDatabase } from '@spk/backend';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { base64KeyForms, createCapture, describeLeaks, findSecrets, spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';
import { createCapturedSession } from './test-support/captured-session.ts';
import { nerfDart as nerf, startRegistriesWorld, type RegistriesWorld } from './test-support/registries-world.ts';

// PostgreSQL when the run has one (the row is then read while the server runs), else PGlite (read
// between stop and restart): one driver, since each pass is a dozen installs.
const driver = testDrivers().includes('postgres') ? 'postgres' : 'pglite';
const mask = (secret: string) => `set, ends in …${secret.slice(-4)}`;

describe(`registries end to end (${driver})`, () => {
  const capture = createCapture();
  const servers: SpawnedServer[] = [];
  let world: RegistriesWorld;
  let server: SpawnedServer;
  let serverEnv: Record<string, string>;
  let dataDir: string;
  let workDir: string;
  let dbUrl: URL | undefined;
  const session = createCapturedSession(capture, () => server);
  const { api, spk } = session;

  async function writeNpmrc(name: string, text: string): Promise<string> {
    const file = path.join(workDir, name);
    await writeFile(file, text);
    await chmod(file, 0o600);
    return file;
  }

  async function startServer(): Promise<void> {
    server = await spawnServer({ dataDir, databaseUrl: dbUrl?.toString(), env: serverEnv });
    servers.push(server);
  }

  /** Declares through the API and expects the registry check to pass. */
  async function declare(name: string): Promise<void> {
    const added = await api('POST', '/packages', { name });
    expect(added.status, `declare ${name}: ${added.text}`).toBe(201);
  }

  /** A script run on the server that requires each name and answers with the `id`s it exported. */
  async function importAll(names: readonly string[]): Promise<{ lockfileHash: string; result: unknown }> {
    const source = `module.exports = ${JSON.stringify(names)}.map((name) => require(name).id);\n`;
    const run = await api('POST', '/runs', { filename: 'imports.cjs', source, waitForConvergenceMs: 60_000 });
    expect(run.status, run.text).toBe(200);
    expect(run.body, run.text).toMatchObject({ ok: true });
    return run.body as { lockfileHash: string; result: unknown };
  }

  async function coreHostHash(): Promise<string | null> {
    const { body } = await api('GET', '/hosts');
    const core = (body as { hosts: Array<{ kind: string; lockfileHash: string | null }> }).hosts.filter((h) => h.kind === 'core');
    expect(core).toHaveLength(1);
    return core[0]!.lockfileHash;
  }

  /** The registry_config row, as a database dump would show it. */
  async function readRegistryRow(): Promise<Record<string, unknown>> {
    const database = await openDatabase(dbUrl ? { url: dbUrl.toString(), maxConnections: 1 } : { dataDir });
    try {
      const dbSession = await database.openSession();
      try {
        const rows = await dbSession.query('select * from registry_config');
        expect(rows).toHaveLength(1);
        return rows[0]!;
      } finally {
        await dbSession.release();
      }
    } finally {
      await database.close();
    }
  }

  /** The server's key as the grep must look for it (the file may hold base64 text or the 32 bytes). */
  async function keyFileSecret(label: string): Promise<string> {
    const bytes = await readFile(path.join(dataDir, 'secret-key'));
    const key = bytes.length === 32 ? bytes.toString('base64') : bytes.toString('utf8').trim();
    world.secrets.push({ label, forms: base64KeyForms(key) });
    return key;
  }

  beforeAll(async () => {
    world = await startRegistriesWorld(inject('registryUrl'));
    workDir = await mkdtemp(path.join(tmpdir(), 'spk-registries-e2e-'));
    dataDir = path.join(workDir, 'data');
    dbUrl = driver === 'postgres' ? await createFreshPostgresDatabase() : undefined;
    // Debug logs: the grep at the end must also cover what the server says at its most verbose.
    serverEnv = { LOG_LEVEL: 'debug', CORP_TOKEN: world.corp.token };
    await startServer();
    await keyFileSecret('secret key (generated on first start)');
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await world?.stop();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('imports the .npmrc through the CLI and the API, ${ENV} from the server, unknown keys as warnings', async () => {
    const file = await writeNpmrc('team.npmrc', world.npmrc(world.team.token));
    const imported = await spk(['registry', 'import-npmrc', file]);
    expect(imported.code, imported.stderr).toBe(EXIT.OK);
    expect(imported.stdout + imported.stderr).toContain('spk-no-such-setting');
    expect(imported.stdout + imported.stderr).toContain('save-exact');

    const again = await api('POST', '/registry/npmrc', { npmrc: world.npmrc(world.team.token) });
    expect(again.status, again.text).toBe(200);
    const { config, warnings } = again.body as { config: RegistryConfig; warnings: string[] };
    expect(warnings.some((w) => w.includes('spk-no-such-setting'))).toBe(true);
    expect(warnings.some((w) => w.includes('save-exact'))).toBe(true);
    // Everything else was imported: the two unknown keys are the only ones left over.
    expect(warnings, warnings.join('\n')).toHaveLength(2);
    expect(config.registry).toMatch(new RegExp(`^${inject('registryUrl')}/?$`));
    expect(config.scopes['@spk-corp']).toMatch(new RegExp(`^${world.corpRegistry.url}/?$`));
    expect(config.scopes['@spk-team']).toMatch(new RegExp(`^${world.teamRegistry.url}/?$`));
  });

  it('installs from both private scopes and the public registry; the host converges and a script imports all three', async () => {
    for (const spec of ['@spk-corp/lib', '@spk-team/lib', 'spk-fixture-leaf@^2']) {
      const added = await spk(['packages', 'add', spec]);
      expect(added.code, added.stderr).toBe(EXIT.OK);
    }
    const installed = await spk(['install', '--wait']);
    expect(installed.code, installed.stderr).toBe(EXIT.OK);
    const state = (await api('GET', '/install')).body as InstallState;
    expect(state).toMatchObject({ status: 'idle', error: null });

    const run = await importAll(['@spk-corp/lib', '@spk-team/lib', 'spk-fixture-leaf']);
    expect(run.result).toEqual(['@spk-corp/lib@1.0.0', '@spk-team/lib@1.0.0', 'spk-fixture-leaf@2.0.0']);
    expect(run.lockfileHash).toBe(state.lockfileHash);
    expect(await coreHostHash()).toBe(state.lockfileHash);
  }, 180_000);

  it('the registry client reads each private scope with its own token', async () => {
    const versions = await api('GET', '/registry/versions/@spk-corp/lib');
    expect(versions.status, versions.text).toBe(200);
    expect(versions.body).toMatchObject({ name: '@spk-corp/lib', versions: [expect.objectContaining({ version: '1.0.0' })] });
    expect(versions.body.registry).toContain(`127.0.0.1:${world.corpRegistry.port}`);
    const info = await api('GET', `/registry/package?spec=${encodeURIComponent('@spk-team/lib@^1')}`);
    expect(info.status, info.text).toBe(200);
    expect(info.body).toMatchObject({ name: '@spk-team/lib', version: '1.0.0' });
    expect(info.body.registry).toContain(`127.0.0.1:${world.teamRegistry.port}`);
  });

  it('shows every secret as "set, ends in …" in registry.get, spk registry get and its --json', async () => {
    const corpToken = world.corp.token;
    const teamToken = world.team.token;
    const expected = {
      [nerf(world.corpRegistry.url)]: expect.objectContaining({ token: mask(corpToken) }),
      [nerf(world.teamRegistry.url)]: expect.objectContaining({ token: mask(teamToken) }),
      [nerf(world.gated.registryUrl('bearer'))]: expect.objectContaining({ token: mask(world.gateToken) }),
      [nerf(world.gated.registryUrl('auth'))]: expect.objectContaining({ auth: expect.stringMatching(/^set, ends in …/) }),
      [nerf(world.gated.registryUrl('basic'))]: expect.objectContaining({ username: world.gateBasicUser.name, password: mask(world.gateBasicUser.password) }),
    };
    const viaApi = await api('GET', '/registry');
    expect(viaApi.status).toBe(200);
    expect((viaApi.body as RegistryConfig).auth).toEqual(expect.objectContaining(expected));

    const json = await spk(['registry', 'get', '--json']);
    expect(json.code, json.stderr).toBe(EXIT.OK);
    expect((JSON.parse(json.stdout) as RegistryConfig).auth).toEqual(expect.objectContaining(expected));

    const text = await spk(['registry', 'get']);
    expect(text.code, text.stderr).toBe(EXIT.OK);
    for (const secret of [corpToken, teamToken, world.gateToken, world.gateBasicUser.password]) expect(text.stdout).toContain(mask(secret));
    expect(text.stdout).toContain(`@spk-corp`);
  });

  it.runIf(driver === 'postgres')('keeps no secret readable in the registry_config row (read while the server runs)', async () => {
    const row = await readRegistryRow();
    expect(row.settings).not.toBeNull();
    expect(row.token ?? null).toBeNull();
    const leaks = findSecrets([{ source: 'registry_config row', text: JSON.stringify(row) }], world.secrets);
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });

  it("fails the install with a wrong token for B, naming B's registry and no token; the host keeps its tree", async () => {
    await declare('@spk-team/extra');
    const before = await coreHostHash();
    const wrong = await writeNpmrc('wrong.npmrc', world.npmrc(world.wrongTeamToken));
    expect((await spk(['registry', 'import-npmrc', wrong])).code).toBe(EXIT.OK);

    const installed = await spk(['install', '--wait']);
    expect(installed.code).not.toBe(EXIT.OK);
    expect(installed.stderr).toContain(`127.0.0.1:${world.teamRegistry.port}`);
    const state = (await api('GET', '/install')).body as InstallState;
    expect(state.status).toBe('failed');
    expect(state.error?.code).toBe('REGISTRY_AUTH_FAILED');
    expect(state.error?.message).toContain(`127.0.0.1:${world.teamRegistry.port}`);
    for (const token of [world.wrongTeamToken, world.team.token, world.corp.token]) {
      expect(state.error?.message).not.toContain(token);
      expect(installed.stderr).not.toContain(token);
    }
    expect(await coreHostHash()).toBe(before);

    // The right token again: the package that could not be fetched installs.
    expect((await api('POST', '/registry/npmrc', { npmrc: world.npmrc(world.team.token) })).status).toBe(200);
    expect(await session.install()).toMatchObject({ status: 'idle', error: null });
    expect((await importAll(['@spk-team/extra'])).result).toEqual(['@spk-team/extra@1.0.0']);
  }, 180_000);

  it('sends _authToken, _auth and username/_password to their registries', async () => {
    const names = ['@spk-gate-bearer/ok', '@spk-gate-auth/ok', '@spk-gate-basic/ok'];
    for (const name of names) await declare(name);
    expect(await session.install()).toMatchObject({ status: 'idle', error: null });
    expect((await importAll(names)).result).toEqual(names.map((name) => `${name}@1.0.0`));
    const refused = world.gated.seen.filter((request) => !request.authorized);
    expect(refused, JSON.stringify(refused)).toEqual([]);
    // Out of the set again, so each failure below comes from the one gate it is about.
    for (const name of names) expect((await api('DELETE', `/packages/${name}`)).status).toBe(200);
  }, 180_000);

  describe.each([
    [401, 'bearer', 'REGISTRY_AUTH_FAILED'],
    [403, 'auth', 'REGISTRY_AUTH_FAILED'],
    [500, 'basic', null],
    ['echo', 'bearer', null],
    ['echo', 'auth', null],
  ] as const)('a registry answering %s (gate %s)', (mode, gate, code) => {
    const name = `@spk-gate-${gate}/m${mode}`;

    it('fails the install naming the registry, never the credentials', async () => {
      world.gated.setMode('ok');
      await declare(name);
      world.gated.setMode(mode);
      const seenBefore = world.gated.seen.length;
      try {
        const state = await session.install();
        expect(state.status).toBe('failed');
        if (code) expect(state.error?.code).toBe(code);
        expect(state.error?.message).toContain(world.gated.registryUrl(gate));
        // The failure came from this gate's answer (in "echo" mode: one carrying the credentials).
        expect(world.gated.seen.slice(seenBefore).some((request) => request.gate === gate)).toBe(true);
        // Asked while the registry still fails, for a name the client has not cached: its errors
        // are captured for the grep too.
        const versions = await api('GET', `/registry/versions/${name}-client`);
        expect(versions.status).toBeGreaterThanOrEqual(400);
        if (mode === 401 || mode === 403) expect(versions.body?.message).toMatch(/the token for .*127\.0\.0\.1:\d+.* is missing or wrong/);
        // Declaring while it fails: refused, or accepted with a warning when the registry counts as
        // unreachable. Either answer goes into the grep.
        await api('POST', '/packages', { name: `${name}-late` });
        await api('GET', '/hosts');
      } finally {
        world.gated.setMode('ok');
        for (const declared of [name, `${name}-late`]) await api('DELETE', `/packages/${declared}`);
      }
    }, 240_000);
  });

  it('rotate-key re-encrypts with a key from stdin; a new install still works', async () => {
    const before = (await api('GET', '/registry')).body as RegistryConfig;
    const newKey = randomBytes(32).toString('base64');
    world.secrets.push({ label: 'secret key (rotated)', forms: base64KeyForms(newKey) });

    const rotated = await spk(['registry', 'rotate-key', '--json'], `${newKey}\n`);
    expect(rotated.code, rotated.stderr).toBe(EXIT.OK);
    const result = JSON.parse(rotated.stdout) as RotateKeyResult;
    expect(result).toMatchObject({ source: 'file', keyId: expect.any(String) });
    expect(result.reencrypted).toBeGreaterThan(0);
    const after = (await api('GET', '/registry')).body as RegistryConfig;
    expect(after.secretKeyId).toBe(result.keyId);
    expect(after.secretKeyId).not.toBe(before.secretKeyId);
    // File-based key: the data dir's key file now holds the new key, for the next start.
    expect(await keyFileSecret('secret key file after rotation')).toBe(newKey);

    await declare('@spk-corp/rotated');
    const installed = await spk(['install', '--wait']);
    expect(installed.code, installed.stderr).toBe(EXIT.OK);
    expect((await importAll(['@spk-corp/rotated', '@spk-team/extra'])).result).toEqual(['@spk-corp/rotated@1.0.0', '@spk-team/extra@1.0.0']);
  }, 180_000);

  it('restarts on the rotated key file and still installs from both private registries', async () => {
    await server.stop();
    const row = await readRegistryRow();
    expect(row.settings).not.toBeNull();
    expect(row.token ?? null).toBeNull();
    const leaks = findSecrets([{ source: 'registry_config row after rotation', text: JSON.stringify(row) }], world.secrets);
    expect(leaks, describeLeaks(leaks)).toEqual([]);

    await startServer();
    const config = (await api('GET', '/registry')).body as RegistryConfig;
    expect(config.auth[nerf(world.teamRegistry.url)]?.token).toBe(mask(world.team.token));
    await declare('@spk-team/restarted');
    expect(await session.install()).toMatchObject({ status: 'idle', error: null });
    const names = ['@spk-corp/lib', '@spk-corp/rotated', '@spk-team/lib', '@spk-team/restarted', 'spk-fixture-leaf'];
    expect((await importAll(names)).result).toEqual(['@spk-corp/lib@1.0.0', '@spk-corp/rotated@1.0.0', '@spk-team/lib@1.0.0', '@spk-team/restarted@1.0.0', 'spk-fixture-leaf@2.0.0']);
    await api('GET', '/hosts');
  }, 180_000);

  it('no secret appears in anything captured: responses, CLI output, install states, host status, server logs at debug', () => {
    for (const [i, spawned] of servers.entries()) capture.add(`server process ${i + 1} stdout+stderr`, spawned.output());
    const serverLogs = servers.map((s) => s.output()).join('\n');
    // The grep proves something only if it saw what it claims to: the server's logs, masks, install errors.
    expect(serverLogs).toContain('"level":30');
    const all = capture.entries.map((e) => e.text).join('\n');
    expect(all).toContain('set, ends in …');
    expect(all).toContain(`127.0.0.1:${world.teamRegistry.port}`);
    expect(capture.entries.length).toBeGreaterThan(50);

    const leaks = findSecrets(capture.entries, world.secrets);
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });
});
