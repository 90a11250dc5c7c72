// The end of a child that leads its own process group (spawned `detached`), for script runs and
// install scripts alike: everything it starts is tracked from the moment it exists, a timeout
// kills all of it, and its end is awaited without trusting its pipes to close, since a process
// that escaped the kill could hold them open for ever.
import type { ChildProcess } from 'node:child_process';
import { trackRunProcessTree } from './run-process-tree.ts';

/** After the child's own process exits, how long what it started may hold its output open. */
const PIPE_GRACE_MS = 1000;

export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisedProcess {
  pid: number;
  /** Kills the group and every process carrying the run's marker; once, however often it is called. */
  killAll(): Promise<void>;
  /** Settles when the child has closed (its pipes ended, or were cut after the grace period); stops the timer. */
  ended: Promise<ProcessEnd>;
  /** Whether the timeout killed it. */
  timedOut(): boolean;
}

export interface SuperviseOptions {
  runId: string;
  /** Poll /proc for descendants while it runs (only worth it when it may start processes). */
  poll: boolean;
  timeoutMs: number;
}

/** Waits for `child` to spawn (rejecting when it cannot), then supervises it. */
export async function superviseProcess(child: ChildProcess, options: SuperviseOptions): Promise<SupervisedProcess> {
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', reject);
  });
  const tree = trackRunProcessTree(pid, { runId: options.runId, poll: options.poll });
  let killing: Promise<void> | null = null;
  const killAll = () => (killing ??= tree.killAll());
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killAll();
  }, options.timeoutMs);
  const ended = new Promise<ProcessEnd>((resolve) => {
    child.once('exit', () => {
      void killAll().then(() => setTimeout(() => child.stdio.forEach((stream) => stream?.destroy()), PIPE_GRACE_MS).unref());
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => clearTimeout(timer));
  return { pid, killAll, ended, timedOut: () => timedOut };
}
