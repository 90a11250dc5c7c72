import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBackend, testDrivers, type TestBackend } from '../testing/index.ts';

describe.each(testDrivers())('gc.run and gc.state through the API (%s)', (driver) => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await createTestBackend(driver, { lifecycle: { historyKeep: 3, blobGc: { graceMs: 5_000, intervalMs: 3_600_000 } } });
  });
  afterAll(() => t?.close());

  it('records a manual run under the caller, with this instance\'s tree GC pass, and shows it with the configured settings', async () => {
    const before = Date.now();
    const { run, host } = await t.client.gc.run();
    expect(run).toMatchObject({ trigger: 'manual', requestedBy: 'test-admin', status: 'done', blobsDeleted: 0, errors: [] });
    expect(host?.collection.errors).toEqual([]);

    const state = await t.client.gc.state();
    expect(state.settings).toMatchObject({ blobGraceMs: 5_000, intervalMs: 3_600_000, historyKeep: 3 });
    expect(Date.parse(state.nextRunAt!)).toBeGreaterThanOrEqual(before);
    expect(state.runs[0]).toEqual(run);
    expect(state.pending).toEqual({ blobs: 0, bytes: 0, nextEligibleAt: null });
  });
});
