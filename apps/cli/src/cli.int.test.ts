// The real `spk` bin as a child process against the real server (apps/server/bin/server.mjs,
// embedded PGlite, its own data dir): the exit codes and messages a shell script would see.
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase, testDrivers } from '@spk/backend/testing';
import { freePort, REPO_ROOT, spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';
import { runSpk } from './test-support/run-spk.ts';

const isFile = (file: string) => stat(file).then((s) => s.isFile(), () => false);

describe('spk before it talks to any server', () => {
  // Nothing listens here: each answer below comes from the CLI alone.
  const offline = async (...args: string[]) => runSpk(args, { env: { SPK_SERVER: `http://127.0.0.1:${await freePort()}`, SPK_TOKEN: 'x'.repeat(20) } });

  it('prints its version for --version', async () => {
    const version = await offline('--version');
    expect(version, version.stderr).toMatchObject({ code: EXIT.OK, stderr: '' });
    const { version: expected } = JSON.parse(await readFile(path.join(REPO_ROOT, 'apps/cli/package.json'), 'utf8')) as { version: string };
    expect(version.stdout).toBe(`spk ${expected}\n`);
  });

  it('gives a command its own help: usage, each option, the env var of each global option, and examples', async () => {
    const help = await offline('install', '--help');
    expect(help.code).toBe(EXIT.OK);
    expect(help.stdout).toMatch(/^spk install: /);
    expect(help.stdout).toMatch(/\n {2}--wait\b.*follow the install/);
    expect(help.stdout).toMatch(/\n {2}--server <url>\s+SPK_SERVER\s+/);
    expect(help.stdout).toMatch(/\n {2}--token <token>\s+SPK_TOKEN\s+/);
    expect(help.stdout).toMatch(/\n {2}--data-dir <dir>\s+SPK_DATA_DIR\s+.*default \.\/\.data/);
    expect(help.stdout).toMatch(/\nExamples:\n {2}spk install\n/);

    const run = await offline('help', 'run');
    expect(run.stdout).toContain("The script's default export (awaited, for a promise) is its result");
    expect(run.stdout).toMatch(/\n {2}--timeout <ms>\s+kill the script/);
  });

  it('suggests the command and the option a typo meant, exiting 2', async () => {
    const command = await offline('instal');
    expect(command.code).toBe(EXIT.INVALID);
    expect(command.stderr).toBe('spk: unknown command "instal"; did you mean "install"?\nRun `spk --help` for the commands and options.\n');

    const option = await offline('fsck', '--repiar');
    expect(option.code).toBe(EXIT.INVALID);
    expect(option.stderr).toBe(
      'spk: unknown option --repiar for "spk fsck"; did you mean --repair?\nUsage: spk fsck [--repair]\nRun `spk fsck --help` for its options and examples.\n',
    );
  });

  it('answers registry set --token with how to give the registry token on stdin, without echoing it or calling the server', async () => {
    const refused = await offline('registry', 'set', 'https://registry.example/', '--token', 'npm_secret_123');
    expect(refused.code).toBe(EXIT.INVALID);
    expect(refused.stderr).toContain('spk: "spk registry set" does not take --token: the registry token is read from stdin only');
    expect(refused.stderr).toContain('spk registry set <url> --token-stdin');
    expect(refused.stderr).not.toContain('npm_secret_123');
  });
});

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
    // Declarations are checked against the registry: the fixture one, never the internet.
    expect((await spk('registry', 'set', inject('registryUrl'))).code).toBe(EXIT.OK);
  });

  afterAll(async () => {
    await server?.stop();
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
  });

  it('adds a package and lists it back as JSON', async () => {
    const added = await spk('packages', 'add', 'spk-fixture-esm@^1.1');
    expect(added, added.stderr).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(added.stdout).toContain('added spk-fixture-esm@^1.1 (enabled)');

    const scoped = await spk('packages', 'add', '@types/spk-fixture-untyped@^1', '--disabled');
    expect(scoped.code, scoped.stderr).toBe(EXIT.OK);

    const listed = await spk('packages', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(EXIT.OK);
    const { packages } = JSON.parse(listed.stdout) as { packages: Array<{ name: string; range: string; enabled: boolean }> };
    expect(packages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'spk-fixture-esm', range: '^1.1', enabled: true }),
        expect.objectContaining({ name: '@types/spk-fixture-untyped', range: '^1', enabled: false }),
      ]),
    );
  });

  it('exits 1 with a clear conflict message on a duplicate add, in text and JSON', async () => {
    expect((await spk('packages', 'add', 'spk-fixture-leaf@1.0.0')).code).toBe(EXIT.OK);

    const again = await spk('packages', 'add', 'spk-fixture-leaf@2.0.0');
    expect(again.code).toBe(EXIT.FAILURE);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^spk: .*spk-fixture-leaf.* \[ALREADY_EXISTS\]\n$/);

    const asJson = await spk('packages', 'add', 'spk-fixture-leaf@2.0.0', '--json');
    expect(asJson.code).toBe(EXIT.FAILURE);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'ALREADY_EXISTS', status: 409 } });
  });

  it('refuses a git spec with exit 2 and the reason, without touching the server', async () => {
    const refused = await spk('packages', 'add', 'evil@git+https://github.com/evil/evil.git');
    expect(refused.code).toBe(EXIT.INVALID);
    expect(refused.stderr).toMatch(/is a git spec \(GitHub\); only registry specs are allowed/);

    // Pointed at a port where nothing listens, a request would have exited 3, not 2.
    const offline = await runSpk(['packages', 'add', 'evil@github:evil/evil'], {
      env: { SPK_SERVER: `http://127.0.0.1:${await freePort()}`, SPK_TOKEN: token },
    });
    expect(offline.code).toBe(EXIT.INVALID);

    const listed = JSON.parse((await spk('packages', 'list', '--json')).stdout) as { packages: Array<{ name: string }> };
    expect(listed.packages.map((p) => p.name)).not.toContain('evil');
  });

  it.each([
    ['https://example.com/x.tgz', 'a tarball URL spec'],
    ['git+ssh://git@github.com/a/b.git', 'a git spec (GitHub)'],
    ['./local-dir', 'a local directory (file:) spec'],
    ['file:../x', 'a local directory (file:) spec'],
  ])('refuses %s with exit 2, saying it is %s and that only registry specs are allowed', async (spec, kind) => {
    const refused = await spk('packages', 'add', spec);
    expect(refused.code).toBe(EXIT.INVALID);
    expect(refused.stderr).toBe(
      `spk: "${spec}" is ${kind}; only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first\n`,
    );
  });

  it('refuses a typo at declare time with exit 1, naming the close name the registry has', async () => {
    const typo = await spk('packages', 'add', 'spk-fixture-esn');
    expect(typo.code).toBe(EXIT.FAILURE);
    expect(typo.stderr).toBe(
      `spk: package "spk-fixture-esn" was not found in the registry ${inject('registryUrl')}/ (did you mean "spk-fixture-esm"?); check the name, or the registry settings (spk registry get) if it is a private package [PACKAGE_NOT_FOUND]\n`,
    );
  });

  it('refuses a range no version matches, listing the newest versions and the dist-tags', async () => {
    const refused = await spk('packages', 'add', 'spk-fixture-nested@^7');
    expect(refused.code).toBe(EXIT.FAILURE);
    expect(refused.stderr).toBe(
      `spk: no version of spk-fixture-nested matches "^7" in the registry ${inject('registryUrl')}/ (newest versions: 1.0.0; dist-tags: latest=1.0.0); declare a range one of them satisfies, e.g. spk-fixture-nested@^1.0.0 [NO_MATCHING_VERSION]\n`,
    );
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
    expect(viaFile.stdout).toContain('spk-fixture-esm');
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

  it('reads and changes the size caps in human sizes, keeping the caps not given', async () => {
    const before = await spk('caps', 'get', '--json');
    expect(before.code, before.stderr).toBe(EXIT.OK);
    const original = JSON.parse(before.stdout) as { maxPackageBytes: number };

    const set = await spk('caps', 'set', '--warn-total', '100MiB', '--block-total', '1.5GiB');
    expect(set.code, set.stderr).toBe(EXIT.OK);
    expect(set.stdout).toContain('size caps set\nwarn total:   100.0 MiB (104857600 bytes)\nblock total:  1.5 GiB (1610612736 bytes)\n');

    const after = await spk('caps', 'get', '--json');
    expect(JSON.parse(after.stdout)).toEqual({ warnTotalBytes: 100 * 1024 ** 2, blockTotalBytes: 1.5 * 1024 ** 3, maxPackageBytes: original.maxPackageBytes });
    expect((await spk('caps', 'get')).stdout).toMatch(/^warn total: {3}100\.0 MiB/);

    const inverted = await spk('caps', 'set', '--warn-total', '2GiB');
    expect(inverted.code).toBe(EXIT.INVALID);
    expect(inverted.stderr).toContain('--warn-total (2.0 GiB) is above the current block total (1.5 GiB)');
  });

  it('changes, disables and removes a package', async () => {
    expect((await spk('packages', 'add', '@spk-fixtures/scoped@1.0.0')).code).toBe(EXIT.OK);
    expect((await spk('packages', 'set', '@spk-fixtures/scoped@^1.0.0')).code).toBe(EXIT.OK);
    expect((await spk('packages', 'disable', '@spk-fixtures/scoped')).code).toBe(EXIT.OK);
    const listed = JSON.parse((await spk('packages', 'list', '--json')).stdout) as { packages: Array<{ name: string; range: string; enabled: boolean }> };
    expect(listed.packages.find((p) => p.name === '@spk-fixtures/scoped')).toMatchObject({ range: '^1.0.0', enabled: false });

    expect((await spk('packages', 'remove', '@spk-fixtures/scoped')).code).toBe(EXIT.OK);
    const gone = await spk('packages', 'remove', '@spk-fixtures/scoped');
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

  it('install --wait follows the install to its commit and this host to the new tree, and says both', async () => {
    expect((await spk('packages', 'add', 'spk-fixture-cjs@^1')).code).toBe(EXIT.OK);

    const installed = await spk('install', '--wait');
    expect(installed.code, installed.stderr).toBe(EXIT.OK);
    // spk-fixture-cjs depends on spk-fixture-leaf: two packages in the set.
    const match = /^committed ([a-f0-9]{64}) \(2 packages, [\d.]+ (B|KiB)\)\nhost \S+ runs \1 \(converged in [\d.]+ s\)\n$/.exec(installed.stdout);
    expect(match, installed.stdout).not.toBeNull();

    const status = JSON.parse((await spk('status', '--json')).stdout) as { install: { status: string; lockfileHash: string } };
    expect(status.install).toMatchObject({ status: 'idle', lockfileHash: match![1] });
  });

  it('packages list shows the resolved version of each package and that this host runs it; status says so in words', async () => {
    const { install } = JSON.parse((await spk('status', '--json')).stdout) as { install: { lockfileHash: string } };
    expect((await spk('packages', 'add', 'spk-fixture-leaf@^1', '--disabled')).code).toBe(EXIT.OK);
    type Listed = { packages: Array<{ name: string; resolvedVersion: string | null; installed: boolean }>; host: { hostId: string; lockfileHash: string | null } };
    let listed = JSON.parse((await spk('packages', 'list', '--json')).stdout) as Listed;
    // The host converges in the background right after the commit.
    for (let i = 0; i < 100 && listed.host.lockfileHash !== install.lockfileHash; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = JSON.parse((await spk('packages', 'list', '--json')).stdout) as Listed;
    }
    expect(listed.packages.find((p) => p.name === 'spk-fixture-cjs')).toEqual(expect.objectContaining({ resolvedVersion: expect.stringMatching(/^1\./), installed: true }));
    // Declared after the install, but in the tree as a dependency: its top-level version shows.
    expect(listed.packages.find((p) => p.name === 'spk-fixture-leaf')).toEqual(expect.objectContaining({ resolvedVersion: expect.any(String), installed: true }));

    const text = await spk('packages', 'list');
    expect(text.code, text.stderr).toBe(EXIT.OK);
    expect(text.stdout).toMatch(/^NAME\s+RANGE\s+ENABLED\s+RESOLVED\s+INSTALLED\s+UPDATED\n/);
    expect(text.stdout).toMatch(/\nspk-fixture-cjs\s+\^1\s+yes\s+1\.\S+\s+yes\s/);
    expect(text.stdout).toContain(`host ${listed.host.hostId} runs the desired tree ${install.lockfileHash.slice(0, 12)}`);

    const status = await spk('status');
    expect(status.code, status.stderr).toBe(EXIT.OK);
    expect(status.stdout.split('\n')[0]).toBe(`converged:   yes: the only host, ${listed.host.hostId}, runs ${install.lockfileHash.slice(0, 12)}`);
    expect((await spk('packages', 'remove', 'spk-fixture-leaf')).code).toBe(EXIT.OK);
  });

  it('install --wait exits 1 with the failure when the set cannot be resolved', async () => {
    // Declared while the registry cannot be asked: accepted, with a warning that says so.
    const down = `http://127.0.0.1:${await freePort()}/`;
    expect((await spk('registry', 'set', down)).code).toBe(EXIT.OK);
    const unchecked = await spk('packages', 'add', 'spk-fixture-does-not-exist@^1');
    expect(unchecked.code, unchecked.stderr).toBe(EXIT.OK);
    expect(unchecked.stderr).toBe(
      `warning: spk-fixture-does-not-exist@^1 was declared without checking the registry ${down}: it could not be reached (ECONNREFUSED); the install will fail if the name or range is wrong\n`,
    );
    expect(unchecked.stdout).toBe('added spk-fixture-does-not-exist@^1 (enabled); run `spk install` to install it\n');
    expect((await spk('registry', 'set', inject('registryUrl'))).code).toBe(EXIT.OK);

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
    // install --wait returned once this host ran the new tree: the run finds it at once.
    const run = await spk('run', script, '--json');
    expect(run.code, run.stderr).toBe(EXIT.OK);
    const result = JSON.parse(run.stdout) as { ok: boolean; result: unknown; stdout: string };
    expect(result.ok).toBe(true);
    expect(result.result).toEqual({ greeting: 'hello ops from spk-fixture-esm@1.1.0', sum: 5 });
    expect(result.stdout).toBe('side output\n');
  });

  it('prints only the output of a script without a default export, and labels a result when there is one', async () => {
    const quiet = path.join(scriptDir, 'quiet.mjs');
    await writeFile(quiet, "import { hello } from 'spk-fixture-esm';\nconsole.log(hello('ops'));\n");
    let run = await spk('run', quiet);
    for (let i = 0; i < 50 && run.code !== EXIT.OK && run.stderr.includes('NOT_CONVERGED'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await spk('run', quiet);
    }
    expect(run.code, run.stderr).toBe(EXIT.OK);
    expect(run.stdout).toBe('hello ops from spk-fixture-esm@1.1.0\n');

    const asJson = JSON.parse((await spk('run', quiet, '--json')).stdout) as { hasResult: boolean; result: unknown };
    expect(asJson).toMatchObject({ hasResult: false, result: null });

    const explicitNull = path.join(scriptDir, 'null.mjs');
    await writeFile(explicitNull, 'export default null;\n');
    expect((await spk('run', explicitNull)).stdout).toBe('result: null\n');
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
