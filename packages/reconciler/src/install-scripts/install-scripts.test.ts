import { execFile } from 'node:child_process';
import { access, chmod, lstat, readdir, readFile, readlink, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isSpkError } from '@spk/common';
import { dataLayout } from '../data-layout.ts';
import { prepareDataDir } from '../host-dir/private-data-dir.ts';
import { createReconciler, type ReconcilerOptions } from '../reconciler.ts';
import { resolveRunUser } from '../runs/run-user.ts';
import { blobSource, buildFixture, versioned, type Fixture, type FixturePackage } from '../test-support/fixtures.ts';
import { stopsRunning } from '../test-support/process-state.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';
import type { TreeLayout } from '../tree-plan.ts';

const tempDir = useTempDirs();
const SECRET = 'spk-test-secret-value-never-in-a-script';
const exec = promisify(execFile);

// What a script saw, written into its own package dir: when it ran and its whole environment.
const RECORDER = `const fs = require('node:fs');
const stage = process.argv[2];
fs.writeFileSync(stage + '.ran', JSON.stringify({ at: String(process.hrtime.bigint()), cwd: process.cwd(), uid: process.getuid(), env: process.env }));
`;

/** A package whose lifecycle scripts record what they saw; `shell` runs before the recorder in each stage. */
function scripted(
  name: string,
  options: { allowed?: boolean; dependencies?: Record<string, string>; scripts?: Record<string, string>; files?: Record<string, string> } = {},
): FixturePackage {
  const scripts = options.scripts ?? {
    preinstall: 'env > preinstall.env && node recorder.cjs preinstall',
    install: 'node recorder.cjs install',
    postinstall: 'node recorder.cjs postinstall',
  };
  return {
    name,
    version: '1.0.0',
    files: {
      'package.json': JSON.stringify({ name, version: '1.0.0', scripts }),
      'recorder.cjs': RECORDER,
      'index.js': `module.exports = ${JSON.stringify(name)};\n`,
      ...options.files,
    },
    ...(options.dependencies ? { dependencies: options.dependencies } : {}),
    ...(options.allowed === false ? {} : { scriptsAllowed: true as const }),
  };
}

interface Recorded {
  at: string;
  cwd: string;
  uid: number;
  env: Record<string, string>;
}

async function hostWith(options: { treeLayout?: TreeLayout; timeoutMs?: number; runAsUser?: string; fixtures: Fixture[]; dataDir?: string }) {
  const dataDir = options.dataDir ?? (await tempDir());
  const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const reconcilerOptions: ReconcilerOptions = {
    dataDir,
    fetchBlob: blobSource(...options.fixtures).fetchBlob,
    logger: { info: (message, fields) => logged.push({ message, ...(fields ? { fields } : {}) }), error: () => undefined },
    installScripts: { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.runAsUser ? { runAsUser: options.runAsUser } : {}) },
    ...(options.treeLayout ? { treeLayout: options.treeLayout } : {}),
  };
  const reconciler = createReconciler(reconcilerOptions);
  const layout = dataLayout(dataDir);
  const inTree = (fixture: Fixture, rel: string) => path.join(layout.treeDir(fixture.lockfileHash), rel);
  const recorded = async (fixture: Fixture, pkgPath: string, stage: string) => JSON.parse(await readFile(inTree(fixture, `${pkgPath}/${stage}.ran`), 'utf8')) as Recorded;
  const storeFile = (fixture: Fixture, name: string, file: string) => path.join(layout.extractedPath(fixture.manifest.find((entry) => entry.name === name)!.integrity), file);
  return { dataDir, reconciler, layout, logged, inTree, recorded, storeFile };
}

const exists = (file: string) => access(file).then(() => true, () => false);

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(isSpkError(error, 'INSTALL_SCRIPT_FAILED'), String(error)).toBe(true);
  return error as Error;
}

/** Nothing of a failed build is left in trees/: no tree, no temp dir, no private HOME. */
async function treesLeft(layout: ReturnType<typeof dataLayout>): Promise<string[]> {
  return (await readdir(layout.treesDir)).sort();
}

afterEach(() => void vi.unstubAllEnvs());

