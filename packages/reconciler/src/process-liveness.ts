// Whether a pid names a live process, and which boot this is: the two facts every "was its owner
// killed?" decision rests on (temp files, run pins, the server's data-dir lock).
import { readFile } from 'node:fs/promises';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: Promise<string | null> | null = null;

/** The kernel's boot id (null without /proc): a pid recorded during another boot names nobody now. */
export const readBootId = (): Promise<string | null> =>
  (bootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => text.trim() || null,
    () => null,
  ));
