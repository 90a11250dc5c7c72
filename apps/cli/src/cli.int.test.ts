// The real `spk` bin as a child process against the real server (apps/server/bin/server.mjs,
// embedded PGlite, its own data dir): the exit codes and messages a shell script would see.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { freePort, REPO_ROOT, spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';

const SPK_BIN = path.join(REPO_ROOT, 'apps/cli/bin/spk.mjs');
const isFile = (file: string) => stat(file).then((s) => s.isFile(), () => false);

interface SpkResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The caller's environment minus anything that would point spk elsewhere. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['SPK_SERVER', 'SPK_TOKEN', 'SPK_DATA_DIR', 'HOST', 'PORT']) delete env[name];
  return { ...env, ...extra };
}

function runSpk(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<SpkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SPK_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cleanEnv(options.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('spk against a real server', () => {
  let server: SpawnedServer;
  let token: string;
  let url: string;
  let scratchDir: string;
  /** Talks to the test server with the right token from the environment, like an operator would. */
  const spk = (...args: string[]) => runSpk(args, { env: { SPK_SERVER: url, SPK_TOKEN: token } });

  beforeAll(async () => {
    server = await spawnServer();
    ({ token, url } = server);
    scratchDir = await mkdtemp(path.join(tmpdir(), 'spk-cli-scratch-'));
  });

  afterAll(async () => {
    await server?.stop();
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
  });

  it('adds a package and lists it back as JSON', async () => {
    const added = await spk('packages', 'add', 'zod@^3.23');
    expect(added, added.stderr).toMatchObject({ code: EXIT.OK });
    expect(added.stdout).toContain('added zod@^3.23 (enabled)');

    const scoped = await spk('packages', 'add', '@types/node@^20', '--disabled');
    expect(scoped.code, scoped.stderr).toBe(EXIT.OK);

    const listed = await spk('packages', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(EXIT.OK);
    const { packages } = JSON.parse(listed.stdout) as { packages: Array<{ name: string; range: string; enabled: boolean }> };
    expect(packages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'zod', range: '^3.23', enabled: true }),
        expect.objectContaining({ name: '@types/node', range: '^20', enabled: false }),
      ]),
    );
  });

  it('exits 1 with a clear conflict message on a duplicate add, in text and JSON', async () => {
    expect((await spk('packages', 'add', 'dup-pkg@1.0.0')).code).toBe(EXIT.OK);

    const again = await spk('packages', 'add', 'dup-pkg@2.0.0');
    expect(again.code).toBe(EXIT.FAILURE);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^spk: .*dup-pkg.* \[ALREADY_EXISTS\]\n$/);

    const asJson = await spk('packages', 'add', 'dup-pkg@2.0.0', '--json');
    expect(asJson.code).toBe(EXIT.FAILURE);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'ALREADY_EXISTS', status: 409 } });
  });

  it('refuses a git spec with exit 2 and the reason, without touching the server', async () => {
    const refused = await spk('packages', 'add', 'evil@git+https://github.com/evil/evil.git');
    expect(refused.code).toBe(EXIT.INVALID);
    expect(refused.stderr).toMatch(/is a git spec; only registry specs are allowed/);

    // Pointed at a port where nothing listens, a request would have exited 3, not 2.
    const offline = await runSpk(['packages', 'add', 'evil@github:evil/evil'], {
      env: { SPK_SERVER: `http://127.0.0.1:${await freePort()}`, SPK_TOKEN: token },
    });
    expect(offline.code).toBe(EXIT.INVALID);

    const listed = JSON.parse((await spk('packages', 'list', '--json')).stdout) as { packages: Array<{ name: string }> };
    expect(listed.packages.map((p) => p.name)).not.toContain('evil');
  });

  it('exits 2 listing each issue when the server refuses the input', async () => {
    const refused = await spk('registry', 'set', 'ftp://registry.example/');
    expect(refused.code).toBe(EXIT.INVALID);
    expect(refused.stderr).toMatch(/\n {2}url: /);
  });

  it('exits 4 on a wrong token, saying where it came from without printing it', async () => {
    const wrong = `wrong_${randomBytes(12).toString('hex')}`;
    const viaFlag = await runSpk(['packages', 'list', '--token', wrong], { env: { SPK_SERVER: url } });
    expect(viaFlag.code).toBe(EXIT.AUTH);
    expect(viaFlag.stderr).toContain('--token');
    expect(viaFlag.stderr + viaFlag.stdout).not.toContain(wrong);

    const viaEnv = await runSpk(['status', '--json'], { env: { SPK_SERVER: url, SPK_TOKEN: wrong } });
    expect(viaEnv.code).toBe(EXIT.AUTH);
    const { error } = JSON.parse(viaEnv.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('SPK_TOKEN');
    expect(viaEnv.stderr).not.toContain(wrong);
  });

  it('exits 4 naming the token file it looked for when there is no token at all', async () => {
    const missing = await runSpk(['packages', 'list', '--data-dir', scratchDir], { env: { SPK_SERVER: url } });
    expect(missing.code).toBe(EXIT.AUTH);
    expect(missing.stderr).toContain(path.join(scratchDir, 'admin-token'));
  });

  it('reads the token from <data dir>/admin-token when no flag or env gives one', async () => {
    const tokenDir = await mkdtemp(path.join(scratchDir, 'data-'));
    await writeFile(path.join(tokenDir, 'admin-token'), `${token}\n`, { mode: 0o600 });
    const viaFile = await runSpk(['packages', 'list'], { env: { SPK_SERVER: url, SPK_DATA_DIR: tokenDir } });
    expect(viaFile.code, viaFile.stderr).toBe(EXIT.OK);
    expect(viaFile.stdout).toContain('zod');
  });

  it('exits 3 when the server is down, naming the URL and how to start one', async () => {
    const downUrl = `http://127.0.0.1:${await freePort()}`;
    const down = await runSpk(['status'], { env: { SPK_SERVER: downUrl, SPK_TOKEN: token } });
    expect(down.code).toBe(EXIT.UNREACHABLE);
    expect(down.stderr).toContain(downUrl);
    expect(down.stderr).toContain('npm start');
  });

  it('prints parseable JSON for --json on read commands', async () => {
    const status = await spk('status', '--json');
    expect(status.code, status.stderr).toBe(EXIT.OK);
    const parsed = JSON.parse(status.stdout) as { install: { status: string; manifest: unknown[] }; hosts: unknown[] };
    expect(['idle', 'installing', 'failed']).toContain(parsed.install.status);
    expect(Array.isArray(parsed.install.manifest)).toBe(true);
    expect(Array.isArray(parsed.hosts)).toBe(true);

    const registry = await spk('registry', 'get', '--json');
    expect(registry.code, registry.stderr).toBe(EXIT.OK);
    expect(JSON.parse(registry.stdout)).toEqual(expect.objectContaining({ url: expect.any(String), hasToken: expect.any(Boolean) }));
  });

  it('changes, disables and removes a package', async () => {
    expect((await spk('packages', 'add', 'left-pad@1.0.0')).code).toBe(EXIT.OK);
    expect((await spk('packages', 'set', 'left-pad@^1.3.0')).code).toBe(EXIT.OK);
    expect((await spk('packages', 'disable', 'left-pad')).code).toBe(EXIT.OK);
    const listed = JSON.parse((await spk('packages', 'list', '--json')).stdout) as { packages: Array<{ name: string; range: string; enabled: boolean }> };
    expect(listed.packages.find((p) => p.name === 'left-pad')).toMatchObject({ range: '^1.3.0', enabled: false });

    expect((await spk('packages', 'remove', 'left-pad')).code).toBe(EXIT.OK);
    const gone = await spk('packages', 'remove', 'left-pad');
    expect(gone.code).toBe(EXIT.FAILURE);
    expect(gone.stderr).toContain('[NOT_FOUND]');
  });
});