describe('allowed lifecycle scripts on a real disk', () => {
  it("run in npm's order, dependencies first, in the new tree, with nothing of the server's environment", async () => {
    vi.stubEnv('SPK_TEST_SECRET', SECRET);
    vi.stubEnv('NODE_OPTIONS', '--max-old-space-size=99');
    // Listed dependent first: the order comes from the dependency, not from the manifest.
    const fixture = await buildFixture([scripted('app', { dependencies: { lib: '^1.0.0' } }), scripted('lib')]);
    const host = await hostWith({ fixtures: [fixture] });
    await host.reconciler.reconcile(fixture);

    const at = async (pkg: string, stage: string) => BigInt((await host.recorded(fixture, `node_modules/${pkg}`, stage)).at);
    const times = [await at('lib', 'preinstall'), await at('lib', 'install'), await at('lib', 'postinstall'), await at('app', 'preinstall'), await at('app', 'install'), await at('app', 'postinstall')];
    expect([...times].sort((a, b) => (a < b ? -1 : 1))).toEqual(times);

    const seen = await host.recorded(fixture, 'node_modules/app', 'postinstall');
    const treeRoot = host.layout.treesDir;
    expect(seen.cwd.startsWith(treeRoot)).toBe(true);
    expect(seen.cwd.endsWith('/node_modules/app')).toBe(true);
    expect(seen.env).toMatchObject({ npm_lifecycle_event: 'postinstall', npm_package_name: 'app', npm_package_version: '1.0.0', npm_node_execpath: process.execPath });
    expect(seen.env.HOME).toBe(seen.env.TMPDIR);
    expect(seen.env.PATH!.split(':').slice(0, 2)).toEqual([`${seen.cwd}/node_modules/.bin`, `${path.dirname(path.dirname(seen.cwd))}/node_modules/.bin`]);
    expect(seen.env.NODE_OPTIONS).toContain(`--allow-fs-write="${seen.cwd}"`);
    expect(seen.env.NODE_OPTIONS).not.toContain('max-old-space-size');
    // Neither node nor the shell before it got anything of the server's environment.
    expect(JSON.stringify(seen.env)).not.toContain(SECRET);
    const shellEnv = await readFile(host.inTree(fixture, 'node_modules/app/preinstall.env'), 'utf8');
    expect(shellEnv).toContain('npm_lifecycle_event=preinstall');
    expect(shellEnv).not.toContain(SECRET);
    expect(shellEnv).not.toContain('SPK_TEST_SECRET');
    // The private HOME/TMPDIR is gone, and the built tree is current with its scripts' files.
    expect(await exists(seen.env.TMPDIR!)).toBe(false);
    expect(await host.reconciler.currentHash()).toBe(fixture.lockfileHash);
    expect(await treesLeft(host.layout)).toEqual([fixture.lockfileHash]);
    const runs = host.logged.filter((line) => line.message === 'install script ran').map((line) => `${String(line.fields!.package)} ${String(line.fields!.script)} ${String(line.fields!.exitCode)}`);
    expect(runs).toEqual(['lib@1.0.0 preinstall 0', 'lib@1.0.0 install 0', 'lib@1.0.0 postinstall 0', 'app@1.0.0 preinstall 0', 'app@1.0.0 install 0', 'app@1.0.0 postinstall 0']);
    expect(JSON.stringify(host.logged)).not.toContain(SECRET);
  });

  it('run nothing for a package whose scripts are not allowed, which stays linked to the store', async () => {
    const fixture = await buildFixture([scripted('quiet', { allowed: false })]);
    expect(fixture.manifest[0]!.hasInstallScript).toBe(true);
    const host = await hostWith({ fixtures: [fixture] });
    await host.reconciler.reconcile(fixture);
    const names = await readdir(host.inTree(fixture, 'node_modules/quiet'));
    expect(names.filter((name) => name.endsWith('.ran') || name.endsWith('.env'))).toEqual([]);
    expect((await stat(host.inTree(fixture, 'node_modules/quiet/index.js'))).ino).toBe((await stat(host.storeFile(fixture, 'quiet', 'index.js'))).ino);
    expect(host.logged.some((line) => line.message === 'install script ran')).toBe(false);
  });

  it("does not run npm's implicit node-gyp rebuild for a binding.gyp without install scripts, and logs that it skipped it", async () => {
    const fixture = await buildFixture([scripted('native', { scripts: { postinstall: 'node recorder.cjs postinstall' }, files: { 'binding.gyp': '{ "targets": [] }' } })]);
    const host = await hostWith({ fixtures: [fixture] });
    await host.reconciler.reconcile(fixture);
    expect(await exists(host.inTree(fixture, 'node_modules/native/postinstall.ran'))).toBe(true);
    const skipped = host.logged.find((line) => line.message.startsWith('install script skipped'));
    expect(skipped?.fields).toMatchObject({ package: 'native@1.0.0', script: 'install' });
    expect(skipped?.message).toContain('node-gyp rebuild');
  });

  it('a failing script fails the reconcile naming the package, script, exit code and last output; the old tree stays current and no new tree is left', async () => {
    const v1 = await buildFixture([versioned('1.0.0')]);
    const v2 = await buildFixture([
      versioned('1.0.0'),
      scripted('widget', { scripts: { preinstall: 'node recorder.cjs preinstall', postinstall: 'echo "building widget natively"; echo "compiler not found" >&2; exit 3' } }),
    ]);
    const host = await hostWith({ fixtures: [v1, v2] });
    await host.reconciler.reconcile(v1);

    const error = await failureOf(host.reconciler.reconcile(v2));
    expect(error.message).toContain('the postinstall script of widget@1.0.0 exited with code 3');
    expect(error.message).toContain('the previous tree stays current');
    expect(error.message).toContain('spk packages disallow-scripts widget');
    expect(error.message).toMatch(/building widget natively\ncompiler not found$/);
    expect(await host.reconciler.currentHash()).toBe(v1.lockfileHash);
    expect(await readlink(host.layout.currentLink)).toBe(`trees/${v1.lockfileHash}`);
    expect(await treesLeft(host.layout)).toEqual([v1.lockfileHash]);
  });

  it('a script that hangs is killed at the timeout with everything it started', async () => {
    const v2 = await buildFixture([scripted('hang', { scripts: { install: 'sleep 120 & echo "child $!"; node -e "setInterval(() => {}, 1000)"' } })]);
    const host = await hostWith({ fixtures: [v2], timeoutMs: 1500 });
    const started = performance.now();
    const error = await failureOf(host.reconciler.reconcile(v2));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error.message).toContain('the install script of hang@1.0.0 did not finish within 1500 ms and was killed (raise SPK_INSTALL_SCRIPTS_TIMEOUT_MS');
    const child = Number(/child (\d+)/.exec(error.message)?.[1]);
    expect(child).toBeGreaterThan(0);
    expect(await stopsRunning(child)).toBe(true);
    expect(await host.reconciler.currentHash()).toBeNull();
    expect(await treesLeft(host.layout)).toEqual([]);
  });

  it('a daemon a script starts in its own session is killed when the script ends, and the tree becomes current', async () => {
    const daemon = "const { spawn } = require('node:child_process'); const child = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' }); require('node:fs').writeFileSync('daemon.pid', String(child.pid)); child.unref();";
    const fixture = await buildFixture([scripted('forker', { scripts: { postinstall: 'node daemon.cjs' }, files: { 'daemon.cjs': daemon } })]);
    const host = await hostWith({ fixtures: [fixture] });
    await host.reconciler.reconcile(fixture);
    expect(await host.reconciler.currentHash()).toBe(fixture.lockfileHash);
    const pid = Number(await readFile(host.inTree(fixture, 'node_modules/forker/daemon.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(await stopsRunning(pid)).toBe(true);
  });

  it("a directory a script leaves without any permission is sealed open to its owner, so the tree can be checked and removed", async () => {
    const fixture = await buildFixture([scripted('locker', { scripts: { postinstall: 'mkdir -p locked/inner && echo x > locked/inner/file && chmod 000 locked/inner locked' } })]);
    const host = await hostWith({ fixtures: [fixture] });
    await host.reconciler.reconcile(fixture);
    for (const dir of ['locked', 'locked/inner']) expect((await stat(host.inTree(fixture, `node_modules/locker/${dir}`))).mode & 0o777).toBe(0o700);
    expect((await host.reconciler.fsck({ repair: false, desired: fixture })).damaged).toEqual([]);
  });

  it.each(['hardlinked', 'linked-packages'] as const)(
    'in the %s layout a script rewriting its own files changes the tree only, never the shared store; afterwards its files are read-only',
    async (treeLayout) => {
      const fixture = await buildFixture([scripted('rewriter', { scripts: { postinstall: "node -e \"require('fs').writeFileSync('index.js', 'rewritten')\"" } })]);
      const host = await hostWith({ fixtures: [fixture], treeLayout });
      await host.reconciler.reconcile(fixture);
      const treeFile = host.inTree(fixture, 'node_modules/rewriter/index.js');
      expect((await lstat(host.inTree(fixture, 'node_modules/rewriter'))).isDirectory()).toBe(true);
      expect(await readFile(treeFile, 'utf8')).toBe('rewritten');
      expect(await readFile(host.storeFile(fixture, 'rewriter', 'index.js'), 'utf8')).toBe('module.exports = "rewriter";\n');
      expect((await stat(treeFile)).ino).not.toBe((await stat(host.storeFile(fixture, 'rewriter', 'index.js'))).ino);
      expect((await stat(treeFile)).mode & 0o222).toBe(0);
    },
  );

  it('Node processes a script starts write only its package dir and its private temp dir', async () => {
    const probe = `const fs = require('node:fs'); const os = require('node:os');
const attempt = (file) => { try { fs.writeFileSync(file, 'x'); return 'written'; } catch (error) { return error.code; } };
fs.writeFileSync('probe.json', JSON.stringify({ own: attempt('own.txt'), tmp: attempt(os.tmpdir() + '/t'), parent: attempt('../escaped.txt'), root: attempt(process.env.INIT_CWD + '/escaped.txt') }));`;
    const fixture = await buildFixture([scripted('prober', { scripts: { postinstall: 'node probe.cjs' }, files: { 'probe.cjs': probe } })]);
    const host = await hostWith({ fixtures: [fixture] });
    await host.reconciler.reconcile(fixture);
    const probed = JSON.parse(await readFile(host.inTree(fixture, 'node_modules/prober/probe.json'), 'utf8'));
    expect(probed).toEqual({ own: 'written', tmp: 'written', parent: 'ERR_ACCESS_DENIED', root: 'ERR_ACCESS_DENIED' });
    expect(await exists(host.inTree(fixture, 'node_modules/escaped.txt'))).toBe(false);
  });

  it('fsck accepts what scripts left; a missing file is reported, and repair restores it and runs the scripts again', async () => {
    const fixture = await buildFixture([scripted('builder', { scripts: { postinstall: 'echo run >> runs.log && echo patched > index.js' } })]);
    const host = await hostWith({ fixtures: [fixture] });
    await host.reconciler.reconcile(fixture);
    expect((await host.reconciler.fsck({ repair: false, desired: fixture })).damaged).toEqual([]);

    const gone = host.inTree(fixture, 'node_modules/builder/recorder.cjs');
    await unlink(gone);
    const found = await host.reconciler.fsck({ repair: false, desired: fixture });
    expect(found.damaged.map(({ file, kind, repaired }) => ({ file, kind, repaired }))).toEqual([{ file: 'node_modules/builder/recorder.cjs', kind: 'missing', repaired: false }]);

    const repaired = await host.reconciler.fsck({ repair: true, desired: fixture });
    expect(repaired.repaired).toBe(1);
    expect(await readFile(gone, 'utf8')).toBe(RECORDER);
    expect(await readFile(host.inTree(fixture, 'node_modules/builder/runs.log'), 'utf8')).toBe('run\nrun\n');
    expect((await stat(gone)).ino).not.toBe((await stat(host.storeFile(fixture, 'builder', 'recorder.cjs'))).ino);
    expect((await host.reconciler.fsck({ repair: false, desired: fixture })).damaged).toEqual([]);
  });
});

// Needs root: only root can start processes as another user. Skipped, not passed, otherwise.
describe.skipIf(process.getuid?.() !== 0)('allowed lifecycle scripts with SPK_RUN_AS_USER (needs root)', () => {
  const RUN_USER = 'spk-run-test';
  let umask = 0;
  beforeAll(async () => {
    // As the server does: everything it creates starts private.
    umask = process.umask(0o077);
    const known = await exec('getent', ['passwd', RUN_USER]).then(() => true, () => false);
    if (!known) await exec('useradd', ['--system', '--no-create-home', RUN_USER]);
  });
  afterAll(() => void process.umask(umask));

  it("run as that user, in a package dir it owns only while its scripts run; the tree is the host user's afterwards", async () => {
    const fixture = await buildFixture([scripted('owned', { dependencies: { dep: '1' } }), versioned('1.0.0')]);
    const repo = await tempDir();
    // Traversable down to the data dir, as the server leaves it when scripts run as another user.
    await chmod(repo, 0o711);
    const dataDir = path.join(repo, 'data');
    await prepareDataDir(dataDir, { traversable: true });
    const host = await hostWith({ fixtures: [fixture], runAsUser: RUN_USER, dataDir });
    await host.reconciler.reconcile(fixture);
    const { uid } = await resolveRunUser(RUN_USER);
    expect((await host.recorded(fixture, 'node_modules/owned', 'postinstall')).uid).toBe(uid);
    const pkgDir = host.inTree(fixture, 'node_modules/owned');
    for (const name of await readdir(pkgDir)) {
      const info = await lstat(path.join(pkgDir, name));
      // What the scripts made under the umask 077 is readable by script runs as that user too.
      expect({ name, uid: info.uid, writable: info.mode & 0o222, readable: info.mode & 0o444 }).toEqual({ name, uid: 0, writable: 0, readable: 0o444 });
    }
    expect((await lstat(pkgDir)).uid).toBe(0);
  });
});
