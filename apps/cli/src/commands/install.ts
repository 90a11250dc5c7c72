// `spk install [--wait [--timeout <s>]]`: trigger the central install and, with --wait, follow
// install.state until it settles, showing the phase and counts on stderr, then wait until the
// server that answered runs the committed tree, so a `spk run` right after finds it there.
import { ORPCError } from '@orpc/client';
import type { InstallState, WaitConvergedResult } from '@spk/common';
import type { Command } from '../args.ts';
import { CommandFailedError } from '../errors.ts';
import { formatInstallOutcome, formatProgress } from '../format.ts';
import { printJson, printResult, type CliIo, type CommandContext } from './context.ts';

export const POLL_INTERVAL_MS = 300;
/** How long `--wait` waits, for the install and then for the host, unless --timeout says otherwise. */
export const DEFAULT_WAIT_TIMEOUT_MS = 300_000;
/** One hosts.waitConverged call at most this long: proxies and load balancers cut requests idle for a minute. */
export const CONVERGE_CALL_MS = 25_000;
/** Polls to wait for a triggered install to show up as `installing` before trusting an idle state. */
const START_GRACE_POLLS = 20;

type InstallCommand = Extract<Command, { kind: 'install' }>;

export interface ProgressReporter {
  update(state: InstallState): void;
  finish(): void;
}

/** On a TTY one line is rewritten in place; elsewhere (CI logs) one line per phase change. */
export function createProgressReporter(io: Pick<CliIo, 'stderr' | 'stderrIsTTY'>): ProgressReporter {
  let lastLine: string | null = null;
  let lastPhase: string | null = null;
  return {
    update(state) {
      if (state.status !== 'installing') return;
      const line = `install: ${formatProgress(state.progress)}`;
      if (io.stderrIsTTY) {
        if (line !== lastLine) io.stderr(`\r\x1b[2K${line}`);
      } else {
        const phase = state.progress?.phase ?? 'starting';
        if (phase !== lastPhase) io.stderr(`${line}\n`);
        lastPhase = phase;
      }
      lastLine = line;
    },
    finish() {
      // The outcome line replaces the progress line rather than following it.
      if (io.stderrIsTTY && lastLine !== null) io.stderr('\r\x1b[2K');
      lastLine = null;
    },
  };
}

/**
 * Whether polling may stop. A state that is not `installing` only counts once this install was
 * seen running or has a new finish time; until then the trigger may not have taken effect yet.
 */
export function isSettled(state: InstallState, opts: { sawInstalling: boolean; previousFinishedAt: string | null; polls: number }): boolean {
  if (state.status === 'installing') return false;
  return opts.sawInstalling || state.finishedAt !== opts.previousFinishedAt || opts.polls >= START_GRACE_POLLS;
}

async function waitForInstall(ctx: CommandContext, initial: InstallState, started: boolean, deadline: number, timeoutMs: number): Promise<InstallState> {
  const reporter = ctx.json ? { update() {}, finish() {} } : createProgressReporter(ctx.io);
  let sawInstalling = initial.status === 'installing';
  // Nothing started and nothing running: the current state is the answer.
  if (!started && !sawInstalling) return initial;
  reporter.update(initial);
  let polls = 0;
  try {
    for (;;) {
      await ctx.io.sleep(POLL_INTERVAL_MS);
      const state = await ctx.client.install.state();
      polls += 1;
      if (state.status === 'installing') sawInstalling = true;
      if (isSettled(state, { sawInstalling, previousFinishedAt: initial.finishedAt, polls })) return state;
      if (performance.now() >= deadline) {
        throw new CommandFailedError(
          'INSTALL_IN_PROGRESS',
          `gave up waiting after ${seconds(timeoutMs)}: the install is still ${state.status === 'installing' ? `running (${formatProgress(state.progress)})` : 'starting'} on the server, and goes on there; follow it with \`spk status\`, or wait longer with --timeout <seconds>`,
        );
      }
      reporter.update(state);
    }
  } finally {
    reporter.finish();
  }
}

