import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { GcRun, GcState } from '@spk/common';
import { GcPanel } from './gc-panel.tsx';
import { renderWithServer, type StandInServer } from './stand-in-session.tsx';

afterEach(cleanup);

const run: GcRun = {
  id: 7,
  trigger: 'manual',
  requestedBy: 'admin',
  status: 'done',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:02.000Z',
  durationMs: 2000,
  blobsDeleted: 3,
  bytesFreed: 3 * 1024 * 1024,
  blobsMarked: 1,
  historyPruned: 2,
  errors: [],
};

describe('Garbage collection panel', () => {
  it('runs GC now, shows what it did and the run in the table', async () => {
    const user = userEvent.setup();
    let runs: GcRun[] = [];
    const gcState = (): GcState => ({
      settings: { blobGraceMs: 86_400_000, intervalMs: 21_600_000, historyKeep: 20, treeGraceMs: 600_000 },
      nextRunAt: null,
      pending: { blobs: 4, bytes: 4096, nextEligibleAt: '2026-01-02T00:00:00.000Z' },
      runs,
    });
    const server: StandInServer = {
      gc: {
        state: async () => gcState(),
        run: async () => {
          runs = [run];
          return { run, host: { hostId: 'core-1', collection: { at: run.finishedAt!, trees: 2, extracted: 0, blobs: 0, bytesFreed: 2048, stalePins: 0, errors: [] } } };
        },
      },
    };
    renderWithServer(<GcPanel manage />, server);
    expect(await screen.findByText('24 h unreferenced before a blob is deleted')).toBeTruthy();
    expect(screen.getByText('every 6 h')).toBeTruthy();
    expect(screen.getByText('Blob GC has not run yet.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Run GC now' }));
    const result = await screen.findByText(/GC run done/);
    expect(result.textContent).toContain('3 blobs deleted (3.0 MiB freed)');
    expect(screen.getByText(/Host/).textContent).toContain('2 retired trees deleted');
    const table = await screen.findByRole('table', { name: 'Garbage collection runs' });
    expect(within(table).getAllByRole('row')[1]?.textContent).toContain('manual (admin)');
  });
});
