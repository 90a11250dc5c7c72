// Satellite identities end to end inside one backend: tokens shown once and stored as hashes, what a
// satellite token may and may not call, revocation at once, reports in hosts.status, and
// agent.desired never pairing a hash with another manifest.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { computeLockfileHash, type Manifest } from '@spk/common';
import { hashToken } from '../auth/token-secrets.ts';
import { createInstallStateStore } from '../stores/install-state-store.ts';
import { manifests } from '../db/schema.ts';
import { eq } from 'drizzle-orm';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { indexManifestBlobs } from '../testing/indexed-blobs.ts';
import { testDrivers } from '../testing/test-database.ts';

const report = (over: Record<string, unknown> = {}) => ({
  lockfileHash: null,
  convergedAt: null,
  lastError: null,
  agentVersion: '1.2.3',
  hostname: 'probe-host.dc2',
  lastPull: { blobs: 3, bytes: 4096 },
  ...over,
});

describe.each(testDrivers())('satellite identities (%s)', (driver) => {
  let t: TestBackend;
  const coreId = `core-${driver}`;

  beforeAll(async () => {
    t = await createTestBackend(driver, { realTokens: true, hostId: coreId, registry: { url: inject('registryUrl') } });
    await t.backend.host.idle();
  });
  afterAll(() => t?.close());

  it('shows a satellite token once, at creation, and never lists the token or its hash', async () => {
    const created = await t.client.satellites.create({ name: 'dc2-probe-1' });
    expect(created).toMatchObject({ name: 'dc2-probe-1', lastSeenAt: null, token: expect.stringMatching(/^spks_[A-Za-z0-9_-]{43}$/) });
    await expect(t.client.satellites.create({ name: 'dc2-probe-1' })).rejects.toMatchObject({
      data: { code: 'ALREADY_EXISTS' },
      message: expect.stringContaining('"dc2-probe-1" already exists'),
    });

    await t.clientFor(created.token);
    const listed = await t.client.satellites.list();
    expect(listed.satellites).toEqual([{ name: 'dc2-probe-1', createdAt: created.createdAt, lastSeenAt: expect.any(String) }]);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(hashToken(created.token));
  });

  it('authenticates a satellite token as that satellite alone, after API tokens', async () => {
    const { token } = await t.client.satellites.create({ name: 'who-am-i' });
    expect(await t.backend.authenticate(token)).toEqual({ id: 'satellite:who-am-i', permissions: ['satellite'], satellite: 'who-am-i' });
    const admin = await t.client.tokens.create({ name: 'ops', readOnly: false });
    expect(await t.backend.authenticate(admin.token)).toEqual({ id: 'token:ops', permissions: ['read', 'manage'] });
  });

  it('answers FORBIDDEN, naming the permission, to a satellite calling admin procedures', async () => {
    const { token } = await t.client.satellites.create({ name: 'nosy' });
    const satellite = await t.clientFor(token);
    const calls: Array<[string, () => Promise<unknown>, string]> = [
      ['packages.add', () => satellite.packages.add({ name: 'spk-fixture-leaf' }), 'manage'],
      ['install.trigger', () => satellite.install.trigger(), 'manage'],
      ['runs.execute', () => satellite.runs.execute({ filename: 'x.mjs', source: 'export default 1' }), 'manage'],
      ['tokens.list', () => satellite.tokens.list(), 'manage'],
      ['satellites.create', () => satellite.satellites.create({ name: 'mine' }), 'manage'],
      ['packages.list', () => satellite.packages.list(), 'read'],
      ['hosts.status', () => satellite.hosts.status(), 'read'],
    ];
    for (const [name, call, permission] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error, name).toMatchObject({ status: 403, data: { code: 'FORBIDDEN' }, message: expect.stringContaining(`"${permission}" permission`) });
    }
    expect((await t.client.packages.list()).packages.map((p) => p.name)).not.toContain('spk-fixture-leaf');
    expect((await t.client.satellites.list()).satellites.map((s) => s.name)).not.toContain('mine');
  });

  it('answers FORBIDDEN to an admin token calling the agent procedures', async () => {
    const admin = await t.clientFor((await t.client.tokens.create({ name: 'not-an-agent', readOnly: false })).token);
    for (const call of [() => admin.agent.report(report()), () => admin.agent.desired(), () => admin.agent.watch()]) {
      await expect(call()).rejects.toMatchObject({ status: 403, message: expect.stringContaining('"satellite" permission') });
    }
  });

  it('refuses a revoked satellite token at once, and says how to list satellites for an unknown name', async () => {
    const { token } = await t.client.satellites.create({ name: 'short-lived' });
    const satellite = await t.clientFor(token);
    await satellite.agent.desired();
    expect(await t.client.satellites.revoke({ name: 'short-lived' })).toMatchObject({ revoked: { name: 'short-lived' } });
    expect(await t.backend.authenticate(token)).toBeNull();
    await expect(t.client.satellites.revoke({ name: 'short-lived' })).rejects.toMatchObject({
      status: 404,
      data: { code: 'NOT_FOUND' },
      message: expect.stringContaining('spk satellites list'),
    });
    // The name is free again, for a different token.
    const again = await t.client.satellites.create({ name: 'short-lived' });
    expect(again.token).not.toBe(token);
    expect(await t.backend.authenticate(token)).toBeNull();
  });

  it('lists a satellite report in hosts.status beside the core, and keeps the first convergedAt while the hash stays', async () => {
    const { token } = await t.client.satellites.create({ name: 'reporter' });
    const satellite = await t.clientFor(token);
    const hash = 'a'.repeat(64);
    const first = '2030-01-01T00:00:00.000Z';
    expect(await satellite.agent.report(report({ lockfileHash: hash, convergedAt: first }))).toEqual({ hostId: 'reporter', pollIntervalMs: expect.any(Number) });
    await satellite.agent.report(report({ lockfileHash: hash, convergedAt: '2030-01-01T00:05:00.000Z', lastError: 'core unreachable', lastPull: null }));

    const hosts = (await t.client.hosts.status()).hosts;
    expect(hosts.find((h) => h.hostId === coreId)).toMatchObject({ kind: 'core', satellite: null });
    expect(hosts.find((h) => h.hostId === 'reporter')).toMatchObject({
      kind: 'satellite',
      lockfileHash: hash,
      convergedAt: first,
      lastError: 'core unreachable',
      stale: false,
      satellite: { name: 'reporter', agentVersion: '1.2.3', hostname: 'probe-host.dc2', lastPull: null },
    });
    // Its own host id, when the agent names one: it replaces the row under the old one (one satellite, one row).
    expect(await satellite.agent.report(report({ hostId: 'reporter-eu' }))).toMatchObject({ hostId: 'reporter-eu' });
    const rows = (await t.client.hosts.status()).hosts.filter((h) => h.satellite?.name === 'reporter');
    expect(rows).toEqual([expect.objectContaining({ hostId: 'reporter-eu', satellite: expect.objectContaining({ lastPull: { blobs: 3, bytes: 4096 } }) })]);
  });

  it("answers HOST_ID_TAKEN to a report under a core instance's or another satellite's host id", async () => {
    const one = await t.clientFor((await t.client.satellites.create({ name: 'sat-one' })).token);
    const two = await t.clientFor((await t.client.satellites.create({ name: 'sat-two' })).token);
    await one.agent.report(report());
    for (const hostId of [coreId, 'sat-one']) {
      await expect(two.agent.report(report({ hostId }))).rejects.toMatchObject({
        status: 409,
        data: { code: 'HOST_ID_TAKEN', hostId },
        message: expect.stringContaining('SPK_HOST_ID'),
      });
    }
    const hosts = (await t.client.hosts.status()).hosts;
    expect(hosts.find((h) => h.hostId === coreId)).toMatchObject({ kind: 'core', satellite: null });
    expect(hosts.find((h) => h.hostId === 'sat-one')).toMatchObject({ satellite: { name: 'sat-one' } });
  });

  it("keeps a satellite's name for it: another satellite cannot claim it before it first reports", async () => {
    const squatter = await t.clientFor((await t.client.satellites.create({ name: 'early-bird' })).token);
    await t.client.satellites.create({ name: 'late-riser' });
    await expect(squatter.agent.report(report({ hostId: 'late-riser' }))).rejects.toMatchObject({ status: 409, data: { code: 'HOST_ID_TAKEN' } });
    expect((await t.client.hosts.status()).hosts.find((h) => h.hostId === 'late-riser')).toBeUndefined();
  });

  it('refuses a report whose numbers the hosts table cannot hold as invalid input, not as a server error', async () => {
    const satellite = await t.clientFor((await t.client.satellites.create({ name: 'big-pull' })).token);
    await expect(satellite.agent.report(report({ lastPull: { blobs: 2 ** 31, bytes: 1 } }))).rejects.toMatchObject({ status: 400 });
    expect((await t.client.hosts.status()).hosts.find((h) => h.hostId === 'big-pull')).toBeUndefined();
  });
});