function errorData(error: unknown): Record<string, unknown> | null {
  if (!(error instanceof ORPCError)) return null;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : null;
}

const isInstallInProgress = (error: unknown) => errorData(error)?.code === 'INSTALL_IN_PROGRESS';

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The second line of `--wait`: which host answered and that it runs the tree. */
export function formatConverged(result: WaitConvergedResult): string {
  return `host ${result.hostId} runs ${result.lockfileHash} (converged in ${seconds(result.waitedMs)})`;
}

/**
 * Waits, in calls short enough for any proxy, until the answering server runs `lockfileHash`.
 * Behind a load balancer each call may reach another instance; `spk run --wait-converged` is the
 * robust way to make a run wait, since the instance that runs the script is the one that waits.
 */
async function waitForHost(ctx: CommandContext, lockfileHash: string, deadline: number, timeoutMs: number): Promise<WaitConvergedResult> {
  const started = performance.now();
  for (;;) {
    const callStarted = performance.now();
    const remaining = Math.max(1, Math.round(deadline - callStarted));
    try {
      const result = await ctx.client.hosts.waitConverged({ lockfileHash, timeoutMs: Math.min(remaining, CONVERGE_CALL_MS) });
      return { ...result, waitedMs: Math.round(performance.now() - started) };
    } catch (error) {
      const data = errorData(error);
      if (data?.code !== 'NOT_CONVERGED') throw error;
      if (deadline - performance.now() >= 50) {
        // An instance shutting down answers at once; the next call may reach another one.
        if (performance.now() - callStarted < 1000) await ctx.io.sleep(POLL_INTERVAL_MS);
        continue;
      }
      const host = typeof data.hostId === 'string' ? `host ${data.hostId}` : 'the server';
      const runs = typeof data.currentHash === 'string' ? `still runs ${data.currentHash}` : 'has no tree yet';
      const lastError = typeof data.lastError === 'string' ? ` Its last reconcile failed: ${data.lastError}.` : '';
      throw new CommandFailedError(
        'NOT_CONVERGED',
        `the install committed ${lockfileHash}, but ${host} ${runs} after ${seconds(timeoutMs)}.${lastError} ` +
          'Check `spk status` for each host\'s tree and last error, and the server log; wait longer with --timeout <seconds>.',
      );
    }
  }
}

export async function runInstallCommand(ctx: CommandContext, command: InstallCommand): Promise<void> {
  if (!command.wait) {
    const result = await ctx.client.install.trigger();
    const human = result.started
      ? 'install started; follow it with `spk status` or run `spk install --wait`'
      : result.state.status === 'installing'
        ? `an install is already running (${formatProgress(result.state.progress)})`
        : `install not started; status: ${result.state.status}`;
    printResult(ctx, result, human);
    return;
  }

  const timeoutMs = command.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  let initial: InstallState;
  let started: boolean;
  try {
    const result = await ctx.client.install.trigger();
    ({ state: initial, started } = result);
  } catch (error) {
    // Another trigger won the race: waiting for that install is what the caller wants.
    if (!isInstallInProgress(error)) throw error;
    if (!ctx.json) ctx.io.stderr('an install is already running; waiting for it\n');
    initial = await ctx.client.install.state();
    started = false;
  }
  const final = await waitForInstall(ctx, initial, started, deadline, timeoutMs);

  if (final.status === 'failed') {
    if (ctx.json) printJson(ctx.io, final);
    const error = final.error ?? { code: 'INTERNAL', message: 'the install failed without an error message' };
    throw new CommandFailedError(error.code, `install failed: ${error.message}`);
  }
  if (!ctx.json) {
    for (const warning of final.warnings) ctx.io.stderr(`warning: ${warning}\n`);
    ctx.io.stdout(`${formatInstallOutcome(final)}\n`);
  }
  const host = final.lockfileHash === null ? null : await waitForHost(ctx, final.lockfileHash, deadline, timeoutMs);
  if (ctx.json) printJson(ctx.io, { ...final, host });
  else if (host) ctx.io.stdout(`${formatConverged(host)}\n`);
}
