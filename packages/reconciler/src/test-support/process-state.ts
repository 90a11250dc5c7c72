// Whether a test's process is still running, read from /proc: a killed process is gone, or a
// zombie waiting for its parent (or init) to reap it, which counts as stopped.
import { readFile } from 'node:fs/promises';

/** Alive and not a zombie waiting to be reaped. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** Whether `pid` stops running within about 2 s (the moment a SIGKILL takes to land, and more). */
export async function stopsRunning(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (!(await isRunning(pid))) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
