// History, rollback, GC and storage migration through the real `spk` bin against a real server
// (embedded PGlite, its own data dir) and the fixture registry: what an operator types, and the
// exit codes and JSON a script would read.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GcRunResult, InstallHistory, PackageList, StorageState } from '@spk/common';
import { freePort, spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';
import { runSpk } from './test-support/run-spk.ts';

describe('lifecycle commands against a real server', () => {
  let server: SpawnedServer;
  const spk = (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: server.token } });
  /** `spk … --json`, exit 0 expected, stdout parsed. */
  async function spkJson<T>(...args: string[]): Promise<T> {
    const result = await spk(...args, '--json');
    expect(result.code, `spk ${args.join(' ')}: ${result.stderr}`).toBe(EXIT.OK);
    return JSON.parse(result.stdout) as T;
  }
  const installed: string[] = [];

  beforeAll(async () => {
    server = await spawnServer();
    expect((await spk('registry', 'set', inject('registryUrl'))).code).toBe(EXIT.OK);
    expect((await spk('packages', 'add', 'spk-fixture-leaf@1.0.0')).code).toBe(EXIT.OK);
    installed.push((await spkJson<{ lockfileHash: string }>('install', '--wait')).lockfileHash);
    expect((await spk('packages', 'set', 'spk-fixture-leaf@2.0.0')).code).toBe(EXIT.OK);
    expect((await spk('packages', 'add', 'spk-fixture-esm')).code).toBe(EXIT.OK);
    installed.push((await spkJson<{ lockfileHash: string }>('install', '--wait')).lockfileHash);
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('spk history lists both installs newest first, the second desired; pin and unpin take a prefix', async () => {
    const [first, second] = installed as [string, string];
    const history = await spkJson<InstallHistory>('history');
    expect(history.entries.map((entry) => [entry.lockfileHash, entry.source, entry.desired])).toEqual([
      [second, 'install', true],
      [first, 'install', false],
    ]);
    const table = await spk('history');
    expect(table.stdout).toMatch(new RegExp(`^HASH\\s+COMMITTED\\s+BY\\s+SOURCE\\s+PACKAGES\\s+SIZE\\s+FLAGS\\n${second.slice(0, 12)}\\s.*\\binstall\\s.*\\*\\n${first.slice(0, 12)}\\s`));

    const pinned = await spk('history', 'pin', first.slice(0, 10));
    expect(pinned.code, pinned.stderr).toBe(EXIT.OK);
    expect(pinned.stdout).toMatch(new RegExp(`^pinned ${first.slice(0, 12)} `));
    expect((await spkJson<InstallHistory>('history')).entries.find((entry) => entry.lockfileHash === first)?.pinned).toBe(true);
    expect((await spk('history', 'unpin', first.slice(0, 10))).code).toBe(EXIT.OK);
  });

  it('spk rollback <prefix> --wait converges with the registry unreachable, and restores the declared set', async () => {
    const [first] = installed as [string, string];
    // Nothing listens there: a rollback that asked the registry anything would fail.
    expect((await spk('registry', 'set', `http://127.0.0.1:${await freePort()}/`)).code).toBe(EXIT.OK);
    try {
      const rolled = await spk('rollback', first.slice(0, 12), '--wait', '--timeout', '120');
      expect(rolled.code, rolled.stderr).toBe(EXIT.OK);
      const lines = rolled.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^desired state is now ${first} \\(was [a-f0-9]{12}\\): 1 package, `));
      expect(lines).toContain('  spk-fixture-leaf@1.0.0');
      expect(lines.at(-2)).toMatch(new RegExp(`^host \\S+ runs ${first} \\(converged in [\\d.]+ s\\)$`));
      expect(lines.at(-1)).toBe(`the only live host runs ${first.slice(0, 12)}`);

      const declared = await spkJson<PackageList>('packages', 'list');
      expect(declared.packages.map((p) => `${p.name}@${p.range}`)).toEqual(['spk-fixture-leaf@1.0.0']);
      const history = await spkJson<InstallHistory>('history');
      expect(history.entries[0]).toMatchObject({ lockfileHash: first, source: 'rollback', desired: true });
    } finally {
      expect((await spk('registry', 'set', inject('registryUrl'))).code).toBe(EXIT.OK);
    }
  }, 180_000);

  it("spk gc --json returns the run and the answering host's tree collection; spk gc state lists it", async () => {
    const result = await spkJson<GcRunResult>('gc');
    expect(result.run).toMatchObject({ status: 'done', trigger: 'manual', errors: [] });
    expect(result.host?.collection.errors).toEqual([]);
    const state = await spk('gc', 'state');
    expect(state.code, state.stderr).toBe(EXIT.OK);
    expect(state.stdout).toMatch(new RegExp(`\\nlast runs:\\nRUN\\s.*\\n${result.run.id}\\s+\\S+\\s+manual\\s+done\\s`));
  }, 60_000);

  it('spk storage migrate filesystem --wait copies every blob, and spk storage state shows filesystem active', async () => {
    const before = await spkJson<StorageState>('storage', 'state');
    expect(before.activeStore).toBe('postgres');
    const migrated = await spk('storage', 'migrate', 'filesystem', '--wait');
    expect(migrated.code, migrated.stderr).toBe(EXIT.OK);
    // Not a terminal: plain progress lines on stderr, the outcome on stdout.
    expect(migrated.stderr).toMatch(/^migration \d+ postgres → filesystem: /);
    expect(migrated.stdout).toMatch(new RegExp(`^migrated ${before.blobCount} blobs? \\(.*\\) from postgres to filesystem in [\\d.]+ s: filesystem is the active store`));

    const after = await spkJson<StorageState>('storage', 'state');
    expect(after.activeStore).toBe('filesystem');
    expect(after.migration).toMatchObject({ source: 'postgres', target: 'filesystem', status: 'done', done: before.blobCount, total: before.blobCount });
    expect(after.stores.find((store) => store.id === 'filesystem')).toMatchObject({ blobs: before.blobCount });
    const human = await spk('storage', 'state');
    expect(human.stdout).toMatch(/^active store: {2}filesystem\n/);

    // The hosts still converge from the new store, and report what they hold on disk.
    const hosts = await spk('hosts');
    expect(hosts.code, hosts.stderr).toBe(EXIT.OK);
    expect(hosts.stdout).toMatch(/\nHOST\s+KIND\s+LOCKFILE\s+STATE\s+CONVERGED\s+LAST SEEN\s+TREES\s+DISK\s+ERROR\n/);
  }, 240_000);
});