/** A manifest of `n` made-up entries: each has its own hash. */
function fakeManifest(n: number, tag: string): Manifest {
  return Array.from({ length: n }, (_, i) => ({
    name: `pkg-${tag}-${i}`,
    version: '1.0.0',
    path: `node_modules/pkg-${tag}-${i}`,
    integrity: `sha512-${Buffer.alloc(64, i + 1).toString('base64')}`,
    size: 10,
    hasInstallScript: false,
    bin: {},
    dependencies: {},
  }));
}

describe.each(testDrivers())('agent.desired under concurrent commits (%s)', (driver) => {
  let t: TestBackend;
  beforeAll(async () => {
    // A long poll: the core host never tries to converge to the made-up manifests below.
    t = await createTestBackend(driver, { realTokens: true, pollIntervalMs: 600_000 });
  });
  afterAll(() => t?.close());

  it('never answers a hash with another manifest, also while superseded manifests are deleted', async () => {
    const satellite = await t.clientFor((await t.client.satellites.create({ name: 'racer' })).token);
    const state = createInstallStateStore(t.database.db);
    let done = false;
    const commits = (async () => {
      let previous: string | null = null;
      try {
      for (let i = 1; i <= 12; i++) {
        const manifest = fakeManifest(i, String(i));
        const lockfileHash = await computeLockfileHash(manifest);
        const generation = await state.markStarted(new Date());
        await indexManifestBlobs(t.database.db, manifest);
        await state.commit({ lockfileHash, manifest, totalSize: 10 * i, warnings: [], at: new Date(), generation });
        // As GC does once a manifest is superseded: a reader holding the old hash must not then find nothing.
        if (previous) await t.database.db.delete(manifests).where(eq(manifests.lockfileHash, previous));
        previous = lockfileHash;
      }
      } finally {
        done = true;
      }
    })();
    const answers: Array<{ lockfileHash: string; manifest: Manifest }> = [];
    const readers = Array.from({ length: 4 }, async () => {
      while (!done && answers.length < 400) {
        const { desired } = await satellite.agent.desired();
        if (desired) answers.push(desired);
        // PGlite's one connection is not handed out in order: without a pause, readers could starve the writer.
        await new Promise((r) => setTimeout(r, 1));
      }
    });
    await Promise.all([commits, ...readers]);
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      expect(answer.manifest.length).toBeGreaterThan(0);
      expect(await computeLockfileHash(answer.manifest)).toBe(answer.lockfileHash);
    }
  });
});
