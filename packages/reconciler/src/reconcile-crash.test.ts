import { spawn } from 'node:child_process';
import { access, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { integrityToHex } from '@spk/common';
import { dataLayout } from './data-layout.ts';
import { createReconciler } from './reconciler.ts';
import { runScript } from './runs/run-script.ts';
import { blobSource, buildFixture, mixedPackages, versioned, type Fixture } from './test-support/fixtures.ts';
import { isRunning, stopsRunning } from './test-support/process-state.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();
const CHILD = fileURLToPath(new URL('./test-support/crash-child.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Runs a reconcile in a real child process and SIGKILLs it once it reports `crashPoint`, or once `killWhen` says so. */
async function reconcileAndKill(dataDir: string, desired: Fixture, crashPoint: string, killWhen?: () => Promise<boolean>): Promise<NodeJS.Signals | null> {
  const work = await tempDir();
  await writeFile(path.join(work, 'desired.json'), JSON.stringify({ lockfileHash: desired.lockfileHash, manifest: desired.manifest }));
  await mkdir(path.join(work, 'blobs'));
  for (const [integrity, bytes] of desired.blobs) await writeFile(path.join(work, 'blobs', integrityToHex(integrity)), bytes);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, path.join(work, 'desired.json'), path.join(work, 'blobs'), crashPoint], {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const watch = killWhen
    ? setInterval(() => void killWhen().then((now) => now && child.kill('SIGKILL')), 50)
    : null;
  child.on('exit', () => watch && clearInterval(watch));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes(`reached ${crashPoint}`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal ? resolve(signal) : reject(new Error(`child exited ${code}: ${stdout} ${stderr}`))));
  });
}

async function hostOnV1() {
  const dataDir = await tempDir();
  const v1 = await buildFixture([...mixedPackages, versioned('1.0.0')]);
  const v2 = await buildFixture([...mixedPackages, versioned('2.0.0')]);
  const source = blobSource(v1, v2);
  const reconciler = createReconciler({ dataDir, fetchBlob: source.fetchBlob });
  await reconciler.reconcile(v1);
  return { dataDir, v1, v2, source, reconciler, layout: dataLayout(dataDir) };
}

const importVer = (dataDir: string, expectedHash: string) =>
  runScript({ dataDir, expectedHash, filename: 'v.mjs', source: "export { default } from 'ver';", timeoutMs: 10_000 });

describe('crash safety with a real SIGKILL', () => {
  it('a crash between extraction and tree build leaves the old tree current, and the next reconcile completes', async () => {
    const { dataDir, v1, v2, source, reconciler, layout } = await hostOnV1();
    expect(await reconcileAndKill(dataDir, v2, 'after-extract')).toBe('SIGKILL');

    expect(await readlink(layout.currentLink)).toBe(`trees/${v1.lockfileHash}`);
    expect(await reconciler.currentHash()).toBe(v1.lockfileHash);
    await expect(access(layout.treeDir(v2.lockfileHash))).rejects.toThrow(/ENOENT/);
    expect((await importVer(dataDir, v1.lockfileHash)).result).toBe('1.0.0');

    source.calls.length = 0;
    // The killed process had already verified and cached the new blob.
    expect(await reconciler.reconcile(v2)).toMatchObject({ changed: true, fetched: 0 });
    expect(await reconciler.currentHash()).toBe(v2.lockfileHash);
    expect((await importVer(dataDir, v2.lockfileHash)).result).toBe('2.0.0');
  }, 20_000);

  it('a crash after the tree is built but before the flip leaves the old tree current, and the next reconcile just flips', async () => {
    const { dataDir, v1, v2, source, reconciler, layout } = await hostOnV1();
    expect(await reconcileAndKill(dataDir, v2, 'before-flip')).toBe('SIGKILL');

    expect(await reconciler.currentHash()).toBe(v1.lockfileHash);
    expect((await readdir(layout.dataDir)).sort()).toEqual(['cache', 'current', 'trees']);
    source.calls.length = 0;
    expect(await reconciler.reconcile(v2)).toMatchObject({ changed: true, fetched: 0, reusedBlobs: 0 });
    expect(source.calls).toEqual([]);
    expect(await reconciler.currentHash()).toBe(v2.lockfileHash);
  }, 20_000);

  it('a crash while an install script runs leaves the old tree current; the next reconcile kills what the script left running and completes', async () => {
    const { dataDir, v1, reconciler, layout } = await hostOnV1();
    const signals = await tempDir();
    const at = (name: string) => path.join(signals, name);
    // The shell is not confined: it reports to the test's dir. Its second run (after the crash) just succeeds.
    const postinstall = [
      `if [ -e ${at('again')} ]; then exit 0; fi`,
      `setsid sleep 120 & echo $! > ${at('daemon.pid')}`,
      `echo $$ > ${at('script.pid')}`,
      'sleep 120',
    ].join('\n');
    const v2 = await buildFixture([...mixedPackages, versioned('2.0.0'), { name: 'builder', version: '1.0.0', files: { 'package.json': JSON.stringify({ name: 'builder', version: '1.0.0', scripts: { postinstall } }) }, scriptsAllowed: true }]);
    const started = () => access(at('script.pid')).then(() => true, () => false);
    expect(await reconcileAndKill(dataDir, v2, 'during-install-script', started)).toBe('SIGKILL');

    const left = await Promise.all(['script.pid', 'daemon.pid'].map(async (name) => Number(await readFile(at(name), 'utf8'))));
    // The host died; its script and the daemon that script started did not.
    for (const pid of left) expect(await isRunning(pid)).toBe(true);
    expect(await reconciler.currentHash()).toBe(v1.lockfileHash);
    expect((await readdir(layout.treesDir)).filter((name) => name.includes('.tmp-')).length).toBeGreaterThan(0);

    await writeFile(at('again'), '');
    expect(await reconciler.reconcile(v2)).toMatchObject({ changed: true });
    for (const pid of left) expect(await stopsRunning(pid)).toBe(true);
    expect(await reconciler.currentHash()).toBe(v2.lockfileHash);
    expect((await readdir(layout.treesDir)).sort()).toEqual([v1.lockfileHash, v2.lockfileHash].sort());
  }, 30_000);
});
