import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsPage } from './settings-page.tsx';
import { registryConfig, renderWithServer, type StandInServer } from './stand-in-session.tsx';

afterEach(cleanup);

const MiB = 1024 * 1024;

const server: StandInServer = {
  registry: { get: async () => registryConfig({ scopes: { '@acme': 'https://npm.acme.test/' } }) },
  installScripts: { get: async () => ({ allowed: [{ name: 'esbuild', allowedAt: '2026-01-01T00:00:00.000Z' }], withScripts: [] }) },
  sizeCaps: { get: async () => ({ warnTotalBytes: 150 * MiB, blockTotalBytes: 300 * MiB, maxPackageBytes: 100 * MiB }) },
  storage: {
    state: async () => ({
      activeStore: 'postgres',
      availableStores: ['postgres', 'filesystem'],
      blobCount: 3,
      totalBytes: 3 * MiB,
      stores: [{ id: 'postgres', blobs: 3, bytes: 3 * MiB }],
      migration: null,
    }),
  },
  gc: {
    state: async () => ({
      settings: { blobGraceMs: 86_400_000, intervalMs: 0, historyKeep: 20, treeGraceMs: 600_000 },
      nextRunAt: null,
      pending: { blobs: 0, bytes: 0, nextEligibleAt: null },
      runs: [],
    }),
  },
};

describe('Settings page with a read-only token', () => {
  it('shows every panel with its values, says once that the token is read-only, and offers no control', async () => {
    renderWithServer(<SettingsPage />, server, { readOnly: true });
    for (const name of ['Registries', 'Size caps', 'Storage', 'Garbage collection']) {
      expect(screen.getByRole('heading', { level: 2, name })).toBeTruthy();
    }
    await screen.findByText('https://npm.acme.test/');
    await screen.findByText('300 MiB', { exact: false });
    await screen.findByRole('table', { name: 'Blobs per store' });
    await screen.findByText('off: on demand only');
    expect(screen.getByText('esbuild')).toBeTruthy();

    expect(screen.getAllByText(/This token is read-only/)).toHaveLength(1);
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryAllByRole('textbox')).toEqual([]);
    expect(screen.queryAllByRole('combobox')).toEqual([]);
  });

  it('gives a token with manage the controls and no read-only notice', async () => {
    renderWithServer(<SettingsPage />, server);
    await screen.findByRole('button', { name: 'Run GC now' });
    await screen.findByRole('button', { name: 'Save size caps' });
    await screen.findByRole('button', { name: 'Import .npmrc' });
    await screen.findByRole('button', { name: 'Start migration' });
    await screen.findByRole('button', { name: 'Remove esbuild' });
    expect(screen.queryByText(/This token is read-only/)).toBeNull();
  });
});
