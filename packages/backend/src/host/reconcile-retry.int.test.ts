// A host whose reconcile keeps failing (a blob missing from the store) retries with growing gaps,
// not on every poll tick, logs the error once, and recovers on its own once the blob is back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScriptPackagesBackend } from '../plugin.ts';
import { createHookBus, systemClock } from '../services.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createTestBackend, TEST_ADMIN, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const FIRST_RETRY_MS = 100;
const POLL_MS = 1_200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDrivers())('a host whose reconcile keeps failing (%s)', (driver) => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, hostId: `installer-${driver}` });
    await t.client.packages.add({ name: 'spk-fixture-leaf' });
    await t.client.install.trigger();
    await t.backend.installer.idle();
    expect((await t.client.install.state()).status).toBe('idle');
  });
  afterAll(() => t?.close());

  it('retries a missing blob with growing gaps, logs it once, and recovers once an install puts it back', async () => {
    await t.database.db.execute(sql`delete from blob_data`);
    const lines: LogLine[] = [];
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-retrying-host-'));
    const hostId = `retrying-${driver}`;
    const second = createScriptPackagesBackend(
      { database: t.database, logger: memoryLogger(lines), dataDir, hooks: createHookBus(), clock: systemClock, auth: { authenticate: async () => TEST_ADMIN } },
      { hostId, pollIntervalMs: POLL_MS, firstRetryMs: FIRST_RETRY_MS },
    );
    const failures = () => lines.filter((l) => l.msg === 'reconcile failed' || l.msg === 'reconcile failed again with the same error');
    try {
      await second.start();
      // Attempts at about 0, 0.1, 0.3, 0.7, 1.5 and 2.7 s: the poll ticks at 1.2 and 2.4 s are held back.
      for (let i = 0; i < 100 && failures().length < 6; i++) await sleep(50);
      const attempts = failures();
      expect(attempts.length).toBeGreaterThanOrEqual(6);

      const logged = attempts.filter((l) => l.level === 'error');
      expect(logged).toHaveLength(1);
      expect(logged[0]!.fields).toMatchObject({ code: 'BLOB_MISSING', failures: 1, retryInMs: FIRST_RETRY_MS });
      expect(attempts.slice(1).every((l) => l.level === 'debug')).toBe(true);
      expect(attempts.map((l) => l.fields.retryInMs)).toEqual([100, 200, 400, 800, 1_200, 1_200].slice(0, attempts.length));

      const gaps = attempts.slice(1, 6).map((l, i) => l.at - attempts[i]!.at);
      const expected = [100, 200, 400, 800, 1_200];
      // Timers only ever run late, so each gap is at least its backoff: no attempt came early, and no
      // poll tick slipped one in between (a busy machine only stretches the gaps further).
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(expected[i]! - 20));

      const { hosts } = await t.client.hosts.status();
      expect(hosts.find((h) => h.hostId === hostId)).toMatchObject({ lockfileHash: null, lastError: expect.stringMatching(/^blob sha512-/) });

      // The next install fetches the missing blob again; the host picks it up at its next retry, without any hook.
      await t.client.install.trigger();
      await t.backend.installer.idle();
      const desired = (await t.client.install.state()).lockfileHash;
      for (let i = 0; i < 100 && (await second.host.currentHash()) !== desired; i++) await sleep(50);
      expect(await second.host.currentHash()).toBe(desired);
      await second.host.idle();
      expect(lines.filter((l) => l.msg === 'reconcile succeeded after failing')).toEqual([expect.objectContaining({ level: 'info' })]);
      expect((await t.client.hosts.status()).hosts.find((h) => h.hostId === hostId)).toMatchObject({ lockfileHash: desired, lastError: null });
      expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    } finally {
      await second.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
