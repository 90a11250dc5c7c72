// Making sure nothing a run started outlives it. The run's child leads its own process group,
// which one kill ends; a descendant that calls setsid() leaves that group, so while the run lives
// its descendants are also polled from /proc, and at the end every process still carrying the
// run's marker in its environment is found too. Only needed when runs may spawn processes.
import { readFile } from 'node:fs/promises';
import { killGroup, killIfSame, listDescendants, procPids, type ProcessIdentity } from './process-identity.ts';

export const RUN_MARKER_ENV = 'SPK_RUN_ID';
const POLL_MS = 50;

export interface RunProcessTree {
  /** Kills the group, every descendant seen, and every process that carries the run's marker. */
  killAll(): Promise<void>;
}

/**
 * Processes whose initial environment has `<RUN_MARKER_ENV>=<runId>` (with `prefix`: a value
 * starting with `runId`); unreadable ones are skipped.
 */
async function processesWithMarker(runId: string, prefix: boolean): Promise<number[]> {
  const needle = Buffer.from(`\0${RUN_MARKER_ENV}=${runId}${prefix ? '' : '\0'}`);
  const hits = await Promise.all(
    (await procPids())
      .filter((pid) => pid !== process.pid)
      .map(async (pid) => {
        try {
          const environ = Buffer.concat([Buffer.from([0]), await readFile(`/proc/${pid}/environ`)]);
          return environ.includes(needle) ? pid : null;
        } catch {
          return null;
        }
      }),
  );
  return hits.filter((pid) => pid !== null);
}

export function trackRunProcessTree(rootPid: number, options: { runId: string; poll: boolean }): RunProcessTree {
  const seen = new Map<number, ProcessIdentity>();
  let polling: Promise<void> = Promise.resolve();
  const poll = () => {
    polling = listDescendants(rootPid)
      .then((found) => found.forEach((identity) => seen.set(identity.pid, identity)))
      .catch(() => undefined);
  };
  const timer = options.poll ? setInterval(poll, POLL_MS) : null;
  timer?.unref();
  return {
    async killAll() {
      if (timer) clearInterval(timer);
      await polling;
      if (options.poll) {
        for (const identity of await listDescendants(rootPid)) seen.set(identity.pid, identity);
      }
      killGroup(rootPid);
      if (!options.poll) return;
      for (const identity of seen.values()) await killIfSame(identity);
      await killMarkedProcesses(options.runId);
    },
  };
}

/**
 * Kills every process (and the group it leads) that still carries `runId` as its run marker, or
 * with `prefix`, any marker starting with `runId` (every script a dead process started).
 */
export async function killMarkedProcesses(runId: string, options: { prefix?: boolean } = {}): Promise<number> {
  const pids = await processesWithMarker(runId, options.prefix === true);
  for (const pid of pids) {
    killGroup(pid);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  return pids.length;
}