describe('spk install against a real server and the fixture registry', () => {
  let server: SpawnedServer;
  const spk = (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: server.token } });

  beforeAll(async () => {
    server = await spawnServer();
    const registry = await spk('registry', 'set', inject('registryUrl'));
    expect(registry.code, registry.stderr).toBe(EXIT.OK);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('install --wait follows the install to the end and reports hash and package count', async () => {
    expect((await spk('packages', 'add', 'spk-fixture-cjs@^1')).code).toBe(EXIT.OK);

    const installed = await spk('install', '--wait');
    expect(installed.code, installed.stderr).toBe(EXIT.OK);
    // spk-fixture-cjs depends on spk-fixture-leaf: two packages in the set.
    const match = /^installed ([a-f0-9]{64}) \(2 packages, [\d.]+ (B|KiB)\)\n$/.exec(installed.stdout);
    expect(match, installed.stdout).not.toBeNull();

    const status = JSON.parse((await spk('status', '--json')).stdout) as { install: { status: string; lockfileHash: string } };
    expect(status.install).toMatchObject({ status: 'idle', lockfileHash: match![1] });
  });

  it('install --wait exits 1 with the failure when the set cannot be resolved', async () => {
    expect((await spk('packages', 'add', 'spk-fixture-does-not-exist@^1')).code).toBe(EXIT.OK);

    const failed = await spk('install', '--wait');
    expect(failed.code).toBe(EXIT.FAILURE);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/spk: install failed: .+ \[[A-Z_]+\]\n$/);

    const status = JSON.parse((await spk('status', '--json')).stdout) as { install: { status: string; error: { code: string } | null } };
    expect(status.install.status).toBe('failed');
    expect(failed.stderr).toContain(`[${status.install.error?.code}]`);
  });
});

