// What a host that died during an install script leaves running. Scripts run in their own
// session, so they outlive the host; each carries a run marker naming the host's pid, and the
// temp tree it was building carries the same pid. Before those temp dirs are swept, every
// process marked by a dead owner of one is killed, so nothing keeps writing into a tree being
// removed, or keeps running as root, after a crash.
import { randomUUID } from 'node:crypto';
import { killMarkedProcesses } from '../runs/run-process-tree.ts';
import { staleTempOwners } from '../temp-names.ts';

const markerOf = (pid: number) => `install-${pid}-`;

/** The run marker of one script run by this process. */
export function installScriptRunId(): string {
  return `${markerOf(process.pid)}${randomUUID()}`;
}

/** Kills the install scripts of processes that died leaving temp dirs in `treesDir`; returns how many processes. */
export async function killOrphanedInstallScripts(treesDir: string): Promise<number> {
  let killed = 0;
  for (const pid of await staleTempOwners(treesDir)) killed += await killMarkedProcesses(markerOf(pid), { prefix: true });
  return killed;
}
