// Who a pid is, in a way that survives pid reuse: the pid plus the process's start time (from
// /proc/<pid>/stat) and the boot id. Run pins record it so a restarted server kills only the
// processes its crashed predecessor started, never a stranger that got the same pid later.
import { readFile, readdir } from 'node:fs/promises';
import { isProcessAlive, readBootId } from '../process-liveness.ts';

export interface ProcessIdentity {
  pid: number;
  /** Clock ticks after boot at which the process started; null where /proc is not available. */
  startTime: number | null;
  bootId: string | null;
}

interface ProcStat {
  /** R, S, D, Z (zombie), X (dead)… */
  state: string;
  ppid: number;
  pgid: number;
  startTime: number;
}

/** Fields after the command name, which is in parentheses and may itself contain spaces and ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const fields = text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
  // fields[0] is field 3 (state): ppid is field 4, pgrp field 5, starttime field 22.
  const [ppid, pgid, startTime] = [fields[1], fields[2], fields[19]].map(Number);
  return Number.isInteger(ppid) && Number.isInteger(pgid) && Number.isInteger(startTime) ? { state: fields[0] ?? '', ppid: ppid!, pgid: pgid!, startTime: startTime! } : null;
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

async function readStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ESRCH') return null;
    throw error;
  }
}


export async function processIdentity(pid: number): Promise<ProcessIdentity | null> {
  const stat = await readStat(pid);
  if (stat) return { pid, startTime: stat.startTime, bootId: await readBootId() };
  return isProcessAlive(pid) ? { pid, startTime: null, bootId: null } : null;
}


/**
 * Whether `identity` still names a live process: the same pid, started at the same time, this boot.
 * A zombie is not alive: it has exited and only waits to be reaped, which where its parent died
 * first and no init reaps orphans (some containers) never happens.
 */
export async function isSameProcessAlive(identity: ProcessIdentity): Promise<boolean> {
  const stat = await readStat(identity.pid);
  if (stat && (stat.state === 'Z' || stat.state === 'X')) return false;
  return isSameProcess(identity);
}

/** Whether `identity`'s pid still names that process (a zombie included: its group may live on). */
async function isSameProcess(identity: ProcessIdentity): Promise<boolean> {
  const now = await processIdentity(identity.pid);
  if (!now) return false;
  if (identity.startTime === null || now.startTime === null) return true;
  return now.startTime === identity.startTime && now.bootId === identity.bootId;
}

/** The pids in /proc right now; none where /proc cannot be read. */
export async function procPids(): Promise<number[]> {
  try {
    return (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}

/** Every process whose parent chain leads to `rootPid` (not `rootPid` itself). */
export async function listDescendants(rootPid: number): Promise<ProcessIdentity[]> {
  const stats = await Promise.all((await procPids()).map(async (pid) => ({ pid, stat: await readStat(pid).catch(() => null) })));
  const children = new Map<number, Array<{ pid: number; stat: ProcStat }>>();
  for (const { pid, stat } of stats) {
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid, stat });
    children.set(stat.ppid, list);
  }
  const id = await readBootId();
  const found: ProcessIdentity[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push({ pid: child.pid, startTime: child.stat.startTime, bootId: id });
      queue.push(child.pid);
    }
  }
  return found;
}

/** SIGKILLs a process group; a group that is already gone is fine. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if (errnoOf(error) !== 'ESRCH') throw error;
  }
}

/** SIGKILLs `identity` and the group it leads, if it is still the same process. */
export async function killIfSame(identity: ProcessIdentity): Promise<boolean> {
  if (!(await isSameProcess(identity))) return false;
  killGroup(identity.pid);
  try {
    process.kill(identity.pid, 'SIGKILL');
  } catch (error) {
    if (errnoOf(error) !== 'ESRCH') throw error;
  }
  return true;
}
