// Lifecycle scripts end to end: a real server process installs fixture packages from the test
// registry, and its own host runs the scripts of allowed packages (only those) before the new
// tree becomes current; a failing allowed script shows in the host's status and keeps the old tree.
import { access, readdir, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HostStatus } from '@spk/common';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { serverClient, settledInstall, type ServerClient } from './test-support/server-client.ts';

const SCRIPTED = 'spk-fixture-install-script';
const FAILING = 'spk-fixture-failing-script';
const STAGES = ['preinstall', 'install', 'postinstall'];

const exists = (file: string) => access(file).then(() => true, () => false);

describe('allowed install scripts on a real server (PGlite)', () => {
  let server: SpawnedServer;
  let admin: ServerClient;
  const markers = (lockfileHash: string) => STAGES.map((stage) => path.join(server.dataDir, 'trees', lockfileHash, 'node_modules', SCRIPTED, `${stage}.ran`));

  const install = () => settledInstall(admin);

  async function coreHost(until: (host: HostStatus) => boolean): Promise<HostStatus> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const host = (await admin.hosts.status()).hosts.find((each) => each.kind === 'core');
      if (host && until(host)) return host;
      if (Date.now() > deadline) throw new Error(`the core host did not get there: ${JSON.stringify(host)}\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    server = await spawnServer({ env: { LOG_LEVEL: 'info' } });
    admin = serverClient(server);
    await admin.registry.set({ url: inject('registryUrl'), token: null });
    await admin.packages.add({ name: SCRIPTED, range: '1.0.0' });
  });
  afterAll(() => server?.stop());

  it('runs no script of a package that has scripts but is not allowed', async () => {
    const { lockfileHash, manifest } = await install();
    expect(manifest.find((entry) => entry.name === SCRIPTED)).toMatchObject({ hasInstallScript: true });
    expect(manifest.find((entry) => entry.name === SCRIPTED)?.scriptsAllowed).toBeUndefined();
    await admin.hosts.waitConverged({ lockfileHash, timeoutMs: 60_000 });
    for (const marker of markers(lockfileHash)) expect(await exists(marker), marker).toBe(false);
  });

  it("runs an allowed package's preinstall, install and postinstall in the tree before it becomes current, and logs each run", async () => {
    await admin.installScripts.allow({ name: SCRIPTED });
    const { lockfileHash, manifest } = await install();
    expect(manifest.find((entry) => entry.name === SCRIPTED)).toMatchObject({ hasInstallScript: true, scriptsAllowed: true });
    await admin.hosts.waitConverged({ lockfileHash, timeoutMs: 60_000 });
    expect(await readlink(path.join(server.dataDir, 'current'))).toBe(`trees/${lockfileHash}`);
    for (const marker of markers(lockfileHash)) expect(await exists(marker), marker).toBe(true);
    // Its TMPDIR was a private dir, removed afterwards: nothing landed in the server's.
    for (const stage of STAGES) expect(await exists(path.join(tmpdir(), `${SCRIPTED}-${stage}.ran`))).toBe(false);

    const runs = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"install script ran"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(runs.map((line) => line.script)).toEqual(STAGES);
    expect(runs[0]).toMatchObject({ package: `${SCRIPTED}@1.0.0`, exitCode: 0, timedOut: false, durationMs: expect.any(Number) });
    expect(server.output()).not.toContain(server.token);
  });

  it("a failing allowed script fails the host's reconcile: its status names the script and its output, and the previous tree stays current", async () => {
    const previous = await coreHost((host) => host.lockfileHash !== null && host.lastError === null);
    await admin.installScripts.allow({ name: FAILING });
    await admin.packages.add({ name: FAILING, range: '1.0.0' });
    const { lockfileHash } = await install();

    const failed = await coreHost((host) => host.lastError !== null);
    expect(failed.lastError).toContain(`the postinstall script of ${FAILING}@1.0.0 exited with code 3`);
    expect(failed.lastError).toContain('the previous tree stays current');
    expect(failed.lastError).toContain(`spk packages disallow-scripts ${FAILING}`);
    expect(failed.lastError).toContain('postinstall cannot build here');
    expect(failed.lockfileHash).toBe(previous.lockfileHash);
    expect(await readlink(path.join(server.dataDir, 'current'))).toBe(`trees/${previous.lockfileHash}`);
    expect(await readdir(path.join(server.dataDir, 'trees'))).not.toContain(lockfileHash);
  });
});