describe.each(testDrivers())('spk end to end: add, install, run (%s)', (driver) => {
  let server: SpawnedServer;
  let dbUrl: URL | undefined;
  let scriptDir: string;
  const spk = (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: server.token } });

  beforeAll(async () => {
    dbUrl = driver === 'postgres' ? await createFreshPostgresDatabase() : undefined;
    server = await spawnServer({ databaseUrl: dbUrl?.toString() });
    scriptDir = await mkdtemp(path.join(tmpdir(), 'spk-cli-run-'));
    expect((await spk('registry', 'set', inject('registryUrl'))).code).toBe(EXIT.OK);
  });

  afterAll(async () => {
    await server?.stop();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
    if (scriptDir) await rm(scriptDir, { recursive: true, force: true });
  });

  it('prints the result of a script that imports the installed packages', async () => {
    expect((await spk('packages', 'add', 'spk-fixture-esm@^1.0.0')).code).toBe(EXIT.OK);
    expect((await spk('packages', 'add', 'spk-fixture-cjs')).code).toBe(EXIT.OK);
    const installed = await spk('install', '--wait');
    expect(installed.code, installed.stderr).toBe(EXIT.OK);

    const script = path.join(scriptDir, 'check.mjs');
    await writeFile(
      script,
      `import { hello } from 'spk-fixture-esm';\nimport cjs from 'spk-fixture-cjs';\nconsole.log('side output');\nexport default { greeting: hello('ops'), sum: cjs.add(2, 3) };\n`,
    );
    // The host converges in the background right after the commit; a run before that fails fast.
    let run = await spk('run', script, '--json');
    for (let i = 0; i < 50 && run.code !== EXIT.OK && run.stderr.includes('NOT_CONVERGED'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await spk('run', script, '--json');
    }
    expect(run.code, run.stderr).toBe(EXIT.OK);
    const result = JSON.parse(run.stdout) as { ok: boolean; result: unknown; stdout: string };
    expect(result.ok).toBe(true);
    expect(result.result).toEqual({ greeting: 'hello ops from spk-fixture-esm@1.1.0', sum: 5 });
    expect(result.stdout).toBe('side output\n');
  });

  it('fsck exits 1 naming a tampered tree file, and fsck --repair restores its bytes', async () => {
    const file = path.join(server.dataDir, 'current', 'node_modules', 'spk-fixture-esm', 'index.js');
    if (!(await isFile(file))) {
      // Run on its own (-t fsck): install here, then wait for the host to converge in the background.
      await spk('packages', 'add', 'spk-fixture-esm@^1.0.0');
      expect((await spk('install', '--wait')).code).toBe(EXIT.OK);
      for (let i = 0; i < 100 && !(await isFile(file)); i++) await new Promise((r) => setTimeout(r, 100));
    }
    const clean = await spk('fsck');
    expect(clean.code, clean.stderr).toBe(EXIT.OK);
    expect(clean.stdout).toContain('no damage found');

    // What a script running as the server's user could do without the run confinement.
    const original = await readFile(file, 'utf8');
    await chmod(file, 0o644);
    await appendFile(file, 'globalThis.tampered = true;\n');

    const found = await spk('fsck', '--json');
    expect(found.code).toBe(EXIT.FAILURE);
    const report = JSON.parse(found.stdout) as { damaged: Array<{ location: string; file: string; repaired: boolean }> };
    expect(report.damaged.map(({ location, file: where }) => `${location}:${where}`)).toEqual([
      'store:index.js',
      'tree:node_modules/spk-fixture-esm/index.js',
    ]);
    expect(JSON.parse(found.stderr)).toMatchObject({ error: { code: 'FSCK_DAMAGE' } });

    const repaired = await spk('fsck', '--repair');
    expect(repaired.code, repaired.stderr).toBe(EXIT.OK);
    expect(repaired.stdout).toContain('all 2 problems repaired');
    expect(await readFile(file, 'utf8')).toBe(original);
  });
});
