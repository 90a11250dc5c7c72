// `spk install [--wait [--timeout <s>]]`: trigger the central install and, with --wait, follow
// install.watch until it settles, showing the phase and counts on stderr, then wait until the
// server that answered runs the committed tree, so a `spk run` right after finds it there.
import type { InstallState } from '@spk/common';
import type { Command } from '../args.ts';
import { formatSeconds } from '../durations.ts';
import { CommandFailedError } from '../errors.ts';
import { formatInstallOutcome, formatProgress } from '../format.ts';
import { DEFAULT_WAIT_TIMEOUT_MS, errorData, formatConverged, waitForHost } from './convergence.ts';
import { printJson, printResult, type CliIo, type CommandContext } from './context.ts';
import { followInstall } from './install-watch.ts';
import { createProgressLine } from './progress-line.ts';

type InstallCommand = Extract<Command, { kind: 'install' }>;

export interface ProgressReporter {
  update(state: InstallState): void;
  finish(): void;
}

/** On a TTY one line is rewritten in place; elsewhere (CI logs) one line per phase change. */
export function createProgressReporter(io: Pick<CliIo, 'stderr' | 'stderrIsTTY'>): ProgressReporter {
  const progressLine = createProgressLine(io);
  let lastPhase: string | null = null;
  return {
    update(state) {
      if (state.status !== 'installing') return;
      const line = `install: ${formatProgress(state.progress)}`;
      if (io.stderrIsTTY) return progressLine.draw(line);
      const phase = state.progress?.phase ?? 'starting';
      if (phase !== lastPhase) io.stderr(`${line}\n`);
      lastPhase = phase;
    },
    finish: () => progressLine.clear(),
  };
}

async function waitForInstall(ctx: CommandContext, initial: InstallState, started: boolean, deadline: number, timeoutMs: number): Promise<InstallState> {
  // Nothing started and nothing running: the current state is the answer.
  if (!started && initial.status !== 'installing') return initial;
  const reporter = ctx.json ? { update() {}, finish() {} } : createProgressReporter(ctx.io);
  reporter.update(initial);
  try {
    const { state, timedOut } = await followInstall(ctx, { initial, deadline, onState: (s) => reporter.update(s) });
    if (!timedOut) return state;
    throw new CommandFailedError(
      'INSTALL_IN_PROGRESS',
      `gave up waiting after ${formatSeconds(timeoutMs)}: the install is still ${state.status === 'installing' ? `running (${formatProgress(state.progress)})` : 'starting'} on the server, and goes on there; follow it with \`spk status\`, or wait longer with --timeout <seconds>`,
    );
  } finally {
    reporter.finish();
  }
}

const isInstallInProgress = (error: unknown) => errorData(error)?.code === 'INSTALL_IN_PROGRESS';

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
  const host =
    final.lockfileHash === null
      ? null
      : await waitForHost(ctx, { lockfileHash: final.lockfileHash, deadline, timeoutMs, cause: `the install committed ${final.lockfileHash}` });
  if (ctx.json) printJson(ctx.io, { ...final, host });
  else if (host) ctx.io.stdout(`${formatConverged(host)}\n`);
}
