import { ORPCError } from '@orpc/client';
import { emptyInstallState, type InstallState, type WaitConvergedInput, type WaitConvergedResult } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { CommandFailedError } from '../errors.ts';
import { captureIo, commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { CONVERGE_CALL_MS } from './convergence.ts';
import { createProgressReporter, runInstallCommand } from './install.ts';
import { followInstall, isSettled, MAX_RECONNECTS, RECONNECT_DELAY_MS } from './install-watch.ts';

const HASH = 'ef'.repeat(32);

function state(overrides: Partial<InstallState> = {}): InstallState {
  return { ...emptyInstallState(), ...overrides };
}

const installing = (phase: 'resolving' | 'fetching' | 'publishing', done = 0, total = 0) =>
  state({ status: 'installing', progress: { phase, done, total }, startedAt: '2025-01-01T00:00:00.000Z' });

const notConverged = (currentHash: string | null, lastError: string | null = null) =>
  new ORPCError('SERVICE_UNAVAILABLE', { status: 503, message: 'not yet', data: { code: 'NOT_CONVERGED', hostId: 'core-1', wantedHash: HASH, currentHash, lastError } });

type Watch = (input: undefined, options?: { signal?: AbortSignal }) => Promise<AsyncIterator<InstallState>>;

/** install.watch as the server streams it: `states` in turn, then nothing more until the caller goes away. */
const watchOf =
  (states: InstallState[]): Watch =>
  async (_input, options = {}) =>
    (async function* () {
      yield* states;
      await new Promise((resolve) => options.signal?.addEventListener('abort', resolve, { once: true }));
    })();

/** A client whose install.watch streams the given states (install.state answers the first), and whose host converges as `converge` says. */
function context(
  trigger: () => Promise<{ started: boolean; state: InstallState }>,
  states: InstallState[],
  json = false,
  converge: (input: WaitConvergedInput) => Promise<WaitConvergedResult> = async ({ lockfileHash }) => ({ hostId: 'core-1', lockfileHash, waitedMs: 1200 }),
  watch: Watch = watchOf(states),
) {
  let opens = 0;
  let stateCalls = 0;
  const sleeps: number[] = [];
  const waitConverged = recordingProcedure(converge);
  const client = {
    install: {
      trigger,
      state: async () => {
        stateCalls += 1;
        return states[0];
      },
      watch: (input: undefined, options?: { signal?: AbortSignal }) => {
        opens += 1;
        return watch(input, options);
      },
    },
    hosts: { waitConverged },
  };
  const { ctx, io } = commandContext(client, { json, io: captureIo({ sleep: async (ms) => void sleeps.push(ms) }) });
  return { ctx, io, opens: () => opens, stateCalls: () => stateCalls, sleeps, waitConverged };
}

const fetchFailed = () => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

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
    const opts = { sawInstalling: false, previousFinishedAt: null };
    expect(isSettled(installing('fetching'), opts)).toBe(false);
    expect(isSettled(state(), opts)).toBe(false);
    expect(isSettled(state(), { ...opts, sawInstalling: true })).toBe(true);
    expect(isSettled(state({ finishedAt: '2025-01-01T00:00:01.000Z' }), opts)).toBe(true);
  });
});

