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

describe.each(testDrivers())('a host whose blob read fails in the database (%s)', (driver) => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, hostId: `first-${driver}` });
    await t.client.packages.add({ name: 'spk-fixture-leaf' });
    await t.client.install.trigger();
    await t.backend.installer.idle();
    expect((await t.client.install.state()).status).toBe('idle');
  });
  afterAll(() => t?.close());

  it('records a status without SQL or parameters and logs the driver code, not UNKNOWN', async () => {
    // The query that reads a blob's bytes fails, with its integrity (a sha512-… parameter) bound.
    await t.database.db.execute(sql`alter table blob_data rename to blob_data_moved`);
    const lines: LogLine[] = [];
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-failing-host-'));
    const second = createScriptPackagesBackend(
      { database: t.database, logger: memoryLogger(lines), dataDir, hooks: createHookBus(), clock: systemClock, auth: { authenticate: async () => TEST_ADMIN } },
      { hostId: `failing-${driver}` },
    );
    try {
      await second.start();
      await second.host.idle();
      const { hosts } = await t.client.hosts.status();
      const lastError = hosts.find((h) => h.hostId === `failing-${driver}`)?.lastError;
      expect(lastError).toMatch(/^reconcile failed \(database error 42P01\)/);
      expect(lastError).not.toMatch(/select|params|sha512-/i);

      // Logged once, by the host that caught it, with the tree it was building.
      const failures = lines.filter((l) => l.msg === 'reconcile failed').map((l) => l.fields);
      expect(failures).toEqual([expect.objectContaining({ code: '42P01', message: expect.stringContaining('blob_data'), lockfileHash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
      expect(JSON.stringify(lines)).not.toMatch(/Failed query|params:|sha512-|"UNKNOWN"/);
    } finally {
      await second.stop();
      await t.database.db.execute(sql`alter table blob_data_moved rename to blob_data`);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
