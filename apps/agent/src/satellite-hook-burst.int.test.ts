// A burst of `changed` hooks on a core costs a satellite at most two syncs (desired-state read,
// reconcile, report): the agent loop wired as the daemon wires it, with a real reconciler pulling
// blobs over HTTP, against a real core's agent procedures and push stream, in one process.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BLOB_PREFIX, SCRIPT_PACKAGES_CHANGED } from '@spk/common';
import { createReconciler } from '@spk/reconciler';
import { createTestBackend, TEST_ADMIN, testDrivers, type TestBackend } from '@spk/backend/testing';
import { createAgentLoop } from './agent-loop.ts';
import { createBlobFetcher } from './blob-fetch.ts';
import type { AgentLogger } from './logger.ts';
import { createSatelliteLoopDeps, type PullMeter } from './satellite-loop-deps.ts';

const BURST = 20;
const QUIET_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDrivers())('a burst of change hooks seen by a satellite (%s)', (driver) => {
  let t: TestBackend;
  let server: Server;
  let work: string;
  let loop: ReturnType<typeof createAgentLoop>;
  const hashes: string[] = [];
  const counts = { desired: 0, reconciles: 0, reports: 0 };
  let lastReported: string | null = null;
  /** Blob requests wait for it while set; `reached` settles at the first one. */
  let gate: { opened: Promise<void>; open(): void; reached: Promise<void>; arrive(): void } | null = null;

  const commit = (lockfileHash: string) => t.backend.historyService.rollback(lockfileHash, { principalId: null });
  const changed = (lockfileHash: string) => t.hooks.emit(SCRIPT_PACKAGES_CHANGED, { lockfileHash, committedAt: new Date().toISOString() });
  const reset = () => {
    Object.assign(counts, { desired: 0, reconciles: 0, reports: 0 });
    lastReported = null;
  };
  function holdBlobs() {
    let open!: () => void;
    let arrive!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    return (gate = { opened, open, reached, arrive });
  }
  /** Waits until the agent reported running `hash`, then a while longer, so any extra sync would have been counted. */
  async function settledOn(hash: string) {
    for (let i = 0; i < 200 && lastReported !== hash; i++) await sleep(25);
    await sleep(300);
    expect(lastReported).toBe(hash);
    expect(loop.status()).toMatchObject({ lockfileHash: hash, lastError: null });
  }

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, realTokens: true, pollIntervalMs: QUIET_MS, agentHeartbeatMs: QUIET_MS });
    for (const name of ['spk-fixture-leaf', 'spk-fixture-esm', 'spk-fixture-cjs']) {
      await t.client.packages.add({ name });
      await t.client.install.trigger();
      await t.backend.installer.idle();
      hashes.push((await t.client.install.state()).lockfileHash!);
    }
    const [route] = t.backend.httpRoutes.filter((r) => r.prefix === BLOB_PREFIX);
    server = createServer((req, res) => {
      const subpath = new URL(req.url ?? '/', 'http://localhost').pathname.slice(BLOB_PREFIX.length);
      gate?.arrive();
      void Promise.resolve(gate?.opened)
        .then(() => route!.handle(req, res, { principal: TEST_ADMIN, subpath }))
        .catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    const { token } = await t.client.satellites.create({ name: `burst-${driver}` });
    const satellite = await t.clientFor(token);
    work = await mkdtemp(path.join(tmpdir(), 'spk-satellite-burst-'));
    const meter: PullMeter = { bytes: 0 };
    const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reconciler = createReconciler({ dataDir: work, fetchBlob: createBlobFetcher({ serverUrl, token, onBytes: (n) => (meter.bytes += n) }) });
    const quiet: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };
    const deps = createSatelliteLoopDeps({ client: satellite.agent, reconciler, meter, onRetained: () => undefined, logger: quiet });
    loop = createAgentLoop(
      {
        ...deps,
        desired: () => (counts.desired++, deps.desired()),
        reconcile: (desired) => (counts.reconciles++, deps.reconcile(desired)),
        report: (report) => ((lastReported = report.lockfileHash), counts.reports++, deps.report(report)),
      },
      { hostId: undefined, agentVersion: 'test', hostname: 'burst-host', heartbeatMs: QUIET_MS, pollIntervalMs: QUIET_MS },
    );
    await commit(hashes[0]!);
    await loop.start();
    for (let i = 0; i < 200 && !loop.status().streamConnected; i++) await sleep(25);
    expect(loop.status()).toMatchObject({ lockfileHash: hashes[0], streamConnected: true });
  });
  afterAll(async () => {
    await loop?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('hooks and two newer commits during a sync that pulls blobs cost exactly two syncs, the second to the newest state', async () => {
    const [a, b, c] = hashes as [string, string, string];
    reset();
    const held = holdBlobs();
    await commit(b);
    for (let i = 1; i < BURST / 2; i++) changed(b);
    await held.reached;
    for (let i = 0; i < BURST / 2; i++) changed(b);
    // Both committed (and pushed) while the sync to b waits on its blob: one follow-up asks again and gets a.
    await commit(c);
    for (let i = 1; i < BURST / 2; i++) changed(c);
    await commit(a);
    for (let i = 1; i < BURST / 2; i++) changed(a);
    await sleep(100);
    held.open();
    await settledOn(a);
    gate = null;
    expect(counts).toEqual({ desired: 2, reconciles: 2, reports: 2 });
  });

  it(`${BURST} hooks for one commit cost one sync`, async () => {
    const [, b] = hashes as [string, string];
    reset();
    await commit(b);
    for (let i = 1; i < BURST; i++) changed(b);
    await settledOn(b);
    expect(counts).toEqual({ desired: 1, reconciles: 1, reports: 1 });
  });
});
