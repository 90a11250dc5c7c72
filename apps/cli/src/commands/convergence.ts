// Waiting for hosts to run a newly desired tree, shared by `spk install --wait` and
// `spk rollback --wait`: the answering server (long-polls of hosts.waitConverged, each short enough
// for any proxy), and every host that is not stale (polls of hosts.status).
import { ORPCError } from '@orpc/client';
import type { HostStatus, WaitConvergedResult } from '@spk/common';
import { CommandFailedError } from '../errors.ts';
import { formatSeconds } from '../durations.ts';
import { plural, shortHash } from '../format.ts';
import type { CommandContext } from './context.ts';

export const POLL_INTERVAL_MS = 300;
/** How long `--wait` waits unless --timeout says otherwise. */
export const DEFAULT_WAIT_TIMEOUT_MS = 300_000;
/** One hosts.waitConverged call at most this long: proxies and load balancers cut requests idle for a minute. */
export const CONVERGE_CALL_MS = 25_000;

export interface ConvergenceWait {
  lockfileHash: string;
  /** performance.now() value after which waiting fails. */
  deadline: number;
  /** The --timeout the deadline came from, for messages. */
  timeoutMs: number;
  /** What made the tree desired, leading the failure message: "the install committed <hash>". */
  cause: string;
}

export function errorData(error: unknown): Record<string, unknown> | null {
  if (!(error instanceof ORPCError)) return null;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : null;
}

/** The line saying which host answered and that it runs the tree. */
export function formatConverged(result: WaitConvergedResult): string {
  return `host ${result.hostId} runs ${result.lockfileHash} (converged in ${formatSeconds(result.waitedMs)})`;
}

/**
 * Waits, in calls short enough for any proxy, until the answering server runs the tree.
 * Behind a load balancer each call may reach another instance; `spk run --wait-converged` is the
 * robust way to make a run wait, since the instance that runs the script is the one that waits.
 */
export async function waitForHost(ctx: CommandContext, wait: ConvergenceWait): Promise<WaitConvergedResult> {
  const { lockfileHash, deadline, timeoutMs } = wait;
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
        `${wait.cause}, but ${host} ${runs} after ${formatSeconds(timeoutMs)}.${lastError} ` +
          'Check `spk status` for each host\'s tree and last error, and the server log; wait longer with --timeout <seconds>.',
      );
    }
  }
}

/** Hosts that count: a stale one may be gone for good, so nobody waits for it. */
export function hostsBehind(hosts: readonly HostStatus[], lockfileHash: string): HostStatus[] {
  return hosts.filter((host) => !host.stale && host.lockfileHash !== lockfileHash);
}

function describeBehind(host: HostStatus): string {
  const runs = host.lockfileHash === null ? 'no tree yet' : `runs ${shortHash(host.lockfileHash)}`;
  const error = host.lastError === null ? '' : `, last error: ${host.lastError.split('\n', 1)[0]}`;
  return `${host.hostId} (${runs}${error})`;
}

/** The line after waiting for every host: how many run the tree, and which stale ones were not waited for. */
export function formatEveryHost(hosts: readonly HostStatus[], lockfileHash: string): string {
  const stale = hosts.filter((host) => host.stale);
  const live = hosts.length - stale.length;
  const skipped = stale.length === 0 ? '' : `; not waited for (stale): ${stale.map((host) => host.hostId).join(', ')}`;
  return `${live === 1 ? 'the only live host runs' : `all ${plural(live, 'live host')} run`} ${shortHash(lockfileHash)}${skipped}`;
}

/** Polls hosts.status until every host that is not stale runs the tree; answers the last host list. */
export async function waitForEveryHost(ctx: CommandContext, wait: ConvergenceWait): Promise<HostStatus[]> {
  for (;;) {
    const { hosts } = await ctx.client.hosts.status();
    const behind = hostsBehind(hosts, wait.lockfileHash);
    if (behind.length === 0) return hosts;
    if (performance.now() >= wait.deadline) {
      throw new CommandFailedError(
        'NOT_CONVERGED',
        `${wait.cause}, but after ${formatSeconds(wait.timeoutMs)} ${behind.length} of ${hosts.length} hosts do not run it: ${behind.map(describeBehind).join(', ')}. ` +
          'Check `spk hosts` and those hosts\' logs; wait longer with --timeout <seconds>.',
      );
    }
    await ctx.io.sleep(POLL_INTERVAL_MS);
  }
}
