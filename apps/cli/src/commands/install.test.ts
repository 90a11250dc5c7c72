import { ORPCError } from '@orpc/client';
import { emptyInstallState, type InstallState } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { CommandFailedError } from '../errors.ts';
import { captureIo, commandContext } from '../test-support/command-context.ts';
import { createProgressReporter, isSettled, runInstallCommand } from './install.ts';

const HASH = 'ef'.repeat(32);

function state(overrides: Partial<InstallState> = {}): InstallState {
  return { ...emptyInstallState(), ...overrides };
}

const installing = (phase: 'resolving' | 'fetching' | 'publishing', done = 0, total = 0) =>
  state({ status: 'installing', progress: { phase, done, total }, startedAt: '2025-01-01T00:00:00.000Z' });

/** A client whose install.state answers the given states in turn. */
function context(trigger: () => Promise<{ started: boolean; state: InstallState }>, states: InstallState[], json = false) {
  let polls = 0;
  const client = {
    install: {
      trigger,
      state: async () => {
        const next = states[Math.min(polls, states.length - 1)];
        polls += 1;
        return next;
      },
    },
  };
  const { ctx, io } = commandContext(client, { json });
  return { ctx, io, polls: () => polls };
}

const done = state({ lockfileHash: HASH, manifest: [], totalSize: 2048, finishedAt: '2025-01-01T00:01:00.000Z', warnings: ['big'] });

describe('createProgressReporter', () => {
  it('prints one line per phase change when stderr is not a TTY', () => {
    const io = captureIo();
    const reporter = createProgressReporter(io);
    for (const s of [installing('resolving'), installing('fetching', 1, 3), installing('fetching', 2, 3), installing('publishing', 1, 3)]) {
      reporter.update(s);
    }
    reporter.finish();
    expect(io.err).toEqual(['install: resolving\n', 'install: fetching 1/3\n', 'install: publishing 1/3\n']);
  });

  it('rewrites one line on a TTY and clears it at the end', () => {
    const io = captureIo({ stderrIsTTY: true });
    const reporter = createProgressReporter(io);
    reporter.update(installing('fetching', 1, 3));
    reporter.update(installing('fetching', 1, 3));
    reporter.update(installing('fetching', 2, 3));
    reporter.finish();
    expect(io.err).toEqual(['\r\x1b[2Kinstall: fetching 1/3', '\r\x1b[2Kinstall: fetching 2/3', '\r\x1b[2K']);
  });
});

describe('isSettled', () => {
  it('waits while installing, and for a triggered install to show up', () => {
    const opts = { sawInstalling: false, previousFinishedAt: null, polls: 1 };
    expect(isSettled(installing('fetching'), opts)).toBe(false);
    expect(isSettled(state(), opts)).toBe(false);
    expect(isSettled(state(), { ...opts, sawInstalling: true })).toBe(true);
    expect(isSettled(state({ finishedAt: '2025-01-01T00:00:01.000Z' }), opts)).toBe(true);
    expect(isSettled(state(), { ...opts, polls: 100 })).toBe(true);
  });
});

describe('runInstallCommand --wait', () => {
  it('polls until the install settles, shows progress, and ends with hash and count', async () => {
    const { ctx, io, polls } = context(
      async () => ({ started: true, state: installing('resolving') }),
      [installing('fetching', 1, 2), installing('publishing', 2, 2), done],
    );
    await runInstallCommand(ctx, { kind: 'install', wait: true });
    expect(polls()).toBe(3);
    expect(io.err).toEqual(['install: resolving\n', 'install: fetching 1/2\n', 'install: publishing 2/2\n', 'warning: big\n']);
    expect(io.out).toEqual([`installed ${HASH} (0 packages, 2.0 KiB)\n`]);
  });

  it('fails with the install error when the install ends failed', async () => {
    const failed = state({ status: 'failed', finishedAt: '2025-01-01T00:01:00.000Z', error: { code: 'RESOLVE_FAILED', message: 'no such package' } });
    const { ctx } = context(async () => ({ started: true, state: installing('resolving') }), [failed]);
    const error = await runInstallCommand(ctx, { kind: 'install', wait: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({ code: 'RESOLVE_FAILED', message: 'install failed: no such package' });
  });

  it('waits for the running install when another trigger won the race', async () => {
    const inProgress = new ORPCError('CONFLICT', { status: 409, message: 'busy', data: { code: 'INSTALL_IN_PROGRESS' } });
    const { ctx, io } = context(async () => Promise.reject(inProgress), [installing('fetching', 1, 2), installing('fetching', 2, 2), done]);
    await runInstallCommand(ctx, { kind: 'install', wait: true });
    expect(io.err[0]).toBe('an install is already running; waiting for it\n');
    expect(io.out.at(-1)).toMatch(/^installed /);
  });

  it('prints only the final state as JSON under --json, with no progress', async () => {
    const { ctx, io } = context(async () => ({ started: true, state: installing('resolving') }), [installing('fetching', 1, 2), done], true);
    await runInstallCommand(ctx, { kind: 'install', wait: true });
    expect(io.err).toEqual([]);
    expect(JSON.parse(io.out.join(''))).toEqual(done);
  });
});

describe('runInstallCommand without --wait', () => {
  it('triggers once and does not poll', async () => {
    const { ctx, io, polls } = context(async () => ({ started: true, state: installing('resolving') }), [done]);
    await runInstallCommand(ctx, { kind: 'install', wait: false });
    expect(polls()).toBe(0);
    expect(io.out.join('')).toMatch(/install started/);
  });
});
