// Tree GC on a core instance inside one backend: the retired tree goes once past the grace, the
// pass's disk usage lands in hosts.status, and a report without disk usage (core or satellite)
// keeps the last one.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HostDisk, HostStatus } from '@spk/common';
import { systemClock } from '../services.ts';
import { createHostStatusStore } from '../stores/host-status-store.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const disk = (trees: number): HostDisk => ({ trees, retiredTrees: trees - 1, pinnedTrees: 0, bytes: 1000 * trees, measuredAt: new Date().toISOString(), lastCollection: null });

describe.each(testDrivers())('tree GC on a core instance (%s)', (driver) => {
  let t: TestBackend;
  const hostId = `core-gc-${driver}`;
  const statusOf = async (id: string): Promise<HostStatus | undefined> => (await t.client.hosts.status()).hosts.find((host) => host.hostId === id);

  async function installEsm(range: string): Promise<string> {
    await t.client.packages.update({ name: 'spk-fixture-esm', range });
    await t.client.install.trigger();
    await t.backend.installer.idle();
    await t.backend.host.idle();
    const { lockfileHash } = await t.client.install.state();
    expect(await t.backend.host.currentHash()).toBe(lockfileHash);
    return lockfileHash!;
  }

  beforeAll(async () => {
    t = await createTestBackend(driver, {
      registry: { url: inject('registryUrl') },
      hostId,
      realTokens: true,
      lifecycle: { treeGc: { graceMs: 0, intervalMs: 3_600_000 } },
    });
    await t.client.packages.add({ name: 'spk-fixture-esm', range: '1.0.0' });
  });
  afterAll(() => t?.close());

  it('deletes the tree a new install retired, and reports the trees and bytes left in hosts.status', async () => {
    const first = await installEsm('1.0.0');
    const second = await installEsm('1.1.0');
    expect(first).not.toBe(second);
    await t.backend.host.collectTrees();
    expect(await readdir(path.join(t.dataDir, 'trees'))).toEqual([second]);
    // The report that follows a pass carries its measurement.
    await t.backend.host.idle();
    const status = await statusOf(hostId);
    expect(status?.disk).toMatchObject({ trees: 1, retiredTrees: 0, pinnedTrees: 0, bytes: expect.any(Number), lastCollection: expect.any(Object) });
    expect(status!.disk!.bytes).toBeGreaterThan(0);
  });

  it("keeps a host's last disk usage when a report comes without one", async () => {
    const hosts = createHostStatusStore(t.database.db, { clock: systemClock, pollIntervalMs: 30_000 });
    const base = { hostId: 'core-elsewhere', kind: 'core' as const, lockfileHash: null, convergedAt: null, lastError: null };
    const measured = disk(3);
    await hosts.report({ ...base, at: new Date(), disk: measured });
    await hosts.report({ ...base, at: new Date() });
    await hosts.report({ ...base, at: new Date(), disk: null });
    expect((await statusOf('core-elsewhere'))?.disk).toEqual(measured);
    const newer = disk(2);
    await hosts.report({ ...base, at: new Date(), disk: newer });
    expect((await statusOf('core-elsewhere'))?.disk).toEqual(newer);
  });

  it("stores a satellite's disk usage from agent.report and keeps it across reports without one", async () => {
    const { token } = await t.client.satellites.create({ name: 'gc-probe' });
    const satellite = await t.clientFor(token);
    const report = { lockfileHash: null, convergedAt: null, lastError: null, agentVersion: '1.0.0', hostname: 'probe', lastPull: null };
    const measured = disk(2);
    await satellite.agent.report({ ...report, disk: measured });
    expect((await statusOf('gc-probe'))?.disk).toEqual(measured);
    await satellite.agent.report(report);
    expect((await statusOf('gc-probe'))?.disk).toEqual(measured);
  });
});
