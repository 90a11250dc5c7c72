import { ORPCError } from '@orpc/client';
import { emptyInstallState, type HistoryEntry, type InstallHistory, type InstallState } from '@spk/common';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionContext, type Session } from '../session/session.tsx';
import { fedStream, standInSession, VIEWER, type FedStream } from '../session/stand-in-session.ts';
import { InstallPage } from './install-page.tsx';

const OLD = 'a1b2c3d4e5f6'.padEnd(64, '1');
const NEW = '0f9e8d7c6b5a'.padEnd(64, '2');

function entry(lockfileHash: string, desired: boolean): HistoryEntry {
  return {
    lockfileHash,
    committedAt: '2026-11-26T10:00:00.000Z',
    committedBy: 'admin',
    source: 'install',
    packages: 3,
    totalSize: 4096,
    declared: [{ name: 'zod', range: '^3.23.0', enabled: true }],
    pinned: false,
    desired,
  };
}

/** A stand-in for the server's install procedures: a fed watch stream and a history per desired hash. */
function standIn(watch: FedStream<InstallState>) {
  let desired: string | null = null;
  const server = {
    watch: (_input: undefined, options?: { signal?: AbortSignal }) => watch.open(options?.signal),
    history: vi.fn(async (): Promise<InstallHistory> => ({ keep: 20, entries: desired === NEW ? [entry(NEW, true), entry(OLD, false)] : [entry(OLD, true)] })),
    trigger: vi.fn(async () => {
      throw new ORPCError('CONFLICT', { message: 'an install is in progress; try again once it has finished', data: { code: 'INSTALL_IN_PROGRESS' } });
    }),
    rollback: vi.fn(async () => ({ lockfileHash: OLD, previousHash: NEW, declared: null, warnings: [], state: emptyInstallState() })),
    pin: vi.fn(async () => entry(OLD, false)),
  };
  return { server, setDesired: (hash: string) => (desired = hash) };
}

function renderWith(session: Session) {
  return render(
    <SessionContext.Provider value={session}>
      <InstallPage />
    </SessionContext.Provider>,
  );
}

const committed: InstallState = { ...emptyInstallState(), lockfileHash: OLD, committedAt: '2026-11-26T10:00:00.000Z' };

afterEach(cleanup);

describe('InstallPage', () => {
  it('follows a streamed install through its steps to Done with the new hash, and reads the history again', async () => {
    const watch = fedStream<InstallState>();
    const { server, setDesired } = standIn(watch);
    renderWith(standInSession({ install: server }));
    act(() => watch.push(committed));
    // The history is read at mount and again once the stream names the desired tree: count from there.
    await waitFor(() => expect(screen.getByRole('status', { name: 'Install status' }).textContent).toContain(OLD.slice(0, 12)));
    await screen.findByRole('table', { name: 'Install history' });
    const readsBefore = server.history.mock.calls.length;

    act(() => watch.push({ ...committed, status: 'installing', progress: { phase: 'fetching', done: 3, total: 10 }, startedAt: '2026-11-26T11:00:00.000Z' }));
    const bar = await screen.findByRole('progressbar', { name: 'Install progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('26');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    const steps = screen.getByRole('list', { name: 'Install steps' });
    expect(within(steps).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['✓ resolve (done)', '▶ fetch 3/10', '· check', '· publish', '· commit']);
    expect(steps.querySelector('[aria-current="step"]')?.textContent).toContain('fetch 3/10');
    expect(screen.getByRole('status', { name: 'Install status' }).textContent).toContain('Installing');

    act(() => watch.push({ ...committed, status: 'installing', progress: { phase: 'publishing', done: 1, total: 2 } }));
    await waitFor(() => expect(screen.getByRole('progressbar', { name: 'Install progress' }).getAttribute('aria-valuenow')).toBe('70'));

    setDesired(NEW);
    act(() => watch.push({ ...committed, lockfileHash: NEW, committedAt: '2026-11-26T11:01:00.000Z', warnings: ['zod: deprecated'] }));
    const status = screen.getByRole('status', { name: 'Install status' });
    await waitFor(() => expect(status.textContent).toContain('Done'));
    expect(status.textContent).toContain(NEW.slice(0, 12));
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByText('zod: deprecated')).toBeTruthy();
    // Progress events left the history alone; the new desired hash read it once more.
    await waitFor(() => expect(server.history).toHaveBeenCalledTimes(readsBefore + 1));
    const table = await screen.findByRole('table', { name: 'Install history' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(within(table).getByRole('button', { name: `Roll back to ${OLD.slice(0, 12)}` })).toBeTruthy();
    expect(within(table).queryByRole('button', { name: `Roll back to ${NEW.slice(0, 12)}` })).toBeNull();
  });

  it('shows a failed install with its whole error and keeps naming the desired tree', async () => {
    const watch = fedStream<InstallState>();
    renderWith(standInSession({ install: standIn(watch).server }));
    const message = 'zod@^9: no version of zod matches ^9 in https://registry.npmjs.org/; run "spk info zod" for the versions';
    act(() => watch.push({ ...committed, status: 'failed', error: { code: 'NO_MATCHING_VERSION', message } }));
    const status = await screen.findByRole('status', { name: 'Install status' });
    expect(status.textContent).toContain('Failed');
    expect(status.textContent).toContain('NO_MATCHING_VERSION');
    expect(status.textContent).toContain(message);
    expect(status.textContent).toContain(OLD.slice(0, 12));
  });

  it('starts an install and shows why the server refused it', async () => {
    const watch = fedStream<InstallState>();
    const { server } = standIn(watch);
    renderWith(standInSession({ install: server }));
    act(() => watch.push(committed));
    await userEvent.click(await screen.findByRole('button', { name: 'Install now' }));
    expect(server.trigger).toHaveBeenCalledTimes(1);
    expect((await screen.findByRole('alert')).textContent).toContain('an install is in progress');
  });

  it('rolls back in one click and says so', async () => {
    const watch = fedStream<InstallState>();
    const { server, setDesired } = standIn(watch);
    setDesired(NEW);
    renderWith(standInSession({ install: server }));
    act(() => watch.push({ ...committed, lockfileHash: NEW }));
    const hash12 = OLD.slice(0, 12);
    await userEvent.click(await screen.findByRole('button', { name: `Roll back to ${hash12}` }));
    expect(server.rollback).toHaveBeenCalledWith({ lockfileHash: OLD });
    expect((await screen.findByText(/Rolled back to/)).textContent).toContain(hash12);
  });

  it('offers a read-only token neither install, rollback nor pinning', async () => {
    const watch = fedStream<InstallState>();
    const { server, setDesired } = standIn(watch);
    setDesired(NEW);
    renderWith(standInSession({ install: server }, VIEWER));
    act(() => watch.push({ ...committed, lockfileHash: NEW }));
    const table = await screen.findByRole('table', { name: 'Install history' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.getByText(/This token is read-only/)).toBeTruthy();
  });
});
