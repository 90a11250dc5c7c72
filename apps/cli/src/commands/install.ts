// `spk install [--wait]`: trigger the central install and, with --wait, follow install.state
// until it settles, showing the phase and counts on stderr.
import { ORPCError } from '@orpc/client';
import type { InstallState } from '@spk/common';
import type { Command } from '../args.ts';
import { CommandFailedError } from '../errors.ts';
import { formatInstallOutcome, formatProgress } from '../format.ts';
import { printJson, printResult, type CliIo, type CommandContext } from './context.ts';

export const POLL_INTERVAL_MS = 300;
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

async function waitForInstall(ctx: CommandContext, initial: InstallState, started: boolean): Promise<InstallState> {
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
      reporter.update(state);
    }
  } finally {
    reporter.finish();
  }
}

function isInstallInProgress(error: unknown): boolean {
  if (!(error instanceof ORPCError)) return false;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null && (data as { code?: unknown }).code === 'INSTALL_IN_PROGRESS';
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
  const final = await waitForInstall(ctx, initial, started);

  if (ctx.json) printJson(ctx.io, final);
  if (final.status === 'failed') {
    const error = final.error ?? { code: 'INTERNAL', message: 'the install failed without an error message' };
    throw new CommandFailedError(error.code, `install failed: ${error.message}`);
  }
  if (!ctx.json) {
    for (const warning of final.warnings) ctx.io.stderr(`warning: ${warning}\n`);
    ctx.io.stdout(`${formatInstallOutcome(final)}\n`);
  }
}
