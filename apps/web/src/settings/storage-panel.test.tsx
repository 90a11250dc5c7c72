import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageMigrateInput, StorageMigration, StorageState } from '@spk/common';
import { StoragePanel } from './storage-panel.tsx';
import { renderWithServer, type StandInServer } from './stand-in-session.tsx';

afterEach(cleanup);

function migration(status: StorageMigration['status'], done: number, etaSeconds: number | null): StorageMigration {
  return {
    id: 1,
    source: 'postgres',
    target: 'filesystem',
    status,
    deleteSource: false,
    total: 10,
    done,
    totalBytes: 10_240,
    bytesDone: done * 1024,
    errors: [],
    errorCount: 0,
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:01.000Z',
    finishedAt: status === 'done' ? '2026-01-01T00:00:05.000Z' : null,
    etaSeconds,
    resumed: 0,
    lastError: null,
  };
}

function state(stores: string[], current: StorageMigration | null): StorageState {
  return {
    activeStore: current?.status === 'done' ? current.target : 'postgres',
    availableStores: stores,
    blobCount: 10,
    totalBytes: 10_240,
    stores: stores.map((id) => ({ id, blobs: id === 'postgres' ? 10 : (current?.done ?? 0), bytes: 10_240 })),
    migration: current,
  };
}

describe('Storage panel', () => {
  it('says honestly that migration is not available with a single store', async () => {
    renderWithServer(<StoragePanel manage />, { storage: { state: async () => state(['postgres'], null) } });
    expect((await screen.findByText(/Migration not available/)).textContent).toContain('only one blob store configured');
    expect(screen.queryByRole('button', { name: 'Start migration' })).toBeNull();
  });

  it('follows a running migration with a progress bar and ETA, and stops polling once it is done', async () => {
    const answers = [state(['postgres', 'filesystem'], migration('copying', 2, 185)), state(['postgres', 'filesystem'], migration('copying', 6, 40))];
    const last = state(['postgres', 'filesystem'], migration('done', 10, null));
    let calls = 0;
    const server: StandInServer = { storage: { state: async () => answers[calls++] ?? last } };
    renderWithServer(<StoragePanel manage={false} pollMs={100} />, server);

    const bar = await screen.findByRole('progressbar', { name: 'Migration progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('20');
    expect(document.body.textContent).toContain('about 3 min left');
    await waitFor(() => expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100'));
    expect(screen.getByRole('status', { name: 'Migration status' }).textContent).toContain('done');
    const settled = calls;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(calls).toBe(settled);
  });

  it('starts a migration to the other configured store and shows it running', async () => {
    const user = userEvent.setup();
    const started: StorageMigrateInput[] = [];
    let current: StorageMigration | null = null;
    const server: StandInServer = {
      storage: {
        state: async () => state(['postgres', 'filesystem'], current),
        migrate: async (input) => {
          started.push(input);
          current = migration('copying', 0, null);
          return state(['postgres', 'filesystem'], current);
        },
      },
    };
    renderWithServer(<StoragePanel manage pollMs={50} />, server);
    await screen.findByText('No migration has run.');
    await user.selectOptions(screen.getByLabelText('Blobs in the old store after the switch'), 'keep');
    await user.click(screen.getByRole('button', { name: 'Start migration' }));
    await screen.findByRole('progressbar', { name: 'Migration progress' });
    expect(started).toEqual([{ targetStoreId: 'filesystem', deleteSource: false }]);
    expect(screen.getByRole('button', { name: 'Start migration' })).toHaveProperty('disabled', true);
  });
});
