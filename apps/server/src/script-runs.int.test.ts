import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '@spk/tools';

const RUN_USER = 'spk-run-test';
const isRoot = process.getuid?.() === 0;

/** Declares one fixture package, installs it and waits until the instance runs scripts against it. */
async function installAndConverge(server: SpawnedServer, run: (source: string) => Promise<Response>) {
  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api${p}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` } });
  expect((await api('/registry', { method: 'PUT', body: JSON.stringify({ url: inject('registryUrl'), token: null }) })).status).toBe(200);
  expect((await api('/packages', { method: 'POST', body: JSON.stringify({ name: 'spk-fixture-esm' }) })).status).toBe(201);
  expect((await api('/install', { method: 'POST' })).status).toBe(202);
  let last = '';
  for (let i = 0; i < 300; i++) {
    const response = await run("export { hello as default } from 'spk-fixture-esm';");
    if (response.status === 200) return;
    last = await response.text();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not converge (${last}):\n${server.output()}`);
}

// One driver is enough: runs touch the database only to read the desired hash.
describe('script runs on a real server (PGlite)', () => {
  let server: SpawnedServer;
  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api${p}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` } });
  const run = (source: string) => api('/runs', { method: 'POST', body: JSON.stringify({ filename: 'check.mjs', source }) });

  beforeAll(async () => {
    server = await spawnServer({ env: { SPK_RUN_MAX_CONCURRENT: '1', SPK_RUN_MAX_RESULT_BYTES: '1000', LOG_LEVEL: 'info' } });
    await installAndConverge(server, run);
  });
  afterAll(() => server?.stop());

  it("refuses the server's environ (which holds SPK_ADMIN_TOKEN) and applies the configured result cap", async () => {
    const environ = await run(
      "import { readFileSync } from 'node:fs'; let r; try { r = readFileSync(`/proc/${process.ppid}/environ`, 'utf8'); } catch (e) { r = e.code; } export default r;",
    );
    expect(((await environ.json()) as { result: unknown }).result).toBe('ERR_ACCESS_DENIED');
    const big = (await (await run("export default 'x'.repeat(2000);")).json()) as { error: { code: string; message: string } };
    expect(big.error.code).toBe('RUN_RESULT_TOO_LARGE');
    expect(big.error.message).toContain('SPK_RUN_MAX_RESULT_BYTES');
  });

  it('answers 429 TOO_MANY_RUNS with Retry-After beyond SPK_RUN_MAX_CONCURRENT', async () => {
    const slow = run('await new Promise((r) => setTimeout(r, 1500)); export default 1;');
    await new Promise((r) => setTimeout(r, 300));
    const refused = await run('export default 2;');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { data: { code: string; limit: number; retryAfterMs: number }; message: string };
    expect(body.data).toMatchObject({ code: 'TOO_MANY_RUNS', limit: 1, retryAfterMs: expect.any(Number) });
    expect(body.message).toContain('SPK_RUN_MAX_CONCURRENT');
    expect((await slow).status).toBe(200);
  });

  it('logs every run with its id, principal, script sha256, tree hash, duration and outcome, never the source', async () => {
    const marker = `source-marker-${Date.now()}`;
    const response = (await (await run(`const marker = '${marker}'; export default marker.length;`)).json()) as { runId: string; lockfileHash: string };
    await new Promise((r) => setTimeout(r, 200));
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes(response.runId));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      msg: 'script run finished',
      runId: response.runId,
      // The token's name: spawnServer's SPK_ADMIN_TOKEN is stored as "env".
      principalId: 'token:env',
      scriptSha256: expect.stringMatching(/^[a-f0-9]{64}$/),
      lockfileHash: response.lockfileHash,
      durationMs: expect.any(Number),
      outcome: 'ok',
    });
    expect(server.output()).not.toContain(marker);
    expect(server.output()).not.toContain(server.token);
    expect(server.output()).toMatch(/"outcome":"TOO_MANY_RUNS"/);
  });
});

// Needs root: only root can start processes as another user. Skipped (not passed) otherwise.
describe.skipIf(!isRoot)('scripts run as SPK_RUN_AS_USER on a real server (PGlite; needs root)', () => {
  let server: SpawnedServer;
  const run = (source: string) =>
    fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ filename: 'check.mjs', source }),
    });

  beforeAll(async () => {
    const exec = promisify(execFile);
    if (!(await exec('getent', ['passwd', RUN_USER]).then(() => true, () => false))) await exec('useradd', ['--system', '--no-create-home', RUN_USER]);
    // Reads widened to everything: only the OS boundary is left between the script and the secrets.
    server = await spawnServer({ env: { SPK_RUN_AS_USER: RUN_USER, SPK_RUN_ALLOW_FS_READ: '/' } });
    await installAndConverge(server, run);
  });
  afterAll(() => server?.stop());

  it('imports the installed packages, but cannot read PGlite files, the private lock file or the server environ (with its token)', async () => {
    const targets = {
      // The token comes from SPK_ADMIN_TOKEN here, so no admin-token file: the lock file is 0600 like it.
      lock: path.join(server.dataDir, 'server.lock'),
      pglite: path.join(server.dataDir, 'pglite', 'PG_VERSION'),
      environ: '/proc/SERVER/environ',
    };
    const response = await run(`import fs from 'node:fs'; import { hello } from 'spk-fixture-esm';
      const read = (file) => { try { return fs.readFileSync(file.replace('SERVER', String(process.ppid)), 'utf8').slice(0, 50); } catch (e) { return e.code; } };
      export default { hello: hello('x'), uid: process.getuid(), ...Object.fromEntries(Object.entries(${JSON.stringify(targets)}).map(([k, f]) => [k, read(f)])) };`);
    const body = (await response.json()) as { result: Record<string, unknown>; error: unknown };
    expect(body.error).toBeNull();
    expect(body.result).toMatchObject({ hello: expect.stringContaining('hello x'), lock: 'EACCES', pglite: 'EACCES', environ: 'EACCES' });
    expect(body.result.uid).not.toBe(0);
  });
});
