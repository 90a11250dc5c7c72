// Following one install to its end for `spk install --wait`, over install.watch (server-sent
// events: the state at once, then each change). A stream that breaks (network, an instance
// stopping) is reopened a few times before the command fails.
import { ORPCError } from '@orpc/client';
import type { InstallState } from '@spk/common';
import type { CommandContext } from './context.ts';

/** How long a state that is neither running nor new is given to turn into this install's start. */
export const START_GRACE_MS = 6_000;
/** Reopens of a broken stream in a row before the command fails. */
export const MAX_RECONNECTS = 3;
export const RECONNECT_DELAY_MS = 500;

/**
 * Whether following may stop. A state that is not `installing` only counts once this install was
 * seen running or has a new finish time; until then the trigger may not have taken effect yet.
 */
export function isSettled(state: InstallState, opts: { sawInstalling: boolean; previousFinishedAt: string | null }): boolean {
  if (state.status === 'installing') return false;
  return opts.sawInstalling || state.finishedAt !== opts.previousFinishedAt;
}

export interface FollowOptions {
  /** The state the trigger answered with. */
  initial: InstallState;
  /** performance.now() value after which following stops with `timedOut`. */
  deadline: number;
  /** Each state that did not settle it (progress to show). */
  onState(state: InstallState): void;
  graceMs?: number;
}

export interface FollowResult {
  /** The settling state, or the last one seen when `timedOut`. */
  state: InstallState;
  timedOut: boolean;
}

/** A server's own refusal (unauthorized, forbidden, bad input) stays one however often it is asked. */
const isServerAnswer = (error: unknown) => error instanceof ORPCError && error.status >= 400 && error.status < 500;

export async function followInstall(ctx: CommandContext, opts: FollowOptions): Promise<FollowResult> {
  const stop = new AbortController();
  let latest = opts.initial;
  let sawInstalling = latest.status === 'installing';
  let grace: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => stop.abort('deadline'), Math.max(0, opts.deadline - performance.now()));
  let failures = 0;
  try {
    while (!stop.signal.aborted) {
      try {
        const stream = await ctx.client.install.watch(undefined, { signal: stop.signal });
        for await (const state of stream) {
          failures = 0;
          latest = state;
          if (state.status === 'installing') {
            sawInstalling = true;
            clearTimeout(grace);
            grace = undefined;
          }
          if (isSettled(state, { sawInstalling, previousFinishedAt: opts.initial.finishedAt })) return { state, timedOut: false };
          grace ??= setTimeout(() => stop.abort('grace'), opts.graceMs ?? START_GRACE_MS);
          opts.onState(state);
        }
        if (stop.signal.aborted) break;
        // The server closed the stream (its instance is stopping): the next one may reach another.
        throw new Error('the server closed the install.watch stream repeatedly; check the server log, and follow the install with `spk status`');
      } catch (error) {
        if (stop.signal.aborted) break;
        failures += 1;
        if (isServerAnswer(error) || failures > MAX_RECONNECTS) throw error;
        await ctx.io.sleep(RECONNECT_DELAY_MS);
      }
    }
    // Past the grace, a quiet state is taken as it is (the trigger changed nothing that shows).
    return { state: latest, timedOut: stop.signal.reason !== 'grace' };
  } finally {
    clearTimeout(deadline);
    clearTimeout(grace);
    stop.abort();
  }
}
