// The README's own sequence, `spk install --wait` then `spk run`, with the real bin against a real
// server and the fixture registry, on a set whose tree takes a while to build: every fixture
// package plus generated packages with thousands of files.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { craftPackage, listFixtures, PRIVATE_SCOPE, publishPackage, spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';
import { runSpk } from './test-support/run-spk.ts';

const BULK_PACKAGES = 6;
const FILES_PER_PACKAGE = 700;

/** A package of many small files: extracting and linking them is what makes a tree slow to build. */
function bulkPackage(name: string) {
  const files = Array.from({ length: FILES_PER_PACKAGE }, (_, i) => ({ path: `package/lib/part-${i}.js`, content: `module.exports = ${i};\n` }));
  return craftPackage({ name, version: '1.0.0', main: 'index.js' }, [{ path: 'package/index.js', content: `module.exports = { id: '${name}@1.0.0' };\n` }, ...files]);
}

interface HostRow {
  hostId: string;
  lockfileHash: string | null;
  stale: boolean;
}

describe('spk install --wait, then spk run, on a set whose tree takes a while to build', () => {
  let server: SpawnedServer;
  let scriptDir: string;
  const prefix = `spk-bulk-${randomBytes(4).toString('hex')}`;
  const bulkNames = Array.from({ length: BULK_PACKAGES }, (_, i) => `${prefix}-${i}`);
  /** Declared only by the --wait-converged test, so its tree needs new tarballs extracted. */
  const laterNames = [`${prefix}-later-a`, `${prefix}-later-b`];
  const spk = (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: server.token } });
  const api = async (route: string, init: { method?: string; body?: unknown } = {}) => {
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const response = await fetch(`${server.url}/api${route}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
    expect(response.ok, `${route}: ${response.status}`).toBe(true);
    return response.json() as Promise<unknown>;
  };
  const hosts = async () => ((await api('/hosts')) as { hosts: HostRow[] }).hosts;

  beforeAll(async () => {
    const registryUrl = inject('registryUrl');
    await Promise.all([...bulkNames, ...laterNames].map((name) => publishPackage(registryUrl, bulkPackage(name), { token: inject('registryToken') })));
    server = await spawnServer();
    scriptDir = await mkdtemp(path.join(tmpdir(), 'spk-install-run-'));
    expect((await spk('registry', 'set', registryUrl)).code).toBe(EXIT.OK);
    const fixtureNames = [...new Set((await listFixtures()).map((f) => f.name))].filter((name) => !name.startsWith(`${PRIVATE_SCOPE}/`));
    // Declared through the API: the CLI's own `packages add` is tested elsewhere, and 16 spawns are slow.
    for (const name of [...fixtureNames, ...bulkNames]) await api('/packages', { method: 'POST', body: { name } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (scriptDir) await rm(scriptDir, { recursive: true, force: true });
  });

  async function installThenRun(expectedPackages: number): Promise<void> {
    const installed = await spk('install', '--wait');
    // Asked at once: `install --wait` returned, so the server that answered must run the new tree now.
    const seen = await hosts();
    expect(installed.code, installed.stderr).toBe(EXIT.OK);
    const match = /^committed ([a-f0-9]{64}) \((\d+) packages, [\d.]+ (B|KiB|MiB)\)\nhost (\S+) runs \1 \(converged in [\d.]+ s\)\n$/.exec(installed.stdout);
    expect(match, installed.stdout).not.toBeNull();
    const [, hash, count, , hostId] = match!;
    expect(Number(count)).toBeGreaterThanOrEqual(expectedPackages);
    expect(seen).toContainEqual(expect.objectContaining({ hostId, lockfileHash: hash, stale: false }));

    const script = path.join(scriptDir, 'check.cjs');
    await writeFile(script, `module.exports = require(${JSON.stringify(bulkNames[0])}).id;\n`);
    const run = await spk('run', script, '--json');
    expect(run.stderr).not.toContain('NOT_CONVERGED');
    expect(run.code, run.stderr).toBe(EXIT.OK);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, lockfileHash: hash, result: `${bulkNames[0]}@1.0.0` });
  }

  it('runs against the new tree right after install --wait, for a first tree and for a changed one', async () => {
    await installThenRun(BULK_PACKAGES + 10);
    // A changed set: the tree is rebuilt from the local store, and `run` must again find it.
    await api(`/packages/${bulkNames.at(-1)!}`, { method: 'DELETE' });
    await installThenRun(BULK_PACKAGES + 9);
  }, 240_000);

  it('spk run --wait-converged waits for the server to run a tree committed a moment ago', async () => {
    // The script comes through a FIFO, so the CLI is started and waiting before the commit and sends
    // its request the moment the script is written: while the host is still building the new tree.
    const script = path.join(scriptDir, 'later.cjs');
    execFileSync('mkfifo', [script]);
    const running = spk('run', script, '--wait-converged', '60', '--json');

    for (const name of laterNames) await api('/packages', { method: 'POST', body: { name } });
    const before = ((await api('/install')) as { lockfileHash: string }).lockfileHash;
    await api('/install', { method: 'POST', body: {} });
    let committed = before;
    for (let i = 0; i < 2400 && committed === before; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const state = (await api('/install')) as { lockfileHash: string; status: string };
      expect(state.status).not.toBe('failed');
      committed = state.lockfileHash;
    }
    expect(await hosts()).not.toContainEqual(expect.objectContaining({ lockfileHash: committed }));
    await writeFile(script, `module.exports = require(${JSON.stringify(laterNames[0])}).id;\n`);

    const run = await running;
    expect(run.code, run.stderr).toBe(EXIT.OK);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, lockfileHash: committed, result: `${laterNames[0]}@1.0.0` });
  }, 240_000);
});
