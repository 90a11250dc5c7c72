import { emptyInstallState, type HostStatus, type HostsSnapshot, type InstallState } from '@spk/common';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionContext } from '../session/session.tsx';
import { fedStream, standInSession } from '../session/stand-in-session.ts';
import { HostsPage } from './hosts-page.tsx';

const DESIRED = 'abcdef012345'.padEnd(64, '7');
const OLDER = '543210fedcba'.padEnd(64, '8');
const NOW = Date.parse('2026-11-26T12:00:00.000Z');
const secondsAgo = (s: number) => new Date(NOW - s * 1000).toISOString();

function host(patch: Partial<HostStatus> & Pick<HostStatus, 'hostId'>): HostStatus {
  return {
    kind: 'core',
    lockfileHash: DESIRED,
    convergedAt: secondsAgo(60),
    lastError: null,
    lastSeenAt: secondsAgo(5),
    stale: false,
    updatedAt: secondsAgo(5),
    satellite: null,
    disk: null,
    ...patch,
  };
}

const satellite = { name: 'edge-1', agentVersion: '0.1.0', hostname: 'edge-1.example.net', lastPull: null };

/** Stand-ins for the server's two streams the page follows. */
function setUp() {
  const hosts = fedStream<HostsSnapshot>();
  const install = fedStream<InstallState>();
  const session = standInSession({
    hosts: { watch: (_input: undefined, options?: { signal?: AbortSignal }) => hosts.open(options?.signal) },
    install: { watch: (_input: undefined, options?: { signal?: AbortSignal }) => install.open(options?.signal) },
  });
  render(
    <SessionContext.Provider value={session}>
      <HostsPage />
    </SessionContext.Provider>,
  );
  return { hosts, install };
}

function rowOf(hostId: string): HTMLElement {
  const table = screen.getByRole('table', { name: 'Hosts' });
  const row = within(table)
    .getAllByRole('row')
    .find((r) => r.querySelector('td')?.textContent === hostId);
  if (!row) throw new Error(`no row for ${hostId}`);
  return row;
}

const cellsOf = (hostId: string) => within(rowOf(hostId)).getAllByRole('cell').map((cell) => cell.textContent);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: NOW });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('HostsPage', () => {
  it('tells converged, lagging and stale hosts apart, with the satellite, the error and the disk', async () => {
    const { hosts, install } = setUp();
    act(() => install.push({ ...emptyInstallState(), lockfileHash: DESIRED }));
    act(() =>
      hosts.push({
        hosts: [
          host({ hostId: 'core-a', disk: { trees: 2, retiredTrees: 1, pinnedTrees: 0, bytes: 3 * 1024 * 1024, measuredAt: secondsAgo(5), lastCollection: null } }),
          host({ hostId: 'sat-1', kind: 'satellite', satellite, lockfileHash: OLDER, lastError: 'INTEGRITY_MISMATCH: zod-3.23.8.tgz does not match sha512-abc; it was not used' }),
          host({ hostId: 'core-b', lockfileHash: DESIRED, stale: true, lastSeenAt: secondsAgo(400) }),
          host({ hostId: 'sat-2', kind: 'satellite', satellite: { ...satellite, name: 'edge-2' }, lockfileHash: null, convergedAt: null }),
        ],
      }),
    );
    await screen.findByRole('table', { name: 'Hosts' });
    expect(cellsOf('core-a')).toEqual(['core-a', 'core', DESIRED.slice(0, 12), 'converged', expect.any(String), '5 s ago', '—', '3.0 MiB2 trees, 1 retired']);
    expect(cellsOf('sat-1').slice(1, 4)).toEqual(['satellite edge-1edge-1.example.net · agent 0.1.0', OLDER.slice(0, 12), 'lagging']);
    expect(cellsOf('sat-1')[6]).toBe('INTEGRITY_MISMATCH: zod-3.23.8.tgz does not match sha512-abc; it was not used');
    expect(cellsOf('core-b')[3]).toBe('stale');
    expect(cellsOf('core-b')[5]).toBe('6 min ago');
    expect(cellsOf('sat-2').slice(2, 5)).toEqual(['none', 'lagging', '—']);
    expect(screen.getByText(/1 of 4 hosts run the desired tree; 1 stale/)).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Host updates' }).textContent).toContain('live');
  });

  it('updates rows live as hosts report and as the desired tree changes, and keeps last-seen counting', async () => {
    const { hosts, install } = setUp();
    act(() => install.push({ ...emptyInstallState(), lockfileHash: OLDER }));
    act(() => hosts.push({ hosts: [host({ hostId: 'core-a', lockfileHash: OLDER })] }));
    await waitFor(() => expect(cellsOf('core-a')[3]).toBe('converged'));

    act(() => install.push({ ...emptyInstallState(), lockfileHash: DESIRED }));
    await waitFor(() => expect(cellsOf('core-a')[3]).toBe('lagging'));

    act(() => hosts.push({ hosts: [host({ hostId: 'core-a', lockfileHash: DESIRED, lastSeenAt: secondsAgo(0) })] }));
    await waitFor(() => expect(cellsOf('core-a')[3]).toBe('converged'));
    expect(cellsOf('core-a')[5]).toBe('just now');
    act(() => vi.advanceTimersByTime(3000));
    expect(cellsOf('core-a')[5]).toBe('3 s ago');
  });

  it('says it is reconnecting while the host stream is down', async () => {
    const { hosts, install } = setUp();
    act(() => install.push({ ...emptyInstallState(), lockfileHash: DESIRED }));
    act(() => hosts.push({ hosts: [host({ hostId: 'core-a' })] }));
    const indicator = screen.getByRole('status', { name: 'Host updates' });
    await waitFor(() => expect(indicator.textContent).toBe('live'));
    act(() => hosts.fail(new TypeError('Failed to fetch')));
    await waitFor(() => expect(indicator.textContent).toContain('reconnecting…'));
    expect(indicator.textContent).toContain('cannot reach the server');
    // The last known rows stay on screen meanwhile.
    expect(cellsOf('core-a')[3]).toBe('converged');
  });
});