describe('followInstall', () => {
  it('takes a quiet state as it is once the start grace is over', async () => {
    const quiet = state({ finishedAt: '2025-01-01T00:00:01.000Z' });
    const { ctx } = context(async () => ({ started: true, state: quiet }), [quiet]);
    const started = performance.now();
    const result = await followInstall(ctx, { initial: quiet, deadline: performance.now() + 60_000, onState: () => {}, graceMs: 50 });
    expect(result).toEqual({ state: quiet, timedOut: false });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe('runInstallCommand --wait', () => {
  it('follows install.watch until the install settles, shows progress, then waits for the host and says both', async () => {
    const { ctx, io, opens, stateCalls, waitConverged } = context(
      async () => ({ started: true, state: installing('resolving') }),
      [installing('fetching', 1, 2), installing('publishing', 2, 2), done],
    );
    await runInstallCommand(ctx, { kind: 'install', wait: true });
    expect(opens()).toBe(1);
    expect(stateCalls()).toBe(0);
    expect(io.err).toEqual(['install: resolving\n', 'install: fetching 1/2\n', 'install: publishing 2/2\n', 'warning: big\n']);
    expect(waitConverged.inputs).toEqual([{ lockfileHash: HASH, timeoutMs: CONVERGE_CALL_MS }]);
    expect(io.out).toEqual([`committed ${HASH} (0 packages, 2.0 KiB)\n`, expect.stringMatching(new RegExp(`^host core-1 runs ${HASH} \\(converged in \\d+(\\.\\d)? s\\)\\n$`))]);
  });

  it('keeps asking in short calls while the host converges, within --timeout', async () => {
    let calls = 0;
    const { ctx, io, waitConverged } = context(async () => ({ started: true, state: installing('resolving') }), [done], false, async ({ lockfileHash }) => {
      calls += 1;
      if (calls < 3) throw notConverged(null);
      return { hostId: 'core-1', lockfileHash, waitedMs: 5 };
    });
    await runInstallCommand(ctx, { kind: 'install', wait: true, timeoutMs: 60_000 });
    expect(waitConverged.inputs).toHaveLength(3);
    for (const input of waitConverged.inputs) expect(input.timeoutMs).toBeLessThanOrEqual(CONVERGE_CALL_MS);
    expect(io.out.at(-1)).toMatch(/^host core-1 runs /);
  });

  it('exits NOT_CONVERGED naming the hash, the host, what it runs and its last error when the host does not converge in time', async () => {
    const old = 'ab'.repeat(32);
    const { ctx, io } = context(async () => ({ started: true, state: installing('resolving') }), [done], false, async () => {
      throw notConverged(old, 'blob sha512-x is missing from the blob store');
    });
    const error = await runInstallCommand(ctx, { kind: 'install', wait: true, timeoutMs: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({
      code: 'NOT_CONVERGED',
      message:
        `the install committed ${HASH}, but host core-1 still runs ${old} after 0.1 s. Its last reconcile failed: blob sha512-x is missing from the blob store. ` +
        "Check `spk status` for each host's tree and last error, and the server log; wait longer with --timeout <seconds>.",
    });
    expect(io.out).toEqual([`committed ${HASH} (0 packages, 2.0 KiB)\n`]);
  });

  it('gives up on an install still running at --timeout, saying it goes on on the server', async () => {
    const { ctx } = context(async () => ({ started: true, state: installing('resolving') }), [installing('fetching', 1, 9)]);
    const error = await runInstallCommand(ctx, { kind: 'install', wait: true, timeoutMs: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'INSTALL_IN_PROGRESS',
      message: 'gave up waiting after 0 s: the install is still running (fetching 1/9) on the server, and goes on there; follow it with `spk status`, or wait longer with --timeout <seconds>',
    });
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
    expect(io.out.at(-2)).toMatch(/^committed /);
  });

  it('reopens a stream that breaks, and goes on from where the install is', async () => {
    let calls = 0;
    const { ctx, io, opens, sleeps } = context(async () => ({ started: true, state: installing('resolving') }), [], false, undefined, async (input, options) => {
      calls += 1;
      if (calls === 1) {
        return (async function* () {
          yield installing('fetching', 1, 2);
          throw fetchFailed();
        })();
      }
      return watchOf([installing('publishing', 2, 2), done])(input, options);
    });
    await runInstallCommand(ctx, { kind: 'install', wait: true });
    expect(opens()).toBe(2);
    expect(sleeps).toEqual([RECONNECT_DELAY_MS]);
    expect(io.err.slice(0, 3)).toEqual(['install: resolving\n', 'install: fetching 1/2\n', 'install: publishing 2/2\n']);
    expect(io.out[0]).toMatch(/^committed /);
  });

  it(`fails with the network error after ${MAX_RECONNECTS} reopens in a row fail`, async () => {
    const { ctx, opens } = context(async () => ({ started: true, state: installing('resolving') }), [], false, undefined, async () => {
      throw fetchFailed();
    });
    const error = await runInstallCommand(ctx, { kind: 'install', wait: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(opens()).toBe(MAX_RECONNECTS + 1);
  });

  it("does not reopen the stream on the server's refusal", async () => {
    const refused = new ORPCError('UNAUTHORIZED', { status: 401, message: 'token revoked' });
    const { ctx, opens } = context(async () => ({ started: true, state: installing('resolving') }), [], false, undefined, async () => {
      throw refused;
    });
    await expect(runInstallCommand(ctx, { kind: 'install', wait: true })).rejects.toBe(refused);
    expect(opens()).toBe(1);
  });

  it('prints only the final state and the converged host as JSON under --json, with no progress', async () => {
    const { ctx, io } = context(async () => ({ started: true, state: installing('resolving') }), [installing('fetching', 1, 2), done], true);
    await runInstallCommand(ctx, { kind: 'install', wait: true });
    expect(io.err).toEqual([]);
    expect(JSON.parse(io.out.join(''))).toEqual({ ...done, host: { hostId: 'core-1', lockfileHash: HASH, waitedMs: expect.any(Number) } });
  });
});

describe('runInstallCommand without --wait', () => {
  it('triggers once and does not follow the install', async () => {
    const { ctx, io, opens, stateCalls } = context(async () => ({ started: true, state: installing('resolving') }), [done]);
    await runInstallCommand(ctx, { kind: 'install', wait: false });
    expect(opens()).toBe(0);
    expect(stateCalls()).toBe(0);
    expect(io.out.join('')).toMatch(/install started/);
  });
});
